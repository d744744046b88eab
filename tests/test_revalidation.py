"""Pollers across a rebuild that adds one issue, under `briefing serve`: every feed document
whose bytes did not change keeps its ETag and answers 304; every other one answers 200 with a
new ETag (DESIGN.md, Data flow: an ETag is a hash of the bytes sent, not of the version)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.config import Defaults
from service.feeds.formats import EXTENSIONS
from service.store import open_store
from tests.revalidation import (
    Revalidated,
    feed_documents,
    record,
    revalidate,
    served_after_rename,
)
from tests.servers import one_server

ISSUES = 300
ENCODINGS = ("identity", "gzip")
# Room for every document of the store (some 30 MB, gzip included), so that each worker
# renders each once per store: the 32 MiB default would evict them as the pollers go round.
CACHE_MAX_BYTES = str(128 * 1024 * 1024)


@dataclass(frozen=True)
class Rebuild:
    """Demo content of ISSUES issues and of one more, and what pollers of the first's
    documents were answered once the second was built into place."""

    before: Path
    after: Path
    tags_untouched: set[str]
    documents: dict[str, list[Revalidated]]  # by the encoding the poller asked for


def briefing(*args: str | int | Path) -> None:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output


def tag_counts(store: Path) -> dict[str, int]:
    opened = open_store(store)
    try:
        return {count.tag: count.articles for count in opened.tags()}
    finally:
        opened.close()


@pytest.fixture(scope="module")
def rebuild(tmp_path_factory: pytest.TempPathFactory) -> Rebuild:
    root = tmp_path_factory.mktemp("revalidation")
    before, after = root / f"content-{ISSUES}", root / f"content-{ISSUES + 1}"
    store = root / "var" / "briefing.sqlite3"
    briefing("demo-content", "--issues", ISSUES, "--out", before)
    briefing("build", before, "--store", store)
    counts = tag_counts(store)
    with one_server(store, BRIEFING_CACHE_MAX_BYTES=CACHE_MAX_BYTES) as server:
        paths = feed_documents(store)
        recorded = {encoding: record(server.url, paths, encoding) for encoding in ENCODINGS}
        briefing("demo-content", "--issues", ISSUES + 1, "--out", after)
        briefing("build", after, "--store", store)
        served_after_rename(server.url, store, Defaults.STORE_CHECK_INTERVAL)
        documents = {
            encoding: revalidate(server.url, recorded[encoding], encoding) for encoding in ENCODINGS
        }
    untouched = {tag for tag, articles in tag_counts(store).items() if counts.get(tag) == articles}
    return Rebuild(before, after, untouched, documents)


def unchanged(documents: list[Revalidated]) -> list[Revalidated]:
    return [document for document in documents if document.unchanged]


def changed(documents: list[Revalidated]) -> list[Revalidated]:
    return [document for document in documents if not document.unchanged]


def files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*.*")}


def test_demo_content_of_one_issue_more_is_the_same_content_and_that_issue(
    rebuild: Rebuild,
) -> None:
    before, after = files(rebuild.before), files(rebuild.after)
    added = {name: text for name, text in after.items() if name not in before}
    assert {name: after[name] for name in before} == before
    assert {Path(name).parent for name in added} == {Path("issues/2011-07-06")}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_document_a_rebuild_left_unchanged_answers_its_old_etag_with_304(
    rebuild: Rebuild, encoding: str
) -> None:
    stale = {
        document.path: document.revalidated.status
        for document in unchanged(rebuild.documents[encoding])
        if document.revalidated.status != 304
        or document.revalidated.etag != document.before.etag
        or document.revalidated.body
    }
    assert stale == {}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_document_a_rebuild_changed_answers_200_with_a_new_etag(
    rebuild: Rebuild, encoding: str
) -> None:
    documents = changed(rebuild.documents[encoding])
    assert documents, "the new issue changed no document"
    for document in documents:
        answer = document.revalidated
        assert (answer.status, answer.body) == (200, document.now.body), document.path
        assert answer.etag == document.now.etag != document.before.etag, document.path


def test_unchanged_documents_include_archive_pages_and_the_feeds_of_tags_the_issue_has_not(
    rebuild: Rebuild,
) -> None:
    paths = {document.path for document in unchanged(rebuild.documents["gzip"])}
    assert any("/archive/" in path for path in paths)
    assert rebuild.tags_untouched
    untouched_feeds = {
        f"/feeds/tags/{tag}.{extension}"
        for tag in rebuild.tags_untouched
        for extension in EXTENSIONS
    }
    assert untouched_feeds <= paths
    every_issue_and_article = {
        f"/feeds/{name}.{extension}" for name in ("issues", "articles") for extension in EXTENSIONS
    }
    assert not every_issue_and_article & paths, "the new issue is in these"


def test_an_unchanged_document_keeps_its_headers_and_its_304_sends_its_cache_control(
    rebuild: Rebuild,
) -> None:
    for document in unchanged(rebuild.documents["gzip"]):
        before, now = document.before, document.now
        assert now.representation_headers() == before.representation_headers(), document.path
        kept_for = document.revalidated.headers["cache-control"]
        assert kept_for == now.headers["cache-control"], document.path
