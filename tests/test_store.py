"""The store reader: read-only, typed values, paging, filters, full-text search, domain errors."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from service.errors import ArticleNotFound, IssueNotFound, StoreError
from service.model import Source
from service.store import Query, Store, open_store
from tests.factories import ContentTree

DATES = ["2011-01-12", "2011-01-26", "2011-02-09", "2011-02-23", "2011-03-09"]


@pytest.fixture
def store(content: ContentTree, build_store: Callable[[ContentTree], Store]) -> Store:
    """Five fortnightly issues of two articles; the March one tagged 'housing'."""
    for number, issue_id in enumerate(DATES, start=1):
        tags = ["housing"] if issue_id.startswith("2011-03") else []
        content.issue(issue_id, articles=2, number=number, tags=tags)
    content.article(
        "2011-02-09",
        "03-funding.md",
        headline="Funding for community groups",
        standfirst="Grants are shrinking.",
        body="Small grants keep community groups independent of the state.",
        tags=["funding"],
        sources=[{"title": "The survey", "url": "https://example.org/survey"}],
        authors=[{"name": "Gabriel Chanan"}],
    )
    return build_store(content)


def ids(page: object) -> list[str]:
    return [item.id for item in page.items]  # type: ignore[attr-defined]


def test_issue_comes_back_as_typed_values(store: Store) -> None:
    issue = store.issue("2011-02-09")
    assert issue.date == dt.date(2011, 2, 9)
    assert issue.updated == dt.datetime(2011, 2, 9, tzinfo=dt.UTC)
    assert issue.number == 3
    assert issue.title == "Article 1 of 2011-02-09"
    assert [a.id for a in issue.articles] == [
        "article-1-of-2011-02-09",
        "article-2-of-2011-02-09",
        "funding-for-community-groups",
    ]
    article = issue.articles[2]
    assert article.position == 3
    assert article.issue_id == "2011-02-09"
    assert article.sources == (Source("The survey", "https://example.org/survey"),)
    assert article.authors[0].name == "Gabriel Chanan"


def test_unknown_issue_raises_issue_not_found(store: Store) -> None:
    with pytest.raises(IssueNotFound) as raised:
        store.issue("2099-01-01")
    assert raised.value.issue_id == "2099-01-01"


def test_unknown_article_raises_article_not_found(store: Store) -> None:
    with pytest.raises(ArticleNotFound) as raised:
        store.article("2011-01-12", "nope")
    assert (raised.value.issue_id, raised.value.article_id) == ("2011-01-12", "nope")
    with pytest.raises(IssueNotFound):
        store.article("2099-01-01", "nope")


def test_article_by_id(store: Store) -> None:
    article = store.article("2011-02-09", "funding-for-community-groups")
    assert article.headline == "Funding for community groups"


def test_issues_newest_first_in_pages(store: Store) -> None:
    first = store.issues(Query(per_page=2))
    assert ids(first) == ["2011-03-09", "2011-02-23"]
    assert (first.total, first.page, first.per_page, first.pages) == (5, 1, 2, 3)
    assert ids(store.issues(Query(page=3, per_page=2))) == ["2011-01-12"]
    assert ids(store.issues(Query(page=4, per_page=2))) == []


def test_issues_oldest_first(store: Store) -> None:
    assert ids(store.issues(Query(order="oldest", per_page=2))) == ["2011-01-12", "2011-01-26"]


def test_issues_in_a_date_range_inclusive(store: Store) -> None:
    page = store.issues(Query(after=dt.date(2011, 1, 26), before=dt.date(2011, 2, 23)))
    assert ids(page) == ["2011-02-23", "2011-02-09", "2011-01-26"]


def test_issues_with_a_tag_include_issue_tags_and_article_tags(store: Store) -> None:
    assert ids(store.issues(Query(tag="housing"))) == ["2011-03-09"]
    assert ids(store.issues(Query(tag="funding"))) == ["2011-02-09"]
    assert store.issues(Query(tag="nothing")).total == 0


def test_issues_matching_full_text(store: Store) -> None:
    assert ids(store.issues(Query(q="grants"))) == ["2011-02-09"]


def test_articles_across_issues(store: Store) -> None:
    page = store.articles(Query(per_page=3))
    assert page.total == 11
    assert [(a.issue_id, a.position) for a in page.items] == [
        ("2011-03-09", 1),
        ("2011-03-09", 2),
        ("2011-02-23", 1),
    ]
    assert ids(store.articles(Query(tag="funding"))) == ["funding-for-community-groups"]
    assert store.articles(Query(tag="housing")).total == 2
    assert ids(store.articles(Query(q="independent"))) == ["funding-for-community-groups"]


def test_tags_with_article_counts(store: Store) -> None:
    assert [(t.tag, t.articles) for t in store.tags()] == [("funding", 1), ("housing", 2)]


def test_search_ranks_headline_matches_first_and_marks_snippets(store: Store) -> None:
    hits = store.search("community groups")
    assert hits.total == 1
    hit = hits.items[0]
    assert hit.article.id == "funding-for-community-groups"
    assert "<mark>community</mark> <mark>groups</mark>" in hit.snippet_html


def test_search_quoted_phrase(store: Store) -> None:
    assert store.search('"groups independent"').total == 1
    assert store.search('"independent groups"').total == 0


@pytest.mark.parametrize(
    "text", ['"', "AND", "NOT grants", "grants*", "(", "headline:x", "a OR", "-", "^", "NEAR(a b)"]
)
def test_search_text_is_never_query_syntax(store: Store, text: str) -> None:
    store.search(text)
    store.issues(Query(q=text))


def test_search_escapes_snippet_html(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.article("2011-01-12", "01-a.md", headline="H", body="Tom & <b>Jerry</b> groups")
    hit = build_store(content).search("groups").items[0]
    assert hit.snippet_html == "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt; <mark>groups</mark>"


def test_empty_search_finds_nothing(store: Store) -> None:
    assert store.search("   ").total == 0


def test_store_is_opened_read_only(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store._db.execute("DELETE FROM issues")


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store file here: run `briefing build` first"):
        open_store(tmp_path / "none.sqlite3")


def test_a_file_that_is_not_a_store_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a briefing store"):
        open_store(path)


def test_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE issues (id TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    db.close()
    with pytest.raises(StoreError, match="store schema version '0', this service reads 2"):
        open_store(path)


def test_last_updated_is_the_newest_issue_update(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", updated=dt.datetime(2011, 1, 20, 9, tzinfo=dt.UTC))
    content.issue("2011-01-26")
    assert build_store(content).last_updated == dt.datetime(2011, 1, 26, tzinfo=dt.UTC)


def test_empty_store_was_last_updated_when_built(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    store = build_store(content)
    assert store.last_updated == store.built_at
