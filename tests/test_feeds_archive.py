"""RFC 5005 archived feeds: subscription documents of N entries, archive pages that stay put."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.store import Store
from tests.factories import ContentTree
from tests.feedtools import (
    BASE,
    EXTENSIONS,
    assert_valid_atom,
    entry_ids,
    feed_links,
    load_json_feed,
    marker,
    parse,
    serve_hub,
)

N = 3  # the publication's feed_size in these tests
FIRST = dt.date(2011, 1, 12)
Publish = Callable[[int], FlaskClient]


def issue_id(number: int) -> str:
    """The id of the number-th issue, counted from 1, the oldest: a fortnight apart."""
    return (FIRST + dt.timedelta(days=14 * (number - 1))).isoformat()


def tag_uri(number: int) -> str:
    return f"tag:briefing.test,{issue_id(number)}:issue/{issue_id(number)}"


def newest_first(first: int, last: int) -> list[str]:
    """Entry ids of issues first ... last (counted from the oldest), newest first."""
    return [tag_uri(number) for number in range(last, first - 1, -1)]


@pytest.fixture
def publish(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> Publish:
    """Build a store of `total` one-article issues (adding to what is there); a client on it."""
    content.publication(feed_size=N)

    def build(total: int) -> FlaskClient:
        for number in range(1, total + 1):
            content.issue(issue_id(number), tags=["policy"])
        build_store(content)
        return app.test_client()

    return build


def url(path: str) -> str:
    return f"{BASE}{path}"


def links_in_text(body: bytes, element: str = "link") -> dict[str, str]:
    """rel -> href of the <link> elements as a reader blind to namespaces finds them: a regex
    over the text, for the element name exactly as written."""
    tags = re.findall(rf"<{re.escape(element)}\s[^>]*>", body.decode())
    attributes = [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in tags]
    return {found["rel"]: found["href"] for found in attributes if "rel" in found}


def test_a_feed_that_fits_is_complete(publish: Publish) -> None:
    client = publish(N)
    for extension in ("atom", "rss"):
        body = client.get(f"/feeds/issues.{extension}").data
        assert marker(body) == "complete"
        assert "prev-archive" not in feed_links(body)
        assert entry_ids(body, extension) == newest_first(1, N)
    assert "next_url" not in load_json_feed(client.get("/feeds/issues.json").data)


def test_one_entry_past_a_page_opens_the_first_archive_page(publish: Publish) -> None:
    client = publish(N + 1)
    for extension in EXTENSIONS:
        body = client.get(f"/feeds/issues.{extension}").data
        assert entry_ids(body, extension) == newest_first(2, N + 1)
        older = client.get(f"/feeds/issues/archive/1.{extension}")
        assert older.status_code == 200
        assert entry_ids(older.data, extension) == newest_first(1, N)
        assert client.get(f"/feeds/issues/archive/2.{extension}").status_code == 404


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_subscription_document_links_its_newest_full_archive_page(
    publish: Publish, extension: str
) -> None:
    client = publish(2 * N + 1)
    body = client.get(f"/feeds/issues.{extension}").data
    assert marker(body) is None
    assert feed_links(body)["prev-archive"] == url(f"/feeds/issues/archive/2.{extension}")
    assert entry_ids(body, extension) == newest_first(N + 2, 2 * N + 1)


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_archive_pages_link_to_each_other_and_to_the_current_document(
    publish: Publish, extension: str
) -> None:
    client = publish(2 * N + 1)
    alternate = {"alternate": f"{BASE}/"} if extension == "atom" else {}
    first = client.get(f"/feeds/issues/archive/1.{extension}").data
    assert marker(first) == "archive"
    assert feed_links(first) == alternate | {
        "self": url(f"/feeds/issues/archive/1.{extension}"),
        "current": url(f"/feeds/issues.{extension}"),
        "next-archive": url(f"/feeds/issues/archive/2.{extension}"),
    }
    second = client.get(f"/feeds/issues/archive/2.{extension}").data
    assert entry_ids(second, extension) == newest_first(N + 1, 2 * N)
    assert feed_links(second) == alternate | {
        "self": url(f"/feeds/issues/archive/2.{extension}"),
        "current": url(f"/feeds/issues.{extension}"),
        "prev-archive": url(f"/feeds/issues/archive/1.{extension}"),
    }
    assert client.get(f"/feeds/issues/archive/3.{extension}").status_code == 404


def test_archive_page_entries_never_change_as_the_feed_grows(publish: Publish) -> None:
    client = publish(N + 1)
    before = {ext: client.get(f"/feeds/issues/archive/1.{ext}") for ext in EXTENSIONS}
    client = publish(3 * N)
    for extension, earlier in before.items():
        later = client.get(f"/feeds/issues/archive/1.{extension}")
        assert entry_ids(later.data, extension) == entry_ids(earlier.data, extension)
        assert later.headers["Last-Modified"] == earlier.headers["Last-Modified"]


def test_an_archive_page_with_a_newer_one_never_changes_again(publish: Publish) -> None:
    client = publish(2 * N)
    before = {ext: client.get(f"/feeds/issues/archive/1.{ext}").data for ext in EXTENSIONS}
    client = publish(4 * N + 1)
    for extension, earlier in before.items():
        assert client.get(f"/feeds/issues/archive/1.{extension}").data == earlier


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_following_prev_archive_rebuilds_the_whole_history(
    publish: Publish, extension: str
) -> None:
    client = publish(2 * N + 2)
    seen: list[str] = []
    link: str | None = url(f"/feeds/issues.{extension}")
    while link:
        body = client.get(link.removeprefix(BASE)).data
        seen += entry_ids(body, extension)
        link = feed_links(body).get("prev-archive")
    assert sorted(set(seen)) == sorted(newest_first(1, 2 * N + 2))


def test_json_feed_pages_chain_with_next_url(publish: Publish) -> None:
    client = publish(2 * N + 1)
    pages: list[dict[str, Any]] = []
    link: str | None = url("/feeds/issues.json")
    while link:
        pages.append(load_json_feed(client.get(link.removeprefix(BASE)).data))
        link = pages[-1].get("next_url")
    assert [page["feed_url"] for page in pages] == [
        url("/feeds/issues.json"),
        url("/feeds/issues/archive/2.json"),
        url("/feeds/issues/archive/1.json"),
    ]
    seen = {item["id"] for page in pages for item in page["items"]}
    assert seen == set(newest_first(1, 2 * N + 1))


def test_final_archive_pages_are_cached_for_long_the_rest_briefly(
    publish: Publish, app: Flask
) -> None:
    client = publish(2 * N + 1)
    final = client.get("/feeds/issues/archive/1.atom").headers["Cache-Control"]
    assert set(final.split(", ")) == {
        "public",
        f"max-age={app.config['IMMUTABLE_MAX_AGE']}",
        "immutable",
    }
    briefly = (
        f"public, max-age={app.config['MAX_AGE']},"
        f" stale-while-revalidate={app.config['STALE_WHILE_REVALIDATE']},"
        f" stale-if-error={app.config['STALE_IF_ERROR']}"
    )
    assert client.get("/feeds/issues/archive/2.atom").headers["Cache-Control"] == briefly
    assert client.get("/feeds/issues.atom").headers["Cache-Control"] == briefly


def test_a_json_archive_page_that_a_newer_page_made_final_answers_304_now_immutable(
    publish: Publish,
) -> None:
    client = publish(2 * N)
    before = client.get("/feeds/issues/archive/2.json")
    assert "immutable" not in before.headers["Cache-Control"]
    client = publish(3 * N)
    after = client.get(
        "/feeds/issues/archive/2.json", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 304
    assert "immutable" in after.headers["Cache-Control"].split(", ")


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_an_archive_page_that_a_newer_page_made_final_has_new_bytes_and_etag(
    publish: Publish, extension: str
) -> None:
    path = f"/feeds/issues/archive/2.{extension}"
    client = publish(2 * N)
    before = client.get(path)
    client = publish(3 * N)
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert feed_links(after.data)["next-archive"] == url(f"/feeds/issues/archive/3.{extension}")


def test_archive_last_modified_is_its_newest_entry(publish: Publish) -> None:
    client = publish(N + 1)
    response = client.get("/feeds/issues/archive/1.rss")
    newest = dt.datetime.combine(dt.date.fromisoformat(issue_id(N)), dt.time(), tzinfo=dt.UTC)
    assert response.last_modified == newest


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/issues/archive/1.atom",
        "/feeds/articles/archive/2.atom",
        "/feeds/tags/policy/archive/2.atom",
        "/feeds/tags/policy/archive/1.rss",
        "/feeds/articles/archive/1.json",
    ],
)
def test_archive_pages_are_valid_documents(publish: Publish, path: str) -> None:
    body = publish(2 * N + 1).get(path).data
    if path.endswith(".atom"):
        assert_valid_atom(body)
    if path.endswith(".json"):
        assert len(load_json_feed(body)["items"]) == N
    else:
        assert len(parse(body).entries) == N


def test_article_pages_keep_an_issues_reading_order(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.publication(feed_size=N)
    for number in range(1, 5):
        content.issue(issue_id(number), articles=2)
    build_store(content)
    client = app.test_client()

    def headlines(path: str) -> list[str]:
        return [entry.title for entry in parse(client.get(path).data).entries]

    def article(position: int, number: int) -> str:
        return f"Article {position} of {issue_id(number)}"

    assert headlines("/feeds/articles.atom") == [article(1, 4), article(2, 4), article(1, 3)]
    assert headlines("/feeds/articles/archive/2.atom") == [
        article(1, 3),
        article(2, 3),
        article(1, 2),
    ]
    assert headlines("/feeds/articles/archive/1.atom") == [
        article(2, 2),
        article(1, 1),
        article(2, 1),
    ]


def test_atom_history_and_hub_links_are_found_by_a_reader_blind_to_namespaces(
    publish: Publish, content: ContentTree
) -> None:
    with serve_hub() as hub:
        content.publication(feed_size=N, hub=hub.url)
        client = publish(3 * N + 1)
    current = client.get("/feeds/issues.atom").data
    assert links_in_text(current) == feed_links(current)
    assert links_in_text(current)["prev-archive"] == url("/feeds/issues/archive/3.atom")
    assert links_in_text(current)["hub"] == hub.url
    page = client.get("/feeds/issues/archive/2.atom").data
    assert links_in_text(page) == feed_links(page)
    assert links_in_text(page) == {
        "self": url("/feeds/issues/archive/2.atom"),
        "alternate": f"{BASE}/",
        "hub": hub.url,
        "current": url("/feeds/issues.atom"),
        "prev-archive": url("/feeds/issues/archive/1.atom"),
        "next-archive": url("/feeds/issues/archive/3.atom"),
    }


def test_no_atom_document_writes_a_second_prefix_for_atom(publish: Publish) -> None:
    client = publish(3 * N + 1)
    for name in ("issues", "articles", "tags/policy"):
        for page in ("", "/archive/1", "/archive/2", "/archive/3"):
            body = client.get(f"/feeds/{name}{page}.atom").data
            assert b"ns0:" not in body and b"xmlns:ns" not in body, f"{name}{page}"
            assert set(re.findall(rb"</?(\w+):", body)) <= {b"fh"}, f"{name}{page}"
            assert_valid_atom(body)


def test_rss_writes_its_atom_links_with_the_atom_prefix_it_declares(publish: Publish) -> None:
    body = publish(3 * N + 1).get("/feeds/issues/archive/2.rss").data
    root = re.search(rb"<rss [^>]*>", body)
    assert root is not None and b'xmlns:atom="http://www.w3.org/2005/Atom"' in root.group()
    assert links_in_text(body, "atom:link") == feed_links(body)
    assert set(feed_links(body)) == {"self", "current", "prev-archive", "next-archive"}
