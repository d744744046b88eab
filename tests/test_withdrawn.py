"""Withdrawn issues and articles: 410 Gone with the reason in every area, no text of them
served anywhere, RFC 6721 tombstones in the Atom feeds, and every other entry in its place."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.store import Store
from tests.factories import ContentTree, archived_feeds
from tests.feedtools import (
    BASE,
    EXTENSIONS,
    assert_valid_atom,
    entry_ids,
    load_json_feed,
    parse,
    xml,
)

TOMBSTONES = {"at": "http://purl.org/atompub/tombstones/1.0"}
REASON = "Published in error: the figures were wrong."
WITHDRAWN_AT = dt.datetime(2011, 1, 6, 9, tzinfo=dt.UTC)
GONE_ISSUE = "2011-01-02"
GONE_ARTICLE = "article-1-of-2011-01-02"
FEEDS = ("issues", "articles", "tags/localism")
Withdraw = Callable[..., FlaskClient]


def issue_tag(issue_id: str) -> str:
    return f"tag:briefing.test,{issue_id}:issue/{issue_id}"


def article_tag(issue_id: str, article_id: str | None = None) -> str:
    return f"{issue_tag(issue_id)}/{article_id or f'article-1-of-{issue_id}'}"


@pytest.fixture
def tree(content: ContentTree) -> ContentTree:
    """Five daily issues of one article, tagged localism, two entries a feed document."""
    return archived_feeds(content.root, issues=5)


@pytest.fixture
def withdraw(
    app: Flask, tree: ContentTree, build_store: Callable[[ContentTree], Store]
) -> Withdraw:
    """Build the five issues, then again with issue 2011-01-02 withdrawn (at `when`)."""

    def build(when: dt.datetime = WITHDRAWN_AT) -> FlaskClient:
        build_store(tree)
        tree.issue(GONE_ISSUE, tags=["localism"], withdrawn=REASON, withdrawn_at=when)
        build_store(tree)
        return app.test_client()

    return build


@pytest.fixture
def client(withdraw: Withdraw) -> FlaskClient:
    return withdraw()


def tombstones(body: bytes) -> list[dict[str, Any]]:
    """Each at:deleted-entry of an Atom document: its ref, when and comment."""
    return [
        {
            "ref": deleted.get("ref"),
            "when": deleted.get("when"),
            "comment": deleted.findtext("at:comment", namespaces=TOMBSTONES),
        }
        for deleted in xml(body).findall("at:deleted-entry", TOMBSTONES)
    ]


def tombstone(ref: str) -> dict[str, Any]:
    return {"ref": ref, "when": WITHDRAWN_AT.isoformat(), "comment": REASON}


def test_a_withdrawn_issue_page_is_gone_with_its_reason(client: FlaskClient) -> None:
    response = client.get(f"/issues/{GONE_ISSUE}")
    assert response.status_code == 410
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f"Issue {GONE_ISSUE} was withdrawn on 2011-01-06: {REASON}" in page
    assert "Article 1 of 2011-01-02" not in page
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_withdrawn_issue_is_gone_from_the_api_as_a_problem(client: FlaskClient) -> None:
    for path in (
        f"/api/v1/issues/{GONE_ISSUE}",
        f"/api/v1/issues/{GONE_ISSUE}/articles/{GONE_ARTICLE}",
    ):
        response = client.get(path)
        assert response.status_code == 410
        assert response.content_type == "application/problem+json"
        assert response.json == {
            "type": "about:blank",
            "title": "Gone",
            "status": 410,
            "detail": f"Issue {GONE_ISSUE} was withdrawn on 2011-01-06: {REASON}",
        }


def test_no_text_of_a_withdrawn_issue_is_served(client: FlaskClient) -> None:
    for path in (
        "/",
        "/tags/localism",
        "/subscribe",
        "/api/v1/issues",
        "/api/v1/articles",
        "/api/v1/search?q=article",
        "/search?q=article",
        *(f"/feeds/{name}.{extension}" for name in FEEDS for extension in EXTENSIONS),
        *(f"/feeds/{name}/archive/1.{extension}" for name in FEEDS for extension in EXTENSIONS),
    ):
        shown = client.get(path).get_data(as_text=True)
        assert "Article 1 of 2011-01-02" not in shown, path
        assert f"{BASE}/issues/{GONE_ISSUE}" not in shown, path
    assert client.get("/api/v1/tags").json["items"][0]["articles"] == 4
    assert client.get("/api/v1/issues").json["meta"]["total"] == 4


def test_atom_archive_page_that_held_it_carries_its_tombstone(client: FlaskClient) -> None:
    expected = {
        "issues": [tombstone(issue_tag(GONE_ISSUE))],
        "articles": [tombstone(article_tag(GONE_ISSUE))],
        "tags/localism": [tombstone(article_tag(GONE_ISSUE))],
    }
    for name in FEEDS:
        body = client.get(f"/feeds/{name}/archive/1.atom").data
        assert tombstones(body) == expected[name]
        assert entry_ids(body, "atom") == [
            issue_tag("2011-01-01") if name == "issues" else article_tag("2011-01-01")
        ]
        assert_valid_atom(body)


def test_atom_subscription_document_carries_a_recent_withdrawal(client: FlaskClient) -> None:
    body = client.get("/feeds/issues.atom").data
    assert tombstones(body) == [tombstone(issue_tag(GONE_ISSUE))]
    assert entry_ids(body, "atom") == [issue_tag("2011-01-05"), issue_tag("2011-01-04")]
    assert parse(body).feed.updated == WITHDRAWN_AT.isoformat()
    assert_valid_atom(body)


def test_a_withdrawal_older_than_the_subscription_document_stays_in_the_archive(
    withdraw: Withdraw,
) -> None:
    client = withdraw(dt.datetime(2011, 1, 3, 12, tzinfo=dt.UTC))
    assert tombstones(client.get("/feeds/issues.atom").data) == []
    assert len(tombstones(client.get("/feeds/issues/archive/1.atom").data)) == 1


def test_feedparser_reads_the_feed_without_the_withdrawn_entry(client: FlaskClient) -> None:
    parsed = parse(client.get("/feeds/articles/archive/1.atom").data)
    assert [entry.id for entry in parsed.entries] == [article_tag("2011-01-01")]


@pytest.mark.parametrize("extension", ["rss", "json"])
def test_rss_and_json_feed_leave_the_withdrawn_entry_out(
    client: FlaskClient, extension: str
) -> None:
    for path in ("/feeds/issues", "/feeds/issues/archive/1"):
        body = client.get(f"{path}.{extension}").data
        assert issue_tag(GONE_ISSUE) not in entry_ids(body, extension)
        assert b"deleted-entry" not in body
    assert entry_ids(client.get(f"/feeds/issues/archive/1.{extension}").data, extension) == [
        issue_tag("2011-01-01")
    ]


def test_withdrawing_leaves_every_other_archive_page_as_it_was(
    app: Flask, tree: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(tree)
    client = app.test_client()
    pages = [f"/feeds/{name}/archive/2.{extension}" for name in FEEDS for extension in EXTENSIONS]
    before = {path: client.get(path).data for path in pages}
    tree.issue(GONE_ISSUE, tags=["localism"], withdrawn=REASON, withdrawn_at=WITHDRAWN_AT)
    build_store(tree)
    assert {path: client.get(path).data for path in pages} == before


def test_rss_and_json_documents_stay_valid(client: FlaskClient) -> None:
    for name in FEEDS:
        parse(client.get(f"/feeds/{name}/archive/1.rss").data)
        load_json_feed(client.get(f"/feeds/{name}/archive/1.json").data)


def test_a_withdrawn_article_answers_410_and_leaves_a_notice_in_its_issue(
    app: Flask, tree: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    tree.article(
        "2011-01-03",
        "02-gone.md",
        headline="A mistaken story",
        body="Mistaken text.",
        withdrawn="It named the wrong council.",
        withdrawn_at=WITHDRAWN_AT,
    )
    build_store(tree)
    client = app.test_client()
    response = client.get("/api/v1/issues/2011-01-03/articles/a-mistaken-story")
    assert response.status_code == 410
    assert response.json["detail"] == (
        "Article a-mistaken-story of issue 2011-01-03 was withdrawn on 2011-01-06:"
        " It named the wrong council."
    )
    page = client.get("/issues/2011-01-03").get_data(as_text=True)
    assert (
        '<p id="a-mistaken-story">An article was withdrawn from this issue on'
        ' <time datetime="2011-01-06">6 January 2011</time>: It named the wrong council.</p>'
    ) in page
    assert "Mistaken" not in page
    api_issue = client.get("/api/v1/issues/2011-01-03").get_data(as_text=True)
    assert "a-mistaken-story" not in api_issue
    assert client.get("/api/v1/search?q=mistaken").json["meta"]["total"] == 0
    assert tombstones(client.get("/feeds/articles.atom").data) == [
        {
            "ref": article_tag("2011-01-03", "a-mistaken-story"),
            "when": WITHDRAWN_AT.isoformat(),
            "comment": "It named the wrong council.",
        }
    ]


def test_the_feed_of_a_tag_whose_articles_are_all_withdrawn_says_so(
    app: Flask, tree: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    tree.issue(GONE_ISSUE, tags=["localism", "rare"], withdrawn=REASON, withdrawn_at=WITHDRAWN_AT)
    build_store(tree)
    client = app.test_client()
    assert client.get("/tags/rare").status_code == 404
    body = client.get("/feeds/tags/rare.atom").data
    assert tombstones(body) == [tombstone(article_tag(GONE_ISSUE))]
    assert entry_ids(client.get("/feeds/tags/rare.json").data, "json") == []


def test_identical_stores_give_identical_bytes(
    withdraw: Withdraw, app: Flask, tree: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    client = withdraw()
    paths = [f"/feeds/{name}.{extension}" for name in FEEDS for extension in EXTENSIONS]
    paths += [f"/issues/{GONE_ISSUE}", f"/api/v1/issues/{GONE_ISSUE}"]
    before = {path: client.get(path).data for path in paths}
    build_store(tree)
    assert {path: app.test_client().get(path).data for path in paths} == before


def test_withdrawn_needs_a_time_and_a_reason(
    content: ContentTree, run_cli: Callable[..., Any]
) -> None:
    later = WITHDRAWN_AT.replace(year=2012)
    content.issue("2011-01-12", withdrawn=REASON)
    content.issue("2011-01-26", withdrawn_at=later)
    content.issue("2011-02-09", withdrawn=REASON, withdrawn_at=WITHDRAWN_AT)
    content.issue("2011-02-23", withdrawn=REASON, withdrawn_at=later, draft=True)
    result = run_cli("check", content.root)
    assert result.output.replace(f"{content.root}/", "").splitlines()[:-1] == [
        "issues/2011-01-12/issue.toml:2: withdrawn: Withdrawn without `withdrawn_at`: say when,"
        " as a time with its zone.",
        "issues/2011-01-26/issue.toml:2: withdrawn_at: Not withdrawn: `withdrawn_at` goes with"
        ' `withdrawn = "reason"`.',
        "issues/2011-02-09/issue.toml:3: withdrawn_at: Before the issue was published"
        " (2011-02-09T00:00:00+00:00).",
        "issues/2011-02-23/issue.toml:4: draft: A draft was never published, so it cannot be"
        " withdrawn: remove one of the two.",
    ]


def test_the_json_feed_of_a_withdrawal_is_valid_json(client: FlaskClient) -> None:
    assert json.loads(client.get("/feeds/tags/localism.json").data)["items"]


def test_the_openapi_document_says_an_item_may_be_gone_or_moved(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/issues/{issue_id}", "/api/v1/issues/{issue_id}/articles/{article_id}"):
        responses = paths[path]["get"]["responses"]
        assert responses["410"] == {"$ref": "#/components/responses/GONE"}
        assert responses["301"] == {"$ref": "#/components/responses/MOVED_PERMANENTLY"}
    assert "410" not in paths["/api/v1/issues"]["get"]["responses"]


def test_outside_any_area_a_withdrawal_is_said_in_plain_text(app: Flask) -> None:
    from werkzeug.exceptions import Gone

    from service.http_errors import plain_text

    with app.app_context():
        response = plain_text(Gone(description=f"Issue {GONE_ISSUE} was withdrawn: {REASON}"))
    assert response.status_code == 410
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        f"410 Gone: Issue {GONE_ISSUE} was withdrawn: {REASON}\n"
    )


def test_a_withdrawn_issue_leaves_the_sitemaps_and_its_card_is_gone(client: FlaskClient) -> None:
    issue_url = f"/issues/{GONE_ISSUE}</loc>"
    assert client.get("/sitemap.xml").status_code == 200
    assert issue_url not in client.get("/sitemap.xml").text
    assert f"/issues/{GONE_ISSUE}" not in client.get("/sitemap-news.xml").text
    assert client.get(f"/embed/issues/{GONE_ISSUE}").status_code == 410
    assert client.get("/embed/latest").status_code == 200
