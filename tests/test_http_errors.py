"""Errors outside any area's own renderer: short plain text, never a traceback; and every
error, in every area, says how long a cache may keep it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.store import Store
from tests.factories import ContentTree

BROWSER = {"Accept": "text/html,*/*;q=0.8"}
NOT_FOUND = {
    "no area": "/no/such/thing",
    "feeds": "/feeds/nothing.atom",
    "feed of no tag": "/feeds/tags/nothing.atom",
    "api route": "/api/v2/issues",
    "api issue": "/api/v1/issues/2099-01-01",
    "api article": "/api/v1/issues/2011-01-12/articles/nope",
    "page": "/issues/2099-01-01",
    "page past the last": "/?page=99",
}
REQUESTS_AT_FAULT = {
    "api parameter": ("GET", "/api/v1/issues?per_page=0", 400),
    "page parameter": ("GET", "/search?q=a&q=b", 400),
    "feed method": ("POST", "/feeds/issues.atom", 405),
    "api method": ("DELETE", "/api/v1/issues", 405),
    "page method": ("PUT", "/", 405),
    "ops method": ("POST", "/healthz", 405),
}


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    content.issue("2011-01-12")
    build_store(content)
    return app.test_client()


def test_unknown_path_is_a_plain_404(app: Flask) -> None:
    response = app.test_client().get("/no/such/thing")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert response.data == b"404 Not Found\n"


def test_wrong_method_is_a_405_naming_the_allowed_ones(app: Flask) -> None:
    response = app.test_client().post("/healthz")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_unexpected_exception_is_a_500_without_traceback(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.data == b"500 Internal Server Error\n"
    assert "secret detail" in caplog.text


@pytest.mark.parametrize("path", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_a_404_may_be_kept_a_minute_in_every_area(client: FlaskClient, path: str) -> None:
    for headers in (BROWSER, {}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.headers["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("sent", REQUESTS_AT_FAULT.values(), ids=REQUESTS_AT_FAULT.keys())
def test_an_error_caused_by_the_request_is_never_kept(
    client: FlaskClient, sent: tuple[str, str, int]
) -> None:
    method, path, status = sent
    response = client.open(path, method=method, headers=BROWSER)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/issues", "/", "/feeds/issues.atom", "/readyz"])
def test_a_503_is_never_kept(app: Flask, path: str) -> None:
    response = app.test_client().get(path, headers=BROWSER)
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/boom", "/api/v1/boom", "/issues/boom"])
def test_a_500_is_never_kept(client: FlaskClient, app: Flask, path: str) -> None:
    @app.get(path)
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = client.get(path, headers=BROWSER)
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"
