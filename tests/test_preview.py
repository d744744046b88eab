"""`briefing preview`: a private store rebuilt on every save, drafts shown and marked, and the
content's errors on every page above the last good build, in answers no cache keeps.

The rebuilds and the watcher are driven here one step at a time (the watcher's pauses are the
test's own); tests/test_browser.py runs the whole command in a browser, against the clock.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
from flask.testing import FlaskClient

from service import create_app
from service.preview.rebuild import PrivateStore
from service.preview.shown import Report
from service.preview.watch import POLL_INTERVAL, QUIET, Watcher, tree_state
from service.store import open_store
from tests.factories import ContentTree
from tests.previews import Preview, interrupt, previewing
from tests.servers import get_json, wait_until

ISSUE = "2011-01-12"
ARTICLE = "01-village-halls.md"
PAGES = ["/", f"/issues/{ISSUE}", "/subscribe", "/search?q=halls", "/tags/none"]
ANSWERS = [*PAGES, "/feeds/issues.atom", "/feeds/articles.json", "/api/v1/issues"]


@pytest.fixture
def private(content: ContentTree, tmp_path: Path) -> PrivateStore:
    folder = tmp_path / "preview"
    folder.mkdir()
    return PrivateStore(content.root, folder)


@pytest.fixture
def client(private: PrivateStore) -> FlaskClient:
    """The service as `briefing preview` runs it, over the private store."""
    settings = {"STORE": str(private.store), "PREVIEW_REPORT": str(private.report)}
    return create_app({"TESTING": True, "STORE_CHECK_INTERVAL": 0, **settings}).test_client()


def write_article(content: ContentTree, body: str = "Halls are closing.", **fields: object) -> Path:
    return content.article(ISSUE, ARTICLE, body=body, **{"headline": "Village halls", **fields})


def published_issue(content: ContentTree) -> ContentTree:
    content.issue(ISSUE, articles=0)
    write_article(content)
    return content


def broken_headline(content: ContentTree) -> str:
    """Empty the article's headline; the error every page should show."""
    path = write_article(content, headline="")
    return f"{path}:3: headline: Must not be empty."


def page(client: FlaskClient, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(client.get(path).data)


def errors_shown(html: lxml.html.HtmlElement) -> list[str]:
    return [str(line) for line in html.xpath("//div[@class='preview-errors']//li/code/text()")]


def test_a_rebuild_serves_the_content_with_its_drafts_marked(
    content: ContentTree, private: PrivateStore, client: FlaskClient
) -> None:
    published_issue(content)
    content.article(ISSUE, "02-draft.md", headline="Not ready yet", draft=True)
    assert private.rebuild() == "built: 1 issue(s), 2 article(s), drafts included"
    shown = page(client, f"/issues/{ISSUE}")
    assert shown.xpath("//article[@id='not-ready-yet']/p[@class='draft']/text()") == [
        "Draft: not published"
    ]
    assert "Preview: drafts shown." in shown.xpath("string(//p[@class='preview-banner'])")
    assert errors_shown(shown) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_the_content_errors_above_the_last_good_build(
    content: ContentTree, private: PrivateStore, client: FlaskClient, path: str
) -> None:
    published_issue(content)
    private.rebuild()
    error = broken_headline(content)
    assert private.rebuild() == f"1 error(s), shown on every page: {error}"
    shown = page(client, path)
    assert errors_shown(shown) == [error]
    in_order = shown.xpath("//div[@class='preview-errors'] | //main")
    assert [element.tag for element in in_order] == ["div", "main"]
    assert "Below is the last good build, of " in in_order[0].text_content()


def test_the_last_good_build_stays_in_service_while_the_content_has_errors(
    content: ContentTree, private: PrivateStore, client: FlaskClient
) -> None:
    published_issue(content)
    private.rebuild()
    broken_headline(content)
    private.rebuild()
    assert open_store(private.store).issue(ISSUE).articles[0].headline == "Village halls"
    assert "Halls are closing." in page(client, f"/issues/{ISSUE}").text_content()


def test_the_errors_go_once_the_content_is_fixed(
    content: ContentTree, private: PrivateStore, client: FlaskClient
) -> None:
    published_issue(content)
    broken_headline(content)
    private.rebuild()
    write_article(content, body="Halls reopen.")
    assert private.rebuild().startswith("built: ")
    shown = page(client, f"/issues/{ISSUE}")
    assert shown.xpath("//div[@class='preview-errors']") == []
    assert "Halls reopen." in shown.text_content()


def test_a_first_build_with_errors_shows_them_on_an_empty_site(
    content: ContentTree, private: PrivateStore, client: FlaskClient
) -> None:
    content.issue(ISSUE, articles=0)
    error = broken_headline(content)
    private.rebuild()
    response = client.get("/")
    assert response.status_code == 200
    shown = lxml.html.fromstring(response.data)
    assert errors_shown(shown) == [error]
    assert "Nothing has built yet." in shown.xpath("string(//div[@class='preview-errors'])")
    assert "No issue has been published yet." in shown.text_content()


def test_errors_are_shown_as_text(
    content: ContentTree, private: PrivateStore, client: FlaskClient
) -> None:
    published_issue(content)
    stray = content.write(f"issues/{ISSUE}/<em>notes.txt", "Not an article.")
    private.rebuild()
    shown = page(client, "/")
    assert errors_shown(shown) == [
        f"{stray}:1: file: Not part of an issue: articles are .md files."
    ]
    assert shown.xpath("//div[@class='preview-errors']//em") == []


def test_a_build_the_system_refuses_is_reported_as_an_error(
    content: ContentTree, private: PrivateStore
) -> None:
    published_issue(content)
    private.store.mkdir()  # where the new store would be renamed to
    refused = "cannot build the preview: [Errno 21] Is a directory"
    assert private.rebuild().startswith(f"1 error(s), shown on every page: {refused}")
    (reported,) = Report.read(private.report).errors
    assert reported.startswith(refused)


@pytest.mark.parametrize("path", ANSWERS)
def test_no_cache_keeps_a_preview_and_no_search_engine_indexes_it(
    content: ContentTree, private: PrivateStore, client: FlaskClient, path: str
) -> None:
    published_issue(content)
    private.rebuild()
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Preview-Errors" not in response.headers


@pytest.mark.parametrize("path", PAGES)
def test_preview_pages_ask_not_to_be_indexed(
    content: ContentTree, private: PrivateStore, client: FlaskClient, path: str
) -> None:
    published_issue(content)
    private.rebuild()
    assert page(client, path).xpath("//meta[@name='robots']/@content") == ["noindex"]


@pytest.mark.parametrize("path", ["/feeds/issues.atom", "/feeds/articles.json", "/api/v1/issues"])
def test_feeds_and_the_api_serve_the_last_good_build_and_count_the_errors(
    content: ContentTree, private: PrivateStore, client: FlaskClient, path: str
) -> None:
    published_issue(content)
    private.rebuild()
    broken_headline(content)
    private.rebuild()
    response = client.get(path)
    assert response.status_code == 200
    assert "Village halls" in response.get_data(as_text=True)
    assert response.headers["Preview-Errors"] == "1"


def test_the_service_is_no_preview_without_its_setting(
    content: ContentTree, private: PrivateStore
) -> None:
    published_issue(content)
    private.rebuild()
    error = broken_headline(content)
    private.rebuild()
    served = create_app({"TESTING": True, "STORE": str(private.store)}).test_client()
    response = served.get(f"/issues/{ISSUE}")
    html = response.get_data(as_text=True)
    assert error not in html and "Preview" not in html
    assert "public" in response.headers["Cache-Control"]
    assert "X-Robots-Tag" not in response.headers
    assert "Preview-Errors" not in served.get("/api/v1/issues").headers


def test_a_preview_compares_with_nothing_it_built_before(
    content: ContentTree, private: PrivateStore, client: FlaskClient
) -> None:
    published_issue(content)
    content.issue("2011-01-26")
    private.rebuild()
    write_article(content, headline="Village halls close")  # a new id
    (content.root / "issues" / "2011-01-26" / "01-article.md").unlink()
    (content.root / "issues" / "2011-01-26" / "issue.toml").unlink()
    (content.root / "issues" / "2011-01-26").rmdir()
    assert private.rebuild() == "built: 1 issue(s), 1 article(s), drafts included"
    assert client.get("/issues/2011-01-26").status_code == 404


# Noticing saves


def test_a_save_in_place_is_a_change(content: ContentTree) -> None:
    path = write_article(content)
    before = tree_state(content.root)
    path.write_text(path.read_text().replace("closing", "opening"))
    assert tree_state(content.root) != before


def test_a_new_file_renamed_over_the_old_is_a_change(content: ContentTree) -> None:
    """As editors save: the same size, and here even the same time, but another file."""
    path = write_article(content)
    before = tree_state(content.root)
    saved = path.with_name(f".{path.name}.new")
    saved.write_text(path.read_text().replace("closing", "opening"))
    old = path.stat()
    os.utime(saved, ns=(old.st_atime_ns, old.st_mtime_ns))
    os.replace(saved, path)
    assert tree_state(content.root) != before


def test_a_new_or_removed_file_is_a_change(content: ContentTree) -> None:
    before = tree_state(content.root)
    path = write_article(content)
    written = tree_state(content.root)
    assert written != before
    path.unlink()
    assert tree_state(content.root) != written


def test_hidden_files_are_no_change(content: ContentTree) -> None:
    """What the build leaves out too: an editor's swap file, a .git folder."""
    write_article(content)
    before = tree_state(content.root)
    content.write(f"issues/{ISSUE}/.{ARTICLE}.swp", "swap")
    content.write(".git/index", "index")
    assert tree_state(content.root) == before


class Pauses:
    """The watcher's pauses, each doing what the test says happens meanwhile; past the last,
    the test is over."""

    def __init__(self, *meanwhile: Callable[[], object]) -> None:
        self.meanwhile = list(meanwhile)
        self.taken: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        if not self.meanwhile:
            raise NoMoreChanges
        self.meanwhile.pop(0)()


class NoMoreChanges(Exception):
    pass


def test_a_burst_of_saves_is_one_change_once_it_settles(content: ContentTree) -> None:
    path = write_article(content)
    watcher = Watcher(content.root)
    pauses = Pauses(
        lambda: None,
        lambda: path.write_text("---\nheadline: V\n"),
        lambda: path.write_text("---\nheadline: Village\n"),
        lambda: None,
    )
    watcher.wait_for_change(pauses)
    assert pauses.taken == [POLL_INTERVAL, POLL_INTERVAL, QUIET, QUIET]
    with pytest.raises(NoMoreChanges):  # the burst was one change, now seen
        watcher.wait_for_change(Pauses())


def test_a_save_made_while_building_is_a_change_again(content: ContentTree) -> None:
    path = write_article(content)
    watcher = Watcher(content.root)
    watcher.wait_for_change(Pauses(lambda: path.write_text("one"), lambda: None))
    path.write_text("two, saved while the first was built")
    pauses = Pauses(lambda: None)
    watcher.wait_for_change(pauses)
    assert pauses.taken == [QUIET]  # no wait for the next look: it had changed already


# The command


def test_preview_serves_rebuilds_on_a_save_and_stops_on_ctrl_c(
    content: ContentTree, tmp_path: Path
) -> None:
    published_issue(content)
    with previewing(tmp_path) as preview:
        first, url = preview.printed()[:2]
        assert first.endswith(" built: 1 issue(s), 1 article(s), drafts included")
        assert url == f"briefing preview: content at {preview.url}/ (Ctrl-C stops)"
        broken_headline(content)
        error = f"content/issues/{ISSUE}/{ARTICLE}:3: headline: Must not be empty."
        wait_until_printed(preview, f" 1 error(s), shown on every page: {error}")
        (folder,) = preview.temporary.iterdir()
        assert folder.name.startswith("briefing-preview-")
        assert interrupt(preview) == 0
    assert preview.printed()[-1] == "briefing preview: stopped; its private store is removed."
    assert list(preview.temporary.iterdir()) == []


def test_preview_stops_on_sigterm_and_stops_its_server(
    content: ContentTree, tmp_path: Path
) -> None:
    published_issue(content)
    with previewing(tmp_path) as preview:
        preview.process.send_signal(signal.SIGTERM)
        assert preview.process.wait(timeout=15) == 0
        assert list(preview.temporary.iterdir()) == []
        with pytest.raises(OSError):  # its server stopped with it
            get_json(f"{preview.url}/healthz")


def wait_until_printed(preview: Preview, ending: str) -> None:
    printed = lambda: any(line.endswith(ending) for line in preview.printed())  # noqa: E731
    wait_until(printed, 10, f"line ending {ending!r}")
