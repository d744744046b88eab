"""Every page for everyone, served by `briefing serve`: valid HTML with no error or warning from
the W3C Nu HTML checker.

`make test` installs the checkers pinned in tests/package-lock.json (`make checkers`: vnu.jar
from npm, and Java to run it when missing). One Java process checks every page.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.factories import REPO, ContentTree
from tests.servers import Server, serving

CHECKERS = REPO / "tests" / "node_modules"
VNU = CHECKERS / "vnu-jar" / "build" / "dist" / "vnu.jar"
STYLESHEETS = ["briefing.css", "embed.css"]
WITHDRAWN = "2011-01-19"
REASON = "Published in error: the figures in it were wrong."
# One article says "rent" 20,000 times: a phrase of it repeated costs more than any search may,
# even in an archive this small, so /search refuses it (400) as too broad.
TOO_BROAD = '"' + " ".join(["rent"] * 30) + '"'
PAGES = {
    "home": ("/", 200),
    "issue": ("/issues/2011-01-12", 200),
    "issue-of-three-articles": ("/issues/2011-01-26", 200),
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
    """The shipped issue, one of three articles (tagged, authored, corrected, one withdrawn),
    an issue withdrawn, and the article that makes a search too broad; links point at it."""
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
