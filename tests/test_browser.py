"""The pages in a real browser: Debian's headless Chromium, driven by Selenium, against gunicorn.

`make test` installs chromium and chromium-driver. Each test opens a page as a reader would,
checks what it shows, that the console has no error (a Content-Security-Policy violation or a
failed load would be one), and writes a screenshot under tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import html
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import requests
from pyembed.core import PyEmbed
from pyembed.core.discovery import AutoDiscoverer
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from service.store import Store
from tests.factories import REPO, ContentTree
from tests.previews import Preview, previewing
from tests.servers import Server, StartServer, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO / "tests" / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
]
PAPER = "rgb(253, 252, 249)"  # the page background our stylesheet sets: proof that it loaded
SEED_TITLE = "Contradiction at the heart of Big Society"
SEED_ARTICLE = "contradiction-at-the-heart-of-big-society"


@pytest.fixture
def server(
    tmp_path: Path,
    build_store: Callable[[ContentTree], Store],
    start_server: StartServer,
) -> Server:
    """The shipped content and a second issue, served with every link pointing at the server."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    tree = ContentTree(tmp_path / "content")
    tree.issue("2011-01-26", number=2, tags=["big-society"])
    build_store(tree).close()
    return start_server(own_base_url=True)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("no Chromium: `make test` installs Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def arrived(browser: WebDriver, url: str) -> None:
    """Wait (bounded) for the navigation a click or a submit started to land on url."""
    WebDriverWait(browser, 10).until(lambda b: b.current_url == url)
    assert browser.execute_script("return document.readyState") == "complete"


def open_page(browser: WebDriver, url: str) -> None:
    browser.get(url)
    assert browser.execute_script("return document.readyState") == "complete"


def console_errors(browser: WebDriver) -> list[dict[str, Any]]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(browser: WebDriver, name: str, width: int = 1280) -> Path:
    """The whole page at this width, as a PNG under tests/artifacts/."""
    browser.set_window_size(width, 900)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, max(height, 600))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert browser.save_screenshot(str(path)), path
    return path


def text(browser: WebDriver, selector: str) -> list[str]:
    return [element.text for element in browser.find_elements(By.CSS_SELECTOR, selector)]


def styled(browser: WebDriver) -> str:
    return str(browser.execute_script("return getComputedStyle(document.body).backgroundColor"))


def fits_the_width(browser: WebDriver) -> bool:
    return bool(
        browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    )


def test_home_shows_the_latest_issues(server: Server, browser: WebDriver) -> None:
    open_page(browser, f"{server.url}/")
    assert text(browser, "main h1") == ["Latest issues"]
    assert SEED_TITLE in text(browser, "main h3")
    assert styled(browser) == PAPER
    assert console_errors(browser) == []
    assert screenshot(browser, "home").stat().st_size > 0


def test_issue_page_reads_well_on_a_desktop_and_a_phone(server: Server, browser: WebDriver) -> None:
    open_page(browser, f"{server.url}/issues/2011-01-12")
    assert text(browser, "main h1") == [SEED_TITLE]
    article = browser.find_element(By.ID, "contradiction-at-the-heart-of-big-society")
    assert "‘Big Society and Public Services’" in article.text
    assert text(browser, "a[rel=next]") == ["Next issue: Article 1 of 2011-01-26 →"]
    assert styled(browser) == PAPER
    assert console_errors(browser) == []
    screenshot(browser, "issue")
    screenshot(browser, "issue-phone", width=390)
    assert fits_the_width(browser)


def test_an_issue_pages_json_ld_is_data_the_policy_lets_be(
    server: Server, browser: WebDriver
) -> None:
    """The page's policy runs no script; its JSON-LD block is data, which it need not allow."""
    open_page(browser, f"{server.url}/issues/2011-01-12")
    graph = browser.execute_script(
        "return JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)"
    )
    assert [node["@type"] for node in graph["@graph"]] == [
        "Periodical",
        "PublicationIssue",
        "NewsArticle",
    ]
    assert console_errors(browser) == []


def test_tag_page_shows_the_tagged_articles(server: Server, browser: WebDriver) -> None:
    open_page(browser, f"{server.url}/tags/big-society")
    assert text(browser, "main h1") == ["Tagged “big-society”"]
    assert text(browser, "main h3") == ["Article 1 of 2011-01-26", SEED_TITLE]
    assert console_errors(browser) == []
    screenshot(browser, "tag")


def test_search_from_the_search_box_highlights_the_matches(
    server: Server, browser: WebDriver
) -> None:
    open_page(browser, f"{server.url}/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("community groups")
    box.submit()
    arrived(browser, f"{server.url}/search?q=community+groups")
    assert text(browser, "main h1") == ["Search: “community groups”"]
    assert text(browser, ".hits h2") == [SEED_TITLE]
    assert {mark.lower() for mark in text(browser, ".snippet mark")} == {"community", "groups"}
    assert console_errors(browser) == []
    screenshot(browser, "search")


def test_subscribe_shows_every_feed_address(server: Server, browser: WebDriver) -> None:
    open_page(browser, f"{server.url}/")
    browser.find_element(By.LINK_TEXT, "Subscribe").click()
    arrived(browser, f"{server.url}/subscribe")
    assert text(browser, "main h1") == ["Subscribe"]
    addresses = text(browser, "main dd code")
    assert f"{server.url}/feeds/issues.atom" in addresses
    assert f"{server.url}/feeds/tags/big-society.json" in addresses
    assert f"{server.url}/api/v1/issues" in text(browser, ".developers code")
    assert console_errors(browser) == []
    screenshot(browser, "subscribe")


# Cards on a partner's site: another origin (another loopback port) frames them


class PartnerSite:
    """A partner's own site on another loopback port, serving pages the test writes."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, path: str, embedded: str) -> str:
        """A page of the partner's with `embedded` (HTML) pasted in it; its URL."""
        self.pages[path] = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>'
            '<link rel="icon" href="data:,"></head>'
            f"<body><h1>Our news</h1>{embedded}</body></html>"
        )
        return self.url + path


@pytest.fixture
def partner() -> Iterator[PartnerSite]:
    site = PartnerSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()
    thread.join(timeout=5)


def in_frame(browser: WebDriver, script: str) -> Any:
    """Run script in the page's one iframe, and come back out."""
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        return browser.execute_script(script)
    finally:
        browser.switch_to.default_content()


def test_a_partner_page_shows_the_latest_card_from_the_subscribe_snippet(
    server: Server, browser: WebDriver, partner: PartnerSite
) -> None:
    subscribe = lxml.html.fromstring(requests.get(f"{server.url}/subscribe", timeout=5).text)
    (snippet,) = subscribe.xpath("//section[@class='partners']//pre/code/text()")
    open_page(browser, partner.page("/latest.html", snippet))
    assert in_frame(browser, "return document.querySelector('h1').textContent") == (
        "Article 1 of 2011-01-26"
    )
    assert in_frame(browser, "return getComputedStyle(document.body).backgroundColor") == PAPER
    assert console_errors(browser) == []
    screenshot(browser, "partner-latest-card")


def test_a_card_from_oembed_discovery_reads_well_300_pixels_wide_on_a_partner_page(
    server: Server, browser: WebDriver, partner: PartnerSite
) -> None:
    embed = PyEmbed(discoverer=AutoDiscoverer()).embed(
        f"{server.url}/issues/2011-01-12", max_width=300
    )
    open_page(browser, partner.page("/issue.html", embed))
    frame = browser.find_element(By.TAG_NAME, "iframe")
    assert frame.size["width"] == 300
    assert in_frame(browser, "return document.querySelector('h1').textContent") == SEED_TITLE
    assert in_frame(browser, "return document.documentElement.scrollWidth <= window.innerWidth")
    assert in_frame(browser, "return getComputedStyle(document.body).backgroundColor") == PAPER
    assert console_errors(browser) == []
    screenshot(browser, "partner-issue-card-300px", width=400)


def test_a_partner_page_cannot_frame_an_issue_page(
    server: Server, browser: WebDriver, partner: PartnerSite
) -> None:
    issue = html.escape(f"{server.url}/issues/2011-01-12")
    open_page(browser, partner.page("/framed.html", f'<iframe src="{issue}"></iframe>'))
    assert in_frame(browser, "return document.querySelector('main h1')") is None
    refusals = [entry["message"] for entry in console_errors(browser)]
    assert any("frame-ancestors" in message for message in refusals), refusals


# The editor's preview: a real `briefing preview` of a content tree the test edits

# DESIGN.md's budget from a save to the rebuilt store in service, and a margin for the
# browser to reload and lay out the page each time it looks.
REBUILT_WITHIN = 2.0
BROWSER_MARGIN = 0.5
PREVIEWED_ARTICLE = "content/issues/2011-01-12/01-village-halls.md"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    tree = ContentTree(tmp_path / "content")
    tree.publication()
    tree.issue("2011-01-12", articles=0)
    tree.article("2011-01-12", "01-village-halls.md", headline="Village halls", body="Halls close.")
    tree.article("2011-01-12", "02-not-ready.md", headline="Not ready", draft=True)
    with previewing(tmp_path) as running:
        yield running


def save(path: Path, text: str) -> None:
    """As most editors save: a new file renamed over the old."""
    written = path.with_name(f".{path.name}.swp")
    written.write_text(text)
    os.replace(written, path)


def reload_until(browser: WebDriver, shown: Callable[[], bool], what: str) -> None:
    """Reload the page, as an editor would after a save, until it shows what is asked: within
    the budget from the save, which the caller has just made."""
    started = time.monotonic()
    while True:
        browser.refresh()
        if shown():
            return
        if time.monotonic() - started > REBUILT_WITHIN + BROWSER_MARGIN:
            pytest.fail(f"the preview showed no {what} within {REBUILT_WITHIN + BROWSER_MARGIN} s")
        time.sleep(0.05)


def test_preview_shows_a_saved_change_and_the_errors_until_they_are_fixed(
    preview: Preview, browser: WebDriver, tmp_path: Path
) -> None:
    article = tmp_path / PREVIEWED_ARTICLE
    open_page(browser, f"{preview.url}/issues/2011-01-12")
    assert text(browser, ".preview-banner")[0].startswith("Preview: drafts shown.")
    assert "Halls close." in text(browser, "article")[0]
    assert text(browser, "#not-ready .draft") == ["Draft: not published"]

    article.write_text(article.read_text().replace("Halls close.", "Halls reopen in May."))
    reload_until(browser, lambda: "Halls reopen in May." in text(browser, "article")[0], "body")

    save(article, article.read_text().replace("headline: Village halls", "headline: [Village"))
    error = f"{PREVIEWED_ARTICLE}:4: front matter: did not find expected ',' or ']'."
    reload_until(browser, lambda: text(browser, ".preview-errors li") == [error], "error")
    assert "Halls reopen in May." in text(browser, "article")[0]  # the last good build
    assert styled(browser) == PAPER
    screenshot(browser, "preview-errors")

    save(article, article.read_text().replace("headline: [Village", "headline: Village halls"))
    reload_until(browser, lambda: text(browser, ".preview-errors") == [], "end of the errors")
    assert text(browser, "main h1") == ["Village halls"]
    assert console_errors(browser) == []
