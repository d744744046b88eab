"""Errors outside any area's own renderer: short plain text, never a traceback."""

from __future__ import annotations

import pytest
from flask import Flask


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
