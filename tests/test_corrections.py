"""Corrections: dated under the article, in its API item, and the `updated` of its feed
entries (the article's and its issue's), while `published` stays as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

from service.store import Store
from tests.factories import ContentTree
from tests.feedtools import entry_ids, load_json_feed, parse

FIRST = dt.datetime(2011, 1, 14, 9, tzinfo=dt.UTC)
LATEST = dt.datetime(2011, 1, 20, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
CORRECTIONS = [
    {"date": LATEST, "text": "The grant is £5,000, not £50,000."},
    {"date": FIRST, "text": "The council is Leeds, not York."},
]
PUBLISHED = "2011-01-12T00:00:00+00:00"
CORRECTED = "grants-for-groups"


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """An issue of two articles, the first corrected twice (written latest first)."""
    content.issue("2011-01-12", articles=0)
    content.article(
        "2011-01-12", "01-grants.md", headline="Grants for groups", corrections=CORRECTIONS
    )
    content.article("2011-01-12", "02-halls.md", headline="Village halls")
    build_store(content)
    return app.test_client()


def entries(client: FlaskClient, name: str) -> dict[str, Any]:
    """feedparser's entries of an Atom feed, by id."""
    parsed = parse(client.get(f"/feeds/{name}.atom").data)
    return {entry.id: entry for entry in parsed.entries}


def test_the_page_shows_corrections_under_the_article_dated_oldest_first(
    client: FlaskClient,
) -> None:
    page = client.get("/issues/2011-01-12").get_data(as_text=True)
    corrections = page[page.index('<section class="corrections"') :]
    assert corrections.index("Leeds") < corrections.index("£5,000")
    assert '<time datetime="2011-01-14">14 January 2011</time>: The council is Leeds' in page
    assert '<time datetime="2011-01-20">20 January 2011</time>: The grant is £5,000' in page
    assert page.count('class="corrections"') == 1


def test_the_article_entry_is_updated_at_its_latest_correction(client: FlaskClient) -> None:
    found = entries(client, "articles")
    corrected = found[f"tag:briefing.test,2011-01-12:issue/2011-01-12/{CORRECTED}"]
    assert corrected.updated == LATEST.isoformat()
    assert corrected.published == PUBLISHED
    other = found["tag:briefing.test,2011-01-12:issue/2011-01-12/village-halls"]
    assert other.updated == PUBLISHED


def test_the_issue_entry_is_updated_at_its_latest_correction(client: FlaskClient) -> None:
    issue = entries(client, "issues")["tag:briefing.test,2011-01-12:issue/2011-01-12"]
    assert issue.updated == LATEST.isoformat()
    assert issue.published == PUBLISHED
    assert "The grant is £5,000, not £50,000." in issue.content[0].value


def test_rss_and_json_feed_carry_the_update_too(client: FlaskClient) -> None:
    document = load_json_feed(client.get("/feeds/articles.json").data)
    corrected = document["items"][0]
    assert corrected["date_modified"] == LATEST.isoformat()
    assert corrected["date_published"] == PUBLISHED
    rss = parse(client.get("/feeds/articles.rss").data)
    assert entry_ids(client.get("/feeds/articles.rss").data, "rss")[0].endswith(CORRECTED)
    assert "Leeds, not York" in rss.entries[0].content[0].value


def test_the_api_item_lists_corrections(client: FlaskClient) -> None:
    body = client.get(f"/api/v1/issues/2011-01-12/articles/{CORRECTED}").json
    assert body["corrections"] == [
        {"date": FIRST.isoformat(), "text": "The council is Leeds, not York."},
        {"date": LATEST.isoformat(), "text": "The grant is £5,000, not £50,000."},
    ]
    assert client.get("/api/v1/issues/2011-01-12").json["updated"] == LATEST.isoformat()


def test_the_openapi_document_describes_corrections(client: FlaskClient) -> None:
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    corrections = schemas["ArticleDetail"]["properties"]["corrections"]
    assert corrections["type"] == "array"
    correction = schemas["Correction"]["properties"]
    assert correction["date"]["format"] == "date-time"
    assert correction["text"]["type"] == "string"


def test_a_correction_needs_an_aware_date_after_publication(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: H\nstandfirst: S\ncorrections:\n"
        "- date: 2011-01-20T09:00:00\n  text: Naive.\n"
        "- date: 2011-01-10T09:00:00Z\n  text: Too early.\n"
        "- date: 2011-01-20T09:00:00Z\n  text: ''\n---\nBody\n",
    )
    result = run_cli("check", content.root)
    assert result.output.replace(f"{content.root}/", "").splitlines()[:-1] == [
        "issues/2011-01-12/01-a.md:5: corrections[0].date: Not a valid aware datetime.",
        "issues/2011-01-12/01-a.md:10: corrections[2].text: Must not be empty.",
    ]
    content.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: H\nstandfirst: S\ncorrections:\n"
        "- date: 2011-01-10T09:00:00Z\n  text: Too early.\n---\nBody\n",
    )
    result = run_cli("check", content.root)
    assert result.output.replace(f"{content.root}/", "").splitlines()[0] == (
        "issues/2011-01-12/01-a.md:5: corrections[0].date: Before the issue was published"
        " (2011-01-12T00:00:00+00:00)."
    )
