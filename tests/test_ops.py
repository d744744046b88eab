"""/healthz and /readyz, through the Flask test client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from service import create_app
from service.store import Store
from tests.factories import ContentTree


def test_healthz_answers_while_the_process_lives(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_the_content_version_and_issue_count(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12")
    content.issue("2011-01-26")
    store = build_store(content)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "content_version": store.content_version,
        "built_at": store.built_at.isoformat(),
        "issues": 2,
    }


def test_readyz_is_503_with_the_reason_while_no_store_is_open(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "reason": "no store file here: run `briefing build` first",
    }


def test_readyz_names_no_server_path(app: Flask, store_path: Path) -> None:
    store_path.parent.write_text("a file where the store's folder belongs")
    response = app.test_client().get("/readyz")
    assert response.json == {
        "status": "unavailable",
        "reason": "the store cannot be read (Not a directory)",
    }
    assert str(store_path.parent).encode() not in response.data


def test_store_path_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    store_path: Path,
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    monkeypatch.setenv("BRIEFING_STORE", str(store_path))
    response = create_app().test_client().get("/readyz")
    assert response.json is not None and response.json["issues"] == 1
