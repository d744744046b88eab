"""The API over HTTP: Link headers across pages, conditional GET, HEAD, gzip and CORS."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.store import Store
from tests.factories import ContentTree

API = "https://briefing.test/api/v1"
NEWEST_UPDATE = "Tue, 01 Mar 2011 09:30:00 GMT"


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Five issues, tagged; the first was corrected last, on 1 March."""
    content.issue("2011-01-12", updated="2011-03-01T09:30:00Z", tags=["localism"])
    for issue_id in ("2011-01-26", "2011-02-09", "2011-02-16", "2011-02-23"):
        content.issue(issue_id, tags=["localism"])
    build_store(content)
    return app.test_client()


def links(client: FlaskClient, url: str) -> dict[str, str]:
    """The Link header of url, as {rel: target}."""
    header = client.get(url).headers["Link"]
    parsed = {}
    for link in header.split(", "):
        target, rel = link.split("; ")
        parsed[rel.removeprefix('rel="').removesuffix('"')] = target.strip("<>")
    return parsed


def test_middle_page_links_first_prev_next_last(client: FlaskClient) -> None:
    assert links(client, "/api/v1/issues?per_page=2&page=2") == {
        "first": f"{API}/issues?per_page=2&page=1",
        "prev": f"{API}/issues?per_page=2&page=1",
        "next": f"{API}/issues?per_page=2&page=3",
        "last": f"{API}/issues?per_page=2&page=3",
    }


def test_first_page_has_no_prev_and_last_page_no_next(client: FlaskClient) -> None:
    assert links(client, "/api/v1/issues?per_page=2") == {
        "first": f"{API}/issues?per_page=2&page=1",
        "next": f"{API}/issues?per_page=2&page=2",
        "last": f"{API}/issues?per_page=2&page=3",
    }
    assert set(links(client, "/api/v1/issues?per_page=2&page=3")) == {"first", "prev", "last"}


def test_links_keep_the_other_parameters_in_order(client: FlaskClient) -> None:
    url = "/api/v1/articles?tag=localism&page=2&order=oldest&per_page=1&q=article"
    query = "tag=localism&page={}&order=oldest&per_page=1&q=article"
    assert links(client, url) == {
        "first": f"{API}/articles?{query.format(1)}",
        "prev": f"{API}/articles?{query.format(1)}",
        "next": f"{API}/articles?{query.format(3)}",
        "last": f"{API}/articles?{query.format(5)}",
    }


def test_following_next_walks_every_item_once(client: FlaskClient) -> None:
    seen, url = [], "/api/v1/issues?per_page=2"
    while url:
        response = client.get(url)
        seen += [item["id"] for item in response.json["items"]]
        url = links(client, url).get("next", "").removeprefix("https://briefing.test")
    assert seen == ["2011-02-23", "2011-02-16", "2011-02-09", "2011-01-26", "2011-01-12"]


def test_every_list_sends_links(client: FlaskClient) -> None:
    for path in ("/issues", "/articles", "/tags", "/search?q=article"):
        assert "first" in links(client, f"/api/v1{path}")


def test_answers_carry_validators_and_cache_control(client: FlaskClient) -> None:
    response = client.get("/api/v1/issues")
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"] == NEWEST_UPDATE
    assert response.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert response.headers["Vary"] == "Accept-Encoding"


def test_an_issue_was_last_modified_when_it_was_updated(client: FlaskClient) -> None:
    issue = client.get("/api/v1/issues/2011-01-26")
    assert issue.headers["Last-Modified"] == "Wed, 26 Jan 2011 00:00:00 GMT"
    article = client.get("/api/v1/issues/2011-01-12/articles/article-1-of-2011-01-12")
    assert article.headers["Last-Modified"] == NEWEST_UPDATE


def test_max_age_is_configurable(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: str
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    app = create_app({"STORE": str(store_path), "MAX_AGE": 60})
    response = app.test_client().get("/api/v1/tags")
    assert response.headers["Cache-Control"] == (
        "public, max-age=60, stale-while-revalidate=60, stale-if-error=604800"
    )


@pytest.mark.parametrize(
    "path", ["/issues", "/issues/2011-01-12", "/articles?per_page=1", "/tags", "/search?q=x"]
)
def test_if_none_match_returns_304(client: FlaskClient, path: str) -> None:
    etag = client.get(f"/api/v1{path}").headers["ETag"]
    response = client.get(f"/api/v1{path}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_if_modified_since_returns_304(client: FlaskClient) -> None:
    unchanged = client.get("/api/v1/issues", headers={"If-Modified-Since": NEWEST_UPDATE})
    assert unchanged.status_code == 304
    earlier = "Tue, 01 Mar 2011 09:29:59 GMT"
    assert client.get("/api/v1/issues", headers={"If-Modified-Since": earlier}).status_code == 200


def test_head_answers_the_headers_of_get_without_a_body(client: FlaskClient) -> None:
    get, head = client.get("/api/v1/issues"), client.head("/api/v1/issues")
    assert head.status_code == 200
    assert head.data == b""
    for name in ("ETag", "Content-Length", "Link", "Content-Type", "Last-Modified"):
        assert head.headers[name] == get.headers[name]


def test_gzip_when_asked(client: FlaskClient) -> None:
    plain = client.get("/api/v1/issues")
    zipped = client.get("/api/v1/issues", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["Link"] == plain.headers["Link"]


def test_any_origin_may_read_answers(client: FlaskClient) -> None:
    for method in ("GET", "HEAD"):
        response = client.open("/api/v1/issues", method=method, headers={"Origin": "https://x.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        exposed = response.headers["Access-Control-Expose-Headers"].split(", ")
        assert set(exposed) >= {"ETag", "Link", "Last-Modified"}


def test_preflight_is_answered(client: FlaskClient) -> None:
    response = client.options(
        "/api/v1/issues/2011-01-12",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    allowed = response.headers["Access-Control-Allow-Headers"].lower().split(", ")
    assert {"if-none-match", "if-modified-since", "accept"} <= set(allowed)
    assert response.headers["Access-Control-Max-Age"] == "86400"


def test_preflight_of_an_unknown_path_is_a_404_problem(client: FlaskClient) -> None:
    response = client.options("/api/v1/nothing", headers={"Origin": "https://x.org"})
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_stays_on_the_api(client: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in client.get("/healthz").headers
