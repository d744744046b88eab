"""Every page for everyone, served by `briefing serve`: valid HTML with no error or warning from
the W3C Nu HTML checker, no WCAG 2.1 A or AA violation that axe-core finds in headless Chromium
(in the light and the dark colour scheme), and a walk by keyboard alone from the home page to an
issue and on to /subscribe.

`make test` installs the checkers pinned in tests/package-lock.json (`make checkers`: vnu.jar
and axe-core from npm, and Java to run vnu.jar when missing) and Chromium (`make browser`).
One Java process checks every page, and one Chromium visits them all.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.factories import REPO, ContentTree
from tests.servers import Server, serving
from tests.test_browser import CHROMEDRIVER, CHROMIUM, FLAGS, console_errors

CHECKERS = REPO / "tests" / "node_modules"
VNU = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = CHECKERS / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STYLESHEETS = ["briefing.css", "embed.css"]
WITHDRAWN = "2011-01-19"
REASON = "Published in error: the figures in it were wrong."
# One article says "rent" 20,000 times: a phrase of it repeated costs more than any search may,
# even in an archive this small, so /search refuses it (400) as too broad.
TOO_BROAD = '"' + " ".join(["rent"] * 30) + '"'
PAGES = {
    "home": ("/", 200),
    "issue": ("/issues/2011-01-12", 200),
    "issue-of-several-articles": ("/issues/2011-01-26", 200),
    "tag": ("/tags/big-society", 200),
    "search": ("/search", 200),
    "search-with-results": ("/search?q=community+groups", 200),
    "search-without-results": ("/search?q=zebra", 200),
    "search-too-broad": (f"/search?q={quote(TOO_BROAD)}", 400),
    "subscribe": ("/subscribe", 200),
    "not-found": ("/issues/1999-01-01", 404),
    "withdrawn": (f"/issues/{WITHDRAWN}", 410),
    "api-docs": ("/api/docs", 200),
    "card-latest": ("/embed/latest", 200),
    "card-of-an-issue": ("/embed/issues/2011-01-26", 200),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shipped issue, one of several articles (tagged, one authored and corrected, one
    withdrawn), an issue withdrawn, and the article that makes a search too broad: served with
    every link pointing at the server."""
    root = tmp_path_factory.mktemp("pages")
    shutil.copytree(REPO / "content", root / "content")
    tree = ContentTree(root / "content")
    store = root / "var" / "briefing.sqlite3"
    tree.issue(WITHDRAWN)
    tree.issue("2011-01-26", articles=3, number=2, tags=["big-society"])
    tree.article(
        "2011-01-26",
        "01-article.md",
        headline="Article 1 of 2011-01-26",
        authors=[{"name": "Ada Writer", "url": "https://example.org/ada"}],
        corrections=[{"date": dt.datetime(2011, 1, 27, 9, tzinfo=dt.UTC), "text": "A fix."}],
        body="## A section\n\nA paragraph with [a link](https://example.org/).",
    )
    tree.article("2011-01-26", "04-rent.md", headline="Rent", body="Rent " * 20000)
    tree.build(store)
    tree.issue(WITHDRAWN, withdrawn=REASON, withdrawn_at=dt.datetime(2011, 1, 20, tzinfo=dt.UTC))
    tree.article(
        "2011-01-26",
        "03-article.md",
        headline="Article 3 of 2011-01-26",
        withdrawn=REASON,
        withdrawn_at=dt.datetime(2011, 1, 27, tzinfo=dt.UTC),
    )
    tree.build(store)
    starting = serving(root, store)
    yield next(starting)(own_base_url=True)
    for _ in starting:  # stops the server
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("no Chromium: `make test` installs Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def checker(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"no {path.name}: `make test` installs the page checkers (`make checkers`)")
    return path


# Valid HTML (and CSS): the W3C Nu HTML checker


def served(server: Server, path: str, status: int, media_type: str) -> bytes:
    response = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=10)
    assert (response.status_code, response.headers["Content-Type"]) == (status, media_type), path
    return response.content


@pytest.fixture(scope="module")
def checked(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """What vnu.jar says (errors, warnings and notes) of each page and stylesheet as served, by
    file name: all checked by one Java process."""
    folder = tmp_path_factory.mktemp("served")
    for name, (path, status) in PAGES.items():
        page = served(server, path, status, "text/html; charset=utf-8")
        (folder / f"{name}.html").write_bytes(page)
    for name in STYLESHEETS:
        stylesheet = served(server, f"/assets/{name}", 200, "text/css; charset=utf-8")
        (folder / name).write_bytes(stylesheet)
    files = sorted(folder.iterdir())
    command = ["java", "-jar", checker(VNU), "--also-check-css", "--format", "json"]
    run = subprocess.run(
        [*command, "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    said: dict[str, list[str]] = {file.name: [] for file in files}
    for message in json.loads(run.stderr)["messages"]:
        file = Path(message["url"].removeprefix("file:")).name
        said[file].append(f"{message['type']} line {message.get('lastLine')}: {message['message']}")
    return said


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_valid_html_without_a_warning(
    checked: dict[str, list[str]], name: str
) -> None:
    assert checked[f"{name}.html"] == []


@pytest.mark.parametrize("name", STYLESHEETS)
def test_every_stylesheet_is_valid_css(checked: dict[str, list[str]], name: str) -> None:
    assert checked[name] == []


# WCAG 2.1 A and AA: axe-core in Chromium


def open_drawn(browser: WebDriver, url: str) -> None:
    """Open the page at url and wait (bounded) until it has drawn: Swagger UI draws the API docs
    page from the OpenAPI document once loaded."""
    browser.get(url)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )
    if "/api/docs" in url:
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock"))


def axe_violations(browser: WebDriver) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line a place.

    axe comes in through the driver, which the page's policy (no script) does not govern.
    """
    browser.execute_script(checker(AXE).read_text(encoding="utf-8"))
    found = browser.execute_async_script(
        "const [tags, done] = arguments;"
        "axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(results => done(results.violations), error => done(String(error)));",
        WCAG_21_AA,
    )
    assert isinstance(found, list), found
    return [
        f"{violation['id']}: {violation['help']} at {node['target']} ({node['failureSummary']})"
        for violation in found
        for node in violation["nodes"]
    ]


def page_errors(browser: WebDriver, server: Server, path: str) -> list[str]:
    """The console's errors, but for an error page's own status and the browser's look for
    /favicon.ico on a page that names no icon (the API docs page, drawn by flask-smorest)."""
    expected = (f"{server.url}{path} - ", f"{server.url}/favicon.ico - ")
    return [
        entry["message"]
        for entry in console_errors(browser)
        if not entry["message"].startswith(expected)
    ]


@pytest.fixture(params=["light", "dark"])
def colour_scheme(browser: WebDriver, request: pytest.FixtureRequest) -> Iterator[str]:
    """The colour scheme the browser asks pages for (prefers-color-scheme)."""
    features = [{"name": "prefers-color-scheme", "value": request.param}]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
    yield request.param
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


@pytest.mark.parametrize("name", PAGES)
def test_every_page_meets_wcag_21_aa_in_chromium(
    server: Server, browser: WebDriver, colour_scheme: str, name: str
) -> None:
    path, _ = PAGES[name]
    open_drawn(browser, server.url + path)
    violations = axe_violations(browser)
    assert violations == [], "\n".join(violations)
    assert page_errors(browser, server, path) == []


def test_the_api_docs_meet_wcag_21_aa_with_every_operation_open_and_one_tried(
    server: Server, browser: WebDriver, colour_scheme: str
) -> None:
    """Swagger UI draws more as it is used: parameters, examples, a request and its answer."""
    open_drawn(browser, f"{server.url}/api/docs")
    for operation in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-control"):
        operation.click()
    browser.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    browser.find_element(By.CSS_SELECTOR, ".execute").click()
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".live-responses-table .response-col_status")
    )
    violations = axe_violations(browser)
    assert violations == [], "\n".join(violations)
    assert page_errors(browser, server, "/api/docs") == []


# By keyboard alone: Tab and Enter


def press(browser: WebDriver, key: str) -> dict[str, Any]:
    """Press key as a person would (the browser's own key events), and say what has the focus:
    its text, its link's address, whether its focus is drawn, and whether it is on screen."""
    ActionChains(browser).send_keys(key).perform()
    focused: dict[str, Any] = browser.execute_script(
        "const element = document.activeElement, style = getComputedStyle(element);"
        "const box = element.getBoundingClientRect();"
        "return {tag: element.localName, text: element.textContent.trim(),"
        " href: element.getAttribute('href'),"
        " drawn: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,"
        " on_screen: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0"
        "   && box.bottom <= innerHeight && box.right <= innerWidth};"
    )
    return focused


def shows_focus(focused: dict[str, Any]) -> bool:
    return bool(focused["drawn"] and focused["on_screen"])


def arrived(browser: WebDriver, url: str) -> None:
    WebDriverWait(browser, 10).until(lambda b: b.current_url == url)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )


def skip_to_the_content(browser: WebDriver) -> dict[str, Any]:
    """The first Tab reaches the skip link, drawn on screen; Enter on it and a Tab more reach
    the first link of the page's content. What has the focus then."""
    skip = press(browser, Keys.TAB)
    assert (skip["text"], skip["href"]) == ("Skip to the content", "#main")
    assert shows_focus(skip), skip
    press(browser, Keys.ENTER)
    first = press(browser, Keys.TAB)
    assert shows_focus(first), first
    return first


def test_a_keyboard_alone_goes_from_the_home_page_to_an_issue_and_to_subscribe(
    server: Server, browser: WebDriver
) -> None:
    open_drawn(browser, f"{server.url}/")
    newest = skip_to_the_content(browser)
    assert (newest["text"], newest["href"]) == (
        "26 January 2011 · No. 2",
        f"{server.url}/issues/2011-01-26",
    )
    press(browser, Keys.ENTER)
    arrived(browser, f"{server.url}/issues/2011-01-26")
    assert browser.find_element(By.CSS_SELECTOR, "main h1").text == "Article 1 of 2011-01-26"
    stops = [press(browser, Keys.TAB) for _ in range(4)]
    assert [stop["text"] for stop in stops] == [
        "Skip to the content",
        "SCA Briefing",
        "Issues",
        "Subscribe",
    ]
    assert all(shows_focus(stop) for stop in stops), stops
    press(browser, Keys.ENTER)
    arrived(browser, f"{server.url}/subscribe")
    assert browser.find_element(By.CSS_SELECTOR, "main h1").text == "Subscribe"
    by_email = skip_to_the_content(browser)  # the shipped publication's email edition comes first
    assert by_email["href"] == "https://lists.example.org/subscribe/briefing"
    first_feed = press(browser, Keys.TAB)
    assert first_feed["href"] == f"{server.url}/feeds/issues.atom"
    assert shows_focus(first_feed), first_feed


KEYBOARD_PAGES = [
    "home",
    "issue-of-several-articles",
    "tag",
    "search-with-results",
    "subscribe",
    "not-found",
    "card-of-an-issue",
]


@pytest.mark.parametrize("name", KEYBOARD_PAGES)
def test_every_stop_of_the_tab_order_shows_its_focus_on_screen(
    server: Server, browser: WebDriver, name: str
) -> None:
    """Tab from the top of the page until the focus comes round to where it began."""
    open_drawn(browser, server.url + PAGES[name][0])
    first = press(browser, Keys.TAB)
    stops = [first]
    while len(stops) < 200:
        stop = press(browser, Keys.TAB)
        if stop == first or stop["tag"] == "body":  # round to the start, or out of the page
            break
        stops.append(stop)
    hidden = [stop for stop in stops if not shows_focus(stop)]
    assert len(stops) > 2 and hidden == []
