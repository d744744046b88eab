"""WebSub discovery: with a hub, every topic answers `Link` headers naming the hub and itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from requests.utils import parse_header_links
from werkzeug.test import TestResponse

from service import create_app
from service.store import Store
from tests.factories import ContentTree
from tests.feedtools import BASE, EXTENSIONS, Hub, serve_hub

SUBSCRIPTION_FEEDS = [
    f"/feeds/{name}.{extension}"
    for name in ("issues", "articles", "tags/localism")
    for extension in EXTENSIONS
]
API_LISTS = ["/api/v1/issues", "/api/v1/articles"]


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as running:
        yield running


def daily_issues(content: ContentTree, count: int, **publication: object) -> None:
    """Daily issues from 2011-01-01 tagged localism, two entries a feed: archive pages, and
    API lists of two pages once there are more than twenty."""
    content.publication(feed_size=2, **publication)
    for day in range(1, count + 1):
        content.issue(f"2011-01-{day:02d}", tags=["localism"])


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store], hub: Hub
) -> FlaskClient:
    daily_issues(content, 21, hub=hub.url)
    build_store(content)
    return app.test_client()


def links(response: TestResponse) -> dict[str, list[str]]:
    """The targets of every link in the answer's Link headers, by rel, read as requests (which
    WebSub subscribers use) reads them."""
    found: dict[str, list[str]] = {}
    for header in response.headers.getlist("Link"):
        for parsed in parse_header_links(header):
            found.setdefault(parsed["rel"], []).append(parsed["url"])
    return found


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", SUBSCRIPTION_FEEDS)
def test_every_subscription_feed_names_the_hub_and_itself(
    client: FlaskClient, hub: Hub, path: str, method: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 200
    assert links(response) == {"hub": [hub.url], "self": [f"{BASE}{path}"]}


def test_a_feed_asked_for_with_a_query_names_its_own_address(client: FlaskClient) -> None:
    response = client.get("/feeds/issues.atom?utm_source=reader")
    assert links(response)["self"] == [f"{BASE}/feeds/issues.atom"]


def test_the_answer_from_memory_names_them_too(client: FlaskClient, hub: Hub) -> None:
    client.get("/feeds/articles.rss")
    zipped = client.get("/feeds/articles.rss", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert links(zipped) == {"hub": [hub.url], "self": [f"{BASE}/feeds/articles.rss"]}


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_archive_pages_are_not_topics(client: FlaskClient, extension: str) -> None:
    response = client.get(f"/feeds/tags/localism/archive/1.{extension}")
    assert response.status_code == 200
    assert "Link" not in response.headers


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", API_LISTS)
def test_api_lists_name_the_hub_and_themselves_beside_their_pages(
    client: FlaskClient, hub: Hub, path: str, method: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 200
    assert links(response) == {
        "first": [f"{BASE}{path}?page=1"],
        "next": [f"{BASE}{path}?page=2"],
        "last": [f"{BASE}{path}?page=2"],
        "hub": [hub.url],
        "self": [f"{BASE}{path}"],
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/issues?page=1",
        "/api/v1/issues?page=2",
        "/api/v1/issues?per_page=5",
        "/api/v1/articles?tag=localism",
        "/api/v1/articles?order=oldest",
    ],
)
def test_a_list_asked_for_with_a_query_is_not_a_topic(client: FlaskClient, path: str) -> None:
    found = links(client.get(path))
    assert "first" in found and "last" in found
    assert "hub" not in found and "self" not in found


@pytest.mark.parametrize(
    "path", ["/api/v1/tags", "/api/v1/issues/2011-01-01", "/api/v1/search?q=article"]
)
def test_other_api_answers_are_not_topics(client: FlaskClient, path: str) -> None:
    found = links(client.get(path))
    assert "hub" not in found and "self" not in found


def test_self_is_built_from_the_base_url_never_from_the_request(client: FlaskClient) -> None:
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for path in ["/feeds/issues.json", "/api/v1/articles"]:
        assert links(client.get(path, headers=forged))["self"] == [f"{BASE}{path}"]


def test_self_follows_the_base_url_the_service_is_given(
    client: FlaskClient, store_path: str
) -> None:
    app = create_app({"STORE": str(store_path), "BASE_URL": "http://127.0.0.1:8000"})
    for path in ["/feeds/tags/localism.atom", "/api/v1/issues"]:
        assert links(app.test_client().get(path))["self"] == [f"http://127.0.0.1:8000{path}"]


def test_without_a_hub_no_topic_names_a_hub_or_itself(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    daily_issues(content, 21)
    build_store(content)
    client = app.test_client()
    for path in SUBSCRIPTION_FEEDS:
        assert "Link" not in client.get(path).headers
    for path in API_LISTS:
        assert set(links(client.get(path))) == {"first", "next", "last"}
