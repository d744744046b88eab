"""The email edition's HTML part in headless Chromium, as a mail client's web view would show it:
on a desktop, on a phone, light and dark, loading nothing. The screenshots go to tests/artifacts/
for a person to look at."""

from __future__ import annotations

import email
import email.policy
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from selenium.webdriver.chrome.webdriver import WebDriver

from service.cli import main
from tests.factories import REPO
from tests.test_browser import ARTIFACTS, browser, console_errors, fits_the_width  # noqa: F401

SEED_ISSUE = "2011-01-12"
LIGHT_PAPER, DARK_PAPER = "rgb(253, 252, 249)", "rgb(27, 26, 24)"


@pytest.fixture
def email_page(tmp_path: Path) -> str:
    """The HTML part of the shipped seed issue's email edition, as a file:// URL."""
    shutil.copytree(REPO / "content", tmp_path / "content")  # its [email] table included
    store = tmp_path / "store.sqlite3"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["build", str(tmp_path / "content"), "--store", str(store)]).exit_code
        == 0
    )
    result = runner.invoke(main, ["email", SEED_ISSUE, "--store", str(store)])
    message = email.message_from_bytes(result.stdout_bytes, policy=email.policy.default)
    part = message.get_body(("html",))  # type: ignore[attr-defined]
    (tmp_path / "email.html").write_text(part.get_content(), encoding="utf-8")
    return (tmp_path / "email.html").as_uri()


def opened(browser: WebDriver, url: str, dark: bool = False) -> None:  # noqa: F811
    scheme = "dark" if dark else "light"
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    browser.get(url)
    assert browser.execute_script("return document.readyState") == "complete"


def screenshot(browser: WebDriver, name: str, width: int) -> Path:  # noqa: F811
    """The whole message at this width, as a PNG under tests/artifacts/."""
    browser.set_window_size(width, 900)
    chrome = browser.execute_script("return window.outerHeight - window.innerHeight")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, height + chrome)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert browser.save_screenshot(str(path)), path
    return path


def paper(browser: WebDriver) -> str:  # noqa: F811
    return str(browser.execute_script("return getComputedStyle(document.body).backgroundColor"))


def test_the_email_reads_well_on_a_desktop_and_loads_nothing(
    email_page: str,
    browser: WebDriver,  # noqa: F811
) -> None:
    opened(browser, email_page)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert console_errors(browser) == []
    assert paper(browser) == LIGHT_PAPER
    headline = browser.execute_script("return document.querySelector('h1').textContent")
    assert headline == "Contradiction at the heart of Big Society"
    assert screenshot(browser, "email-desktop", width=1280).stat().st_size > 0


def test_the_email_fits_a_phone(email_page: str, browser: WebDriver) -> None:  # noqa: F811
    opened(browser, email_page)
    path = screenshot(browser, "email-phone", width=375)
    assert fits_the_width(browser)
    assert path.stat().st_size > 0


def test_the_email_turns_dark_where_the_reader_asks(
    email_page: str,
    browser: WebDriver,  # noqa: F811
) -> None:
    opened(browser, email_page, dark=True)
    assert paper(browser) == DARK_PAPER
    text = browser.execute_script("return getComputedStyle(document.querySelector('.sheet')).color")
    assert text == "rgb(230, 225, 215)"
    assert screenshot(browser, "email-dark", width=1280).stat().st_size > 0
    assert screenshot(browser, "email-phone-dark", width=375).stat().st_size > 0
