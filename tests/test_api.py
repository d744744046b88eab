"""The JSON API's resources: what a partner site gets for each endpoint and parameter."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.store import Store
from tests.factories import REPO, ContentTree

BASE = "https://briefing.test"
ISSUES = ["2011-01-12", "2011-01-26", "2011-02-09"]


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Three issues of two articles each; the middle one tagged and with a numbered title."""
    content.issue(ISSUES[0], articles=2, number=1)
    content.issue(ISSUES[1], articles=0, number=2, tags=["localism"], title="Local matters")
    content.article(
        ISSUES[1],
        "01-grants.md",
        headline="Grants for groups",
        body="Small *grants* help community groups.\n\n## Why",
        tags=["funding"],
        sources=[{"title": "Survey", "url": "https://example.org/s"}],
        authors=[{"name": "Colin Miller", "url": "https://example.org/cm"}],
    )
    content.article(ISSUES[1], "02-halls.md", headline="Village halls", body="Halls close.")
    content.issue(ISSUES[2], articles=2, number=3)
    build_store(content)
    return app.test_client()


def get_json(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.content_type == "application/json; charset=utf-8"
    return response.json


def ids(body: Any) -> list[str]:
    return [item["id"] for item in body["items"]]


def test_issues_are_listed_newest_first_with_meta(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/issues")
    assert ids(body) == ISSUES[::-1]
    assert body["meta"] == {"total": 3, "page": 1, "per_page": 20, "pages": 1}


def test_issue_list_item_names_its_articles(client: FlaskClient) -> None:
    item = get_json(client, "/api/v1/issues?per_page=1&page=2")["items"][0]
    issue = f"{BASE}/issues/2011-01-26"
    assert item == {
        "id": "2011-01-26",
        "number": 2,
        "date": "2011-01-26",
        "updated": "2011-01-26T00:00:00+00:00",
        "title": "Local matters",
        "tags": ["localism"],
        "url": issue,
        "api_url": f"{BASE}/api/v1/issues/2011-01-26",
        "articles": [
            {
                "id": "grants-for-groups",
                "headline": "Grants for groups",
                "url": f"{issue}#grants-for-groups",
                "api_url": f"{BASE}/api/v1/issues/2011-01-26/articles/grants-for-groups",
            },
            {
                "id": "village-halls",
                "headline": "Village halls",
                "url": f"{issue}#village-halls",
                "api_url": f"{BASE}/api/v1/issues/2011-01-26/articles/village-halls",
            },
        ],
    }


def test_order_oldest_reverses_the_list(client: FlaskClient) -> None:
    assert ids(get_json(client, "/api/v1/issues?order=oldest")) == ISSUES


def test_per_page_and_page_choose_the_slice(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/issues?per_page=2&page=2")
    assert ids(body) == [ISSUES[0]]
    assert body["meta"] == {"total": 3, "page": 2, "per_page": 2, "pages": 2}


def test_after_and_before_are_inclusive_dates(client: FlaskClient) -> None:
    assert ids(get_json(client, "/api/v1/issues?after=2011-01-26")) == ISSUES[:0:-1]
    assert ids(get_json(client, "/api/v1/issues?before=2011-01-26")) == ISSUES[1::-1]
    both = "/api/v1/issues?after=2011-01-26&before=2011-01-26"
    assert ids(get_json(client, both)) == [ISSUES[1]]


def test_tag_narrows_issues_and_articles(client: FlaskClient) -> None:
    assert ids(get_json(client, "/api/v1/issues?tag=funding")) == [ISSUES[1]]
    articles = get_json(client, "/api/v1/articles?tag=funding")
    assert ids(articles) == ["grants-for-groups"]
    assert ids(get_json(client, "/api/v1/articles?tag=localism")) == [
        "grants-for-groups",
        "village-halls",
    ]


def test_q_finds_issues_that_contain_a_matching_article(client: FlaskClient) -> None:
    assert ids(get_json(client, "/api/v1/issues?q=community+grants")) == [ISSUES[1]]
    assert ids(get_json(client, "/api/v1/articles?q=halls")) == ["village-halls"]
    assert ids(get_json(client, "/api/v1/issues?q=%22grants+help%22")) == [ISSUES[1]]
    assert ids(get_json(client, "/api/v1/issues?q=%22help+grants%22")) == []


@pytest.mark.parametrize("text", ['"unbalanced', "NEAR(a b)", "a*", "x:y", "(", "AND", "a\x00b"])
def test_q_is_plain_text_never_query_syntax(client: FlaskClient, text: str) -> None:
    for path in ("/api/v1/issues", "/api/v1/articles", "/api/v1/search"):
        assert client.get(path, query_string={"q": text}).status_code == 200


def test_fields_keeps_only_the_named_top_level_fields(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/issues?fields=url,id&per_page=1")
    assert body["items"] == [{"id": ISSUES[2], "url": f"{BASE}/issues/{ISSUES[2]}"}]
    assert body["meta"]["total"] == 3
    articles = get_json(client, "/api/v1/articles?fields=headline&per_page=1")
    assert articles["items"] == [{"headline": f"Article 1 of {ISSUES[2]}"}]


def test_first_page_of_an_empty_result_is_an_empty_list(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/issues?tag=nothing-has-it")
    assert body == {"items": [], "meta": {"total": 0, "page": 1, "per_page": 20, "pages": 1}}


def test_empty_store_lists_nothing(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(content)
    client = app.test_client()
    for path in ("/api/v1/issues", "/api/v1/articles", "/api/v1/tags", "/api/v1/search?q=x"):
        assert get_json(client, path)["items"] == []


def test_issue_embeds_its_articles_whole(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/issues/2011-01-26")
    assert [a["id"] for a in body["articles"]] == ["grants-for-groups", "village-halls"]
    assert body["articles"][0] == get_json(
        client, "/api/v1/issues/2011-01-26/articles/grants-for-groups"
    )


def test_article_representation(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/issues/2011-01-26/articles/grants-for-groups")
    issue = f"{BASE}/issues/2011-01-26"
    assert body == {
        "id": "grants-for-groups",
        "issue_id": "2011-01-26",
        "headline": "Grants for groups",
        "standfirst": "What this article says.",
        "tags": ["funding", "localism"],
        "url": f"{issue}#grants-for-groups",
        "api_url": f"{BASE}/api/v1/issues/2011-01-26/articles/grants-for-groups",
        "issue_url": issue,
        "issue_api_url": f"{BASE}/api/v1/issues/2011-01-26",
        "body_html": "<p>Small <em>grants</em> help community groups.</p>\n<h2>Why</h2>\n",
        "body_text": "Small grants help community groups.\n\nWhy",
        "headings": ["Why"],
        "sources": [{"title": "Survey", "url": "https://example.org/s"}],
        "authors": [{"name": "Colin Miller", "email": None, "url": "https://example.org/cm"}],
        "corrections": [],
    }


def test_articles_run_newest_issue_first_in_reading_order(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/articles?per_page=3")
    assert [(a["issue_id"], a["id"]) for a in body["items"]] == [
        (ISSUES[2], f"article-1-of-{ISSUES[2]}"),
        (ISSUES[2], f"article-2-of-{ISSUES[2]}"),
        (ISSUES[1], "grants-for-groups"),
    ]
    assert set(body["items"][0]) == {
        "id",
        "issue_id",
        "headline",
        "standfirst",
        "tags",
        "url",
        "api_url",
        "issue_url",
        "issue_api_url",
    }
    oldest = get_json(client, "/api/v1/articles?order=oldest&per_page=1")
    assert ids(oldest) == [f"article-1-of-{ISSUES[0]}"]


def test_tags_are_counted_by_article(client: FlaskClient) -> None:
    assert get_json(client, "/api/v1/tags")["items"] == [
        {
            "tag": "funding",
            "articles": 1,
            "url": f"{BASE}/tags/funding",
            "api_url": f"{BASE}/api/v1/articles?tag=funding",
        },
        {
            "tag": "localism",
            "articles": 2,
            "url": f"{BASE}/tags/localism",
            "api_url": f"{BASE}/api/v1/articles?tag=localism",
        },
    ]
    assert get_json(client, "/api/v1/tags?per_page=1&page=2")["items"][0]["tag"] == "localism"


def test_search_ranks_articles_and_marks_the_matches(client: FlaskClient) -> None:
    body = get_json(client, "/api/v1/search?q=grants")
    issue = f"{BASE}/issues/2011-01-26"
    assert body == {
        "items": [
            {
                "issue_id": "2011-01-26",
                "article_id": "grants-for-groups",
                "headline": "Grants for groups",
                "snippet_html": "<mark>Grants</mark> for groups",
                "url": f"{issue}#grants-for-groups",
                "api_url": f"{BASE}/api/v1/issues/2011-01-26/articles/grants-for-groups",
                "issue_url": issue,
                "issue_api_url": f"{BASE}/api/v1/issues/2011-01-26",
            }
        ],
        "meta": {"total": 1, "page": 1, "per_page": 20, "pages": 1},
    }


def test_search_needs_every_word_and_keeps_phrases(client: FlaskClient) -> None:
    assert get_json(client, "/api/v1/search?q=grants+halls")["items"] == []
    assert len(get_json(client, "/api/v1/search?q=article+of")["items"]) == 4
    assert get_json(client, "/api/v1/search?q=%22of+article%22")["items"] == []
    assert get_json(client, "/api/v1/search?q=")["meta"]["total"] == 0


def test_urls_come_from_the_base_url_never_the_host(client: FlaskClient) -> None:
    response = client.get("/api/v1/issues", headers={"Host": "evil.example"})
    assert "evil.example" not in response.get_data(as_text=True)
    assert "evil.example" not in response.headers["Link"]


def test_base_url_setting_replaces_the_publications(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.issue(ISSUES[0])
    build_store(content)
    app = create_app({"STORE": str(store_path), "BASE_URL": "http://127.0.0.1:9/x/"})
    body = get_json(app.test_client(), "/api/v1/issues")
    assert body["items"][0]["api_url"] == "http://127.0.0.1:9/x/api/v1/issues/2011-01-12"


def test_seed_issue_comes_back_with_its_text_intact(
    app: Flask, run_cli: Callable[..., Any], store_path: Path
) -> None:
    assert run_cli("build", REPO / "content", "--store", store_path).exit_code == 0
    client = app.test_client()
    listed = get_json(client, "/api/v1/issues")["items"]
    assert [issue["id"] for issue in listed] == ["2011-01-12"]
    issue = get_json(client, listed[0]["api_url"].removeprefix("https://briefing.example.org"))
    article = issue["articles"][0]
    assert issue["title"] == article["headline"] == "Contradiction at the heart of Big Society"
    assert article["standfirst"].startswith("One of the central themes of the Big Society")
    body = html.unescape(article["body_html"])
    assert "–\xa0 Complementarity or erosion?" in body
    assert "‘Big Society and Public Services’" in body
    assert "‘Big Society and Public Services’" in article["body_text"]
    assert "–\xa0 Complementarity" in article["body_text"]
    raw = client.get("/api/v1/issues/2011-01-12").data
    assert "‘Big Society".encode() in raw  # sent as UTF-8, not \\u escapes
