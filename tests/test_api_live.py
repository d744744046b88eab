"""The API end to end under `briefing serve` (gunicorn), and schemathesis against its document."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.schemas import BaseSchema

from service import create_app
from tests.factories import REPO, ContentTree
from tests.servers import Server, get_json, one_server

EXAMPLES = 50  # per operation and mode: enough to find a bad answer, quick enough for make test


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content (the real first issue) and two more issues, built into a store."""
    root = tmp_path_factory.mktemp("live")
    tree = ContentTree(root / "content")
    shutil.copytree(REPO / "content", tree.root)
    tree.issue("2011-01-26", articles=2, number=2, tags=["localism"])
    tree.issue("2011-02-09", articles=3, number=3, tags=["localism", "funding"])
    path = tree.build(root / "var" / "briefing.sqlite3")
    return path


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[Server]:
    with one_server(store) as server:
        yield server


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET url: status, headers and body, error statuses included."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=5
        ) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_the_real_first_issue_is_served(server: Server) -> None:
    status, body = get_json(f"{server.url}/api/v1/issues?order=oldest&per_page=1")
    assert status == 200
    first = body["items"][0]
    assert (first["id"], first["title"]) == (
        "2011-01-12",
        "Contradiction at the heart of Big Society",
    )
    assert body["meta"] == {"total": 3, "page": 1, "per_page": 1, "pages": 3}


def test_longest_valid_request_fits_in_gunicorns_request_line(server: Server) -> None:
    """Every string at its maxLength, q in four-byte characters: still reaches the app."""
    query = {
        "q": "\U0001f600" * 200,
        "tag": "a" * 80,
        "fields": "id," * 66 + "id",
        "after": "2011-01-01",
        "before": "2011-12-31",
        "order": "oldest",
        "page": 1,
        "per_page": 100,
    }
    status, headers, _ = get(f"{server.url}/api/v1/articles?{urlencode(query)}")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    status, headers, _ = get(f"{server.url}/api/v1/search?{urlencode({'q': 'é' * 201})}")
    assert (status, headers["Content-Type"]) == (400, "application/problem+json")


def test_conditional_get_and_cors_through_gunicorn(server: Server) -> None:
    status, headers, _ = get(f"{server.url}/api/v1/issues", Origin="https://partner.example")
    assert (status, headers["Access-Control-Allow-Origin"]) == (200, "*")
    status, _, body = get(f"{server.url}/api/v1/issues", **{"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")


PATHS = [
    "/api/v1/issues",
    "/api/v1/issues/{issue_id}",
    "/api/v1/issues/{issue_id}/articles/{article_id}",
    "/api/v1/articles",
    "/api/v1/tags",
    "/api/v1/search",
]


def fuzz(schema: BaseSchema, path: str, mode: GenerationMode) -> None:
    """Send EXAMPLES generated requests to GET path; every answer the app gives must be as
    documented, and those gunicorn gives itself (a request line over its limit) plain text."""

    @given(case=schema[path]["GET"].as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    def answered_as_documented(case: Case) -> None:
        response = case.call()
        if "x-request-id" in response.headers:  # the app's answer: it sets one on every answer
            case.validate_response(response)
        else:
            assert response.status_code in (400, 414, 431)
            assert response.headers["content-type"] == ["text/plain; charset=utf-8"]
            assert response.headers["x-content-type-options"] == ["nosniff"]

    answered_as_documented()


@pytest.fixture(scope="module")
def live_schema(server: Server) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{server.url}/api/openapi.json")


@pytest.fixture(scope="module")
def app_schema(store: Path) -> BaseSchema:
    app = create_app({"STORE": str(store)})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize("path", PATHS)
def test_valid_requests_through_gunicorn_are_answered_as_documented(
    live_schema: BaseSchema, path: str
) -> None:
    fuzz(live_schema, path, GenerationMode.POSITIVE)


@pytest.mark.parametrize("path", PATHS)
def test_invalid_requests_through_gunicorn_are_refused_as_documented(
    live_schema: BaseSchema, path: str
) -> None:
    fuzz(live_schema, path, GenerationMode.NEGATIVE)


@pytest.mark.parametrize("path", PATHS)
def test_invalid_requests_are_refused_as_documented(app_schema: BaseSchema, path: str) -> None:
    """Sent to the app itself, the longest too: gunicorn refuses those (414) before any app."""
    fuzz(app_schema, path, GenerationMode.NEGATIVE)
