"""Feeds and caches: identical store, identical bytes; 304 for pollers; a rebuild shows at once."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.feeds import catalogue
from service.store import Store
from tests.factories import ContentTree
from tests.feedtools import EXTENSIONS, entry_ids, paths, three_issues

EVERY_FEED = [*paths("issues"), *paths("articles"), *paths("tags/housing")]
NEW_ISSUE = "tag:briefing.test,2011-02-23:issue/2011-02-23"


@pytest.fixture
def client(app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]) -> Any:
    three_issues(content)
    build_store(content)
    return app.test_client()


@pytest.mark.parametrize("path", EVERY_FEED)
def test_if_none_match_returns_304(client: FlaskClient, path: str) -> None:
    etag = client.get(path).headers["ETag"]
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""


@pytest.mark.parametrize("path", EVERY_FEED)
def test_if_modified_since_returns_304(client: FlaskClient, path: str) -> None:
    last_modified = client.get(path).headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304


def test_last_modified_is_the_newest_update_in_the_document(client: FlaskClient) -> None:
    assert client.get("/feeds/issues.atom").headers["Last-Modified"] == (
        "Wed, 09 Feb 2011 00:00:00 GMT"
    )
    assert client.get("/feeds/tags/funding.rss").headers["Last-Modified"] == (
        "Wed, 26 Jan 2011 08:30:00 GMT"
    )


def test_head_and_gzip(client: FlaskClient) -> None:
    plain = client.get("/feeds/articles.atom")
    head = client.head("/feeds/articles.atom")
    assert (head.status_code, head.data) == (200, b"")
    assert head.headers["ETag"] == plain.headers["ETag"]
    zipped = client.get("/feeds/articles.atom", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.data) == plain.data


def test_each_document_is_rendered_once_per_store_version(
    client: FlaskClient,
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[str] = []
    real_render = catalogue.render

    def counting(*args: Any) -> catalogue.RenderedFeed:
        rendered.append(args[1])
        return real_render(*args)

    monkeypatch.setattr(catalogue, "render", counting)
    for _ in range(3):
        client.get("/feeds/issues.atom")
        client.get("/feeds/issues.atom", headers={"Accept-Encoding": "gzip"})
    assert rendered == ["issues"]
    content.issue("2011-02-23")
    build_store(content)
    client.get("/feeds/issues.atom")
    assert rendered == ["issues", "issues"]


def test_identical_rebuild_gives_identical_bytes_and_etags(
    client: FlaskClient, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    before = {path: client.get(path) for path in EVERY_FEED}
    build_store(content)
    for path, earlier in before.items():
        later = client.get(path, headers={"If-None-Match": earlier.headers["ETag"]})
        assert later.status_code == 304, path
        assert client.get(path).data == earlier.data


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_rebuild_adding_an_issue_adds_exactly_that_entry(
    client: FlaskClient,
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    extension: str,
) -> None:
    path = f"/feeds/issues.{extension}"
    before = client.get(path)
    content.issue("2011-02-23")
    build_store(content)
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert entry_ids(after.data, extension) == [
        NEW_ISSUE,
        *entry_ids(before.data, extension),
    ]


def test_rebuild_adding_an_issue_keeps_every_article_id(
    client: FlaskClient, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    before = {ext: entry_ids(client.get(f"/feeds/articles.{ext}").data, ext) for ext in EXTENSIONS}
    content.issue("2011-02-23", articles=2)
    build_store(content)
    for extension, ids in before.items():
        after = entry_ids(client.get(f"/feeds/articles.{extension}").data, extension)
        new = [f"{NEW_ISSUE}/article-{n}-of-2011-02-23" for n in (1, 2)]
        assert after == [*new, *ids]
