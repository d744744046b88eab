"""The response cache: rendered once per store version; ETag, 304, HEAD and gzip from memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from flask import Flask, Response, request

from service import create_app
from service.cache import ResponseCache
from service.request import current_site
from service.responses import cacheable
from service.store import Store
from tests.factories import ContentTree

LAST_MODIFIED = "Wed, 26 Jan 2011 00:00:00 GMT"


@pytest.fixture
def renders(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> list[str]:
    """A test route rendering the store's issue ids; the list records each real render."""
    content.issue("2011-01-12")
    content.issue("2011-01-26")
    build_store(content)
    rendered: list[str] = []
    app.config["MAX_AGE"] = 60

    @app.get("/probe")
    def probe() -> Response:
        site = current_site()
        rendered.append(request.query_string.decode())
        body = " ".join(issue.id for issue in site.store.issues().items) * 40
        return cacheable(Response(body, mimetype="text/plain"), site.store.last_updated)

    @app.get("/private")
    def private() -> Response:
        rendered.append("private")
        return Response("not kept")

    @app.get("/whatever-the-query")
    def whatever_the_query() -> Response:
        rendered.append(f"ignoring {request.query_string.decode()}")
        response = Response("the same for any query", mimetype="text/plain")
        return cacheable(response, current_site().store.last_updated, ignores_query=True)

    return rendered


def test_repeated_requests_render_once(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    first, second = client.get("/probe"), client.get("/probe")
    assert first.data == second.data
    assert renders == [""]
    client.get("/probe?page=2")
    assert renders == ["", "page=2"]


def test_a_view_ignoring_the_query_renders_once_for_every_query(
    app: Flask, renders: list[str]
) -> None:
    client = app.test_client()
    answers = [
        client.get(f"/whatever-the-query{query}")
        for query in ("?utm_source=a", "", "?utm_source=b", "?x=1&x=2", "?%zz")
    ]
    assert renders == ["ignoring utm_source=a"]
    assert {(answer.data, answer.headers["ETag"]) for answer in answers} == {
        (answers[0].data, answers[0].headers["ETag"])
    }


def test_a_view_reading_the_query_is_not_answered_by_another_querys_copy(
    app: Flask, renders: list[str]
) -> None:
    client = app.test_client()
    client.get("/probe")
    client.get("/probe?utm_source=a")
    assert renders == ["", "utm_source=a"]


def test_cacheable_response_headers(app: Flask, renders: list[str]) -> None:
    response = app.test_client().get("/probe")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == (
        "public, max-age=60, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert response.headers["Last-Modified"] == LAST_MODIFIED
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["ETag"].startswith('"') and response.headers["ETag"].endswith('"')
    assert response.headers["Content-Length"] == str(len(response.data))


def test_if_none_match_returns_304(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    etag = client.get("/probe").headers["ETag"]
    response = client.get("/probe", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == (
        "public, max-age=60, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert response.headers["Vary"] == "Accept-Encoding"
    for kept_by_the_cache in ("Content-Type", "Content-Length", "Last-Modified"):
        assert kept_by_the_cache not in response.headers


def test_other_etag_gets_the_full_response(app: Flask, renders: list[str]) -> None:
    response = app.test_client().get("/probe", headers={"If-None-Match": '"other"'})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "if_none_match",
    ['"other", {etag}', '{etag}, "other"', "W/{etag}", "*", " {etag} "],
    ids=["in a list", "first of a list", "weak", "any", "spaced"],
)
def test_every_form_of_a_matching_if_none_match_returns_304(
    app: Flask, renders: list[str], if_none_match: str
) -> None:
    client = app.test_client()
    etag = client.get("/probe").headers["ETag"]
    response = client.get("/probe", headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304


def test_if_none_match_wins_over_if_modified_since(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    headers = {"If-None-Match": '"other"', "If-Modified-Since": LAST_MODIFIED}
    assert client.get("/probe", headers=headers).status_code == 200


def test_a_matching_if_none_match_wins_over_an_older_if_modified_since(
    app: Flask, renders: list[str]
) -> None:
    client = app.test_client()
    etag = client.get("/probe").headers["ETag"]
    headers = {"If-None-Match": etag, "If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
    assert client.get("/probe", headers=headers).status_code == 304


def test_if_match_naming_another_etag_is_412(app: Flask, renders: list[str]) -> None:
    response = app.test_client().get("/probe", headers={"If-Match": '"nope"'})
    assert response.status_code == 412
    assert "ETag" not in response.headers


@pytest.mark.parametrize(
    "if_match", ["{etag}", "*", '"other", {etag}'], ids=["the etag", "any", "in a list"]
)
def test_if_match_naming_the_etag_or_any_answers_in_full(
    app: Flask, renders: list[str], if_match: str
) -> None:
    client = app.test_client()
    full = client.get("/probe")
    response = client.get(
        "/probe", headers={"If-Match": if_match.format(etag=full.headers["ETag"])}
    )
    assert (response.status_code, response.data) == (200, full.data)


def test_if_match_compares_strongly(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    etag = client.get("/probe").headers["ETag"]
    assert client.get("/probe", headers={"If-Match": f"W/{etag}"}).status_code == 412


def test_if_none_match_is_weighed_after_a_matching_if_match(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    etag = client.get("/probe").headers["ETag"]
    for if_none_match in (etag, f'"other", {etag}', f"W/{etag}"):
        headers = {"If-Match": etag, "If-None-Match": if_none_match}
        assert client.get("/probe", headers=headers).status_code == 304, if_none_match


def test_a_failed_if_match_is_412_whatever_if_none_match_says(
    app: Flask, renders: list[str]
) -> None:
    client = app.test_client()
    etag = client.get("/probe").headers["ETag"]
    response = client.get("/probe", headers={"If-Match": '"nope"', "If-None-Match": etag})
    assert response.status_code == 412


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/feeds/issues.atom", "text/plain"),
        ("/api/v1/issues", "application/problem+json"),
        ("/issues/2011-01-12", "text/html"),
    ],
)
def test_a_412_is_in_its_areas_format_and_never_kept(
    app: Flask, renders: list[str], path: str, media_type: str
) -> None:
    client = app.test_client()
    for _ in range(2):  # rendered, then kept
        response = client.get(path, headers={"If-Match": '"nope"', "Accept": "text/html"})
        assert response.status_code == 412
        assert response.mimetype == media_type
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    head = client.head(path, headers={"If-Match": '"nope"'})
    assert (head.status_code, head.data) == (412, b"")


def test_if_modified_since_returns_304(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    assert client.get("/probe", headers={"If-Modified-Since": LAST_MODIFIED}).status_code == 304
    earlier = "Tue, 25 Jan 2011 23:59:59 GMT"
    assert client.get("/probe", headers={"If-Modified-Since": earlier}).status_code == 200


def test_head_has_the_headers_without_the_body(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    get, head = client.get("/probe"), client.head("/probe")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_gzip_when_asked(app: Flask, renders: list[str]) -> None:
    client = app.test_client()
    plain = client.get("/probe")
    zipped = client.get("/probe", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    revalidated = client.get(
        "/probe", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    refused = client.get("/probe", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_rebuild_changes_the_etag_and_the_bytes(
    app: Flask,
    renders: list[str],
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
) -> None:
    client = app.test_client()
    before = client.get("/probe")
    content.issue("2011-02-09")
    build_store(content)
    after = client.get("/probe", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.data.startswith(b"2011-02-09")
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_rebuild_that_leaves_the_bytes_as_they_were_keeps_the_etag(
    app: Flask,
    renders: list[str],
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
) -> None:
    client = app.test_client()
    before = client.get("/whatever-the-query")
    content.issue("2011-02-09")
    build_store(content)
    after = client.get("/whatever-the-query", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 304
    assert after.headers["ETag"] == before.headers["ETag"]
    assert renders == ["ignoring ", "ignoring "], "rendered again from the new store"


def test_a_rebuild_that_changes_only_a_link_header_changes_the_etag(
    app: Flask,
    renders: list[str],
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
) -> None:
    @app.get("/linked")
    def linked() -> Response:
        newest = current_site().store.issues().items[0].id
        response = Response("the same bytes", mimetype="text/plain")
        response.headers["Link"] = f'<https://briefing.test/issues/{newest}>; rel="latest"'
        return cacheable(response, dt.datetime(2011, 1, 12, tzinfo=dt.UTC))

    client = app.test_client()
    before = client.get("/linked")
    content.issue("2011-02-09")
    build_store(content)
    after = client.get("/linked", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Link"] == '<https://briefing.test/issues/2011-02-09>; rel="latest"'


def test_identical_store_gives_identical_bytes_and_etag(
    app: Flask,
    renders: list[str],
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
) -> None:
    before = app.test_client().get("/probe")
    build_store(content)
    after = app.test_client().get("/probe")
    assert (after.data, after.headers["ETag"]) == (before.data, before.headers["ETag"])


def test_responses_not_marked_cacheable_are_rendered_each_time(
    app: Flask, renders: list[str]
) -> None:
    client = app.test_client()
    client.get("/private")
    response = client.get("/private")
    assert renders == ["private", "private"]
    assert "ETag" not in response.headers
    assert response.data == b"not kept"


def test_cache_is_bounded_in_bytes(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    app = create_app({"STORE": str(store_path), "CACHE_MAX_BYTES": 8 * 1024})
    rendered: list[int] = []

    @app.get("/big/<int:n>")
    def big(n: int) -> Response:
        rendered.append(n)
        return cacheable(Response(b"x" * 900), dt.datetime(2011, 1, 12, tzinfo=dt.UTC))

    client = app.test_client()
    for n in range(20):
        client.get(f"/big/{n}")
    client.get("/big/19")
    client.get("/big/0")
    assert rendered == [*range(20), 0]


def test_gzip_variants_made_after_keeping_stay_within_the_bound(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    max_bytes = 8 * 1024
    app = create_app({"STORE": str(store_path), "CACHE_MAX_BYTES": max_bytes})

    @app.get("/noise/<int:n>")
    def noise(n: int) -> Response:  # random bytes: their gzip variant is as large as they are
        return cacheable(Response(os.urandom(900)), dt.datetime(2011, 1, 12, tzinfo=dt.UTC))

    client = app.test_client()
    for n in range(60):
        assert client.get(f"/noise/{n}", headers={"Accept-Encoding": "gzip"}).status_code == 200
    cache = app.wsgi_app
    while not isinstance(cache, ResponseCache):
        cache = cache.app
    kept = list(cache._entries.values())
    held = sum(len(entry.body) + len(entry.variant(True).body) for entry in kept)
    assert kept and held <= max_bytes


def test_kept_responses_hold_no_more_memory_than_the_cache_charges_them(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    """Measured, not assumed: the objects the cache holds after a flood of every shape (long
    keys and Link headers around tiny bodies, large bodies in both encodings), counted whole."""
    for day in range(1, 29):
        content.issue(f"2011-02-{day:02d}", articles=2)
    build_store(content)
    max_bytes = 1024 * 1024
    app = create_app({"STORE": str(store_path), "CACHE_MAX_BYTES": max_bytes})
    client = app.test_client()
    emoji = "\N{GRINNING FACE}" * 180
    paths = [f"/api/v1/articles?per_page={n}&q=article" for n in range(1, 101)]
    paths += [f"/api/v1/search?q={emoji}+{n}" for n in range(300)]  # the cache ends full of them
    for path in paths:
        for encoding in ("gzip", "identity"):
            assert client.get(path, headers={"Accept-Encoding": encoding}).status_code == 200
    cache = app.wsgi_app
    while not isinstance(cache, ResponseCache):
        cache = cache.app
    assert len(cache._entries) < len(paths), "the flood did not fill the cache"
    held = deep_size(cache._entries)
    assert held <= max_bytes, f"{held} bytes held for a bound of {max_bytes}"


def deep_size(thing: object, seen: set[int] | None = None) -> int:
    """The bytes of an object and of everything it refers to, each object counted once."""
    seen = set() if seen is None else seen
    if id(thing) in seen:
        return 0
    seen.add(id(thing))
    size = sys.getsizeof(thing)
    if isinstance(thing, dict):
        parts: Iterable[object] = [*thing.keys(), *thing.values()]
    elif isinstance(thing, list | tuple):
        parts = thing
    elif dataclasses.is_dataclass(thing):
        parts = [getattr(thing, f.name) for f in dataclasses.fields(thing)]
        size += sys.getsizeof(vars(thing)) if hasattr(thing, "__dict__") else 0
    else:
        parts = []
    return size + sum(deep_size(part, seen) for part in parts)
