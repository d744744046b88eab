"""The store reader: read-only, typed values, paging, filters, full-text search, domain errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from service.errors import ArticleNotFound, IssueNotFound, StoreError
from service.model import Query, Source
from service.store import Store, open_store
from tests.factories import ContentTree
from tests.storefaults import damaged_copy, truncated_copy

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


def test_a_truncated_store_is_a_store_error(store: Store, tmp_path: Path) -> None:
    broken = truncated_copy(store.path, tmp_path / "truncated.sqlite3")
    with pytest.raises(StoreError, match=f"^{broken}: damaged store"):
        open_store(broken)


def test_a_store_with_a_damaged_page_is_a_store_error(store: Store, tmp_path: Path) -> None:
    broken = damaged_copy(store.path, tmp_path / "damaged.sqlite3")
    assert broken.stat().st_size == store.path.stat().st_size
    with pytest.raises(StoreError, match=f"^{broken}: damaged store \\(not byte for byte"):
        open_store(broken)


def test_a_store_changed_after_its_build_is_a_store_error(store: Store, tmp_path: Path) -> None:
    edited = tmp_path / "edited.sqlite3"
    shutil.copyfile(store.path, edited)
    with contextlib.closing(sqlite3.connect(edited)) as db, db:
        db.execute("UPDATE articles SET headline = 'Changed by hand'")
    with pytest.raises(StoreError, match=f"^{edited}: damaged store"):
        open_store(edited)


def test_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE issues (id TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    db.close()
    with pytest.raises(StoreError, match="store schema version '0', this service reads 7"):
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


@pytest.fixture
def grants(content: ContentTree, build_store: Callable[[ContentTree], Store]) -> Store:
    """Seven fortnightly issues, one article each on grants: the oldest matches best."""
    bodies = [
        "Grants, grants and more grants.",
        "A long report on many things, among them grants, halls, rents and volunteers.",
        "Grants again: two grants.",
        "Grants.",
        "Halls, rents, volunteers, councils, and then at the very end of it all grants.",
        "Grants and halls.",
        "A note that mentions grants.",
    ]
    for number, body in enumerate(bodies, start=1):
        issue_id = (dt.date(2011, 1, 12) + (number - 1) * dt.timedelta(days=14)).isoformat()
        content.issue(issue_id, articles=0, number=number)
        headline = "Grants, grants, grants" if number == 1 else f"Report {number}"
        content.article(issue_id, "01-a.md", headline=headline, body=body, standfirst="News.")
    return build_store(content)


def search_ids(store: Store, text: str, per_page: int = 100) -> list[str]:
    """Every hit's article id in search order, read page by page."""
    found: list[str] = []
    page = 1
    while items := store.search(text, page, per_page).items:
        found += [hit.article.id for hit in items]
        page += 1
    return found


def test_search_ranks_only_the_newest_window_then_the_rest_newest_first(grants: Store) -> None:
    newest_first = ids(grants.articles(Query(q="grants", per_page=100)))
    ranked = search_ids(grants, "grants")
    assert ranked[0] == newest_first[-1] == "grants-grants-grants"

    grants.rank_window = 3
    window = set(newest_first[:3])
    assert search_ids(grants, "grants") == [
        *(article for article in ranked if article in window),
        *newest_first[3:],
    ]


def test_search_under_the_window_ranks_every_match(grants: Store) -> None:
    grants.rank_window = 7
    assert search_ids(grants, "grants")[0] == "grants-grants-grants"
    grants.rank_window = 6
    assert search_ids(grants, "grants")[-1] == "grants-grants-grants"


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 5, 6, 7, 8])
def test_search_pages_neither_repeat_nor_lose_a_hit_across_the_window_edge(
    grants: Store, per_page: int
) -> None:
    grants.rank_window = 3
    everything = grants.search("grants", per_page=100)
    paged = search_ids(grants, "grants", per_page)
    assert paged == [hit.article.id for hit in everything.items]
    assert len(set(paged)) == everything.total == 7
    assert grants.search("grants", 2, per_page).total == 7


def test_search_hits_past_the_window_carry_their_bm25_rank(grants: Store) -> None:
    grants.rank_window = 3
    windowed = {hit.article.id: hit.rank for hit in grants.search("grants", per_page=7).items}
    grants.rank_window = 7
    ranked = {hit.article.id: hit.rank for hit in grants.search("grants", per_page=7).items}
    assert windowed == pytest.approx(ranked)


def test_search_makes_snippets_for_the_page_only(grants: Store) -> None:
    statements: list[str] = []
    grants._db.set_trace_callback(statements.append)
    page = grants.search("grants", page=2, per_page=2)
    grants._db.set_trace_callback(None)
    # FTS5 reads an article's text back from `articles` only to make its snippet.
    text_reads = [sql for sql in statements if sql.startswith("-- ") and "body_text" in sql]
    assert len(page.items) == len(text_reads) == 2
    assert all("<mark>" in hit.snippet_html for hit in page.items)


def test_lists_matching_full_text_page_through_every_match_in_order(store: Store) -> None:
    """Every factory article says "article"; the funding one does not."""
    for order in ("newest", "oldest"):
        listed = ids(store.articles(Query(per_page=100, order=order)))
        matching = [article for article in listed if article != "funding-for-community-groups"]
        for per_page in (1, 3, 4):
            pages = [
                store.articles(Query(q="article", page=n, per_page=per_page, order=order))
                for n in range(1, 12)
            ]
            assert [a for page in pages for a in ids(page)] == matching
            assert {page.total for page in pages} == {10}
            issue_pages = [
                store.issues(Query(q="article", page=n, per_page=per_page, order=order))
                for n in range(1, 7)
            ]
            assert [i for page in issue_pages for i in ids(page)] == sorted(
                DATES, reverse=order == "newest"
            )
            assert {page.total for page in issue_pages} == {5}


def test_full_text_pages_are_the_matches_cut_into_pages(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    """Nine issues of one to four articles, two in three on grants: every page of every size,
    either order, whichever end of the matches it is nearer, holds what the list does there."""
    on_grants = set()
    for number in range(9):
        issue_id = (dt.date(2011, 1, 12) + number * dt.timedelta(days=14)).isoformat()
        content.issue(issue_id, articles=0)
        for position in range(1, number % 4 + 2):
            topic = "halls" if (number + position) % 3 == 0 else "grants"
            headline = f"Report {number}.{position}"
            content.article(issue_id, f"{position:02d}-a.md", headline=headline, body=topic)
            if topic == "grants":
                on_grants.add(headline)
    store = build_store(content)
    for order in ("newest", "oldest"):
        every = store.articles(Query(per_page=100, order=order)).items
        matching = [a.id for a in every if a.headline in on_grants]
        issues = list(dict.fromkeys(a.issue_id for a in every if a.headline in on_grants))
        for per_page in range(1, 6):
            for page in range(1, len(matching) // per_page + 3):
                query = Query(q="grants", page=page, per_page=per_page, order=order)
                start = (page - 1) * per_page
                assert ids(store.articles(query)) == matching[start : start + per_page]
                assert ids(store.issues(query)) == issues[start : start + per_page]


def test_full_text_narrows_the_other_filters(store: Store) -> None:
    assert ids(store.issues(Query(q="article", tag="housing"))) == ["2011-03-09"]
    assert ids(store.issues(Query(q="grants", tag="housing"))) == []
    assert ids(store.issues(Query(q="article", before=dt.date(2011, 1, 26)))) == DATES[1::-1]
    in_march = store.articles(Query(q="article", after=dt.date(2011, 3, 1)))
    assert ids(in_march) == ["article-1-of-2011-03-09", "article-2-of-2011-03-09"]
    assert store.articles(Query(q="grants", tag="funding")).total == 1
    assert store.articles(Query(q="article", tag="funding")).total == 0
