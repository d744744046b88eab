"""Pollers of every feed document, revalidating with their ETags after a rebuild: what
tests/test_revalidation.py asserts on and what `make bench` reports (bench/run.py)."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from service.feeds.formats import EXTENSIONS
from service.store import open_store

# The headers a 200 may send differently for the same bytes: when it was sent, the request's
# own id, and how long to keep it (a JSON Feed archive page turns immutable once a newer page
# is full: its bytes do not change, its Cache-Control does).
PER_RESPONSE = {"date", "x-request-id", "cache-control"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def etag(self) -> str:
        return self.headers["etag"]

    def representation_headers(self) -> dict[str, str]:
        """What the answer says of the document itself, not of this one response."""
        return {name: value for name, value in self.headers.items() if name not in PER_RESPONSE}


@dataclass(frozen=True)
class Revalidated:
    """One document as a poller saw it before the rebuild, and what it was answered after:
    to its old ETag in If-None-Match, and to a plain GET."""

    path: str
    before: Answer
    revalidated: Answer
    now: Answer

    @property
    def unchanged(self) -> bool:
        return self.now.body == self.before.body


def feed_documents(store_path: Path) -> list[str]:
    """The path of every feed document of a store, as the README counts them: each feed's
    subscription document and its archive pages (one per feed_size entries), in every format."""
    store = open_store(store_path)
    try:
        size = store.publication.feed_size
        entries = {"issues": store.issue_count, "articles": store.article_count()}
        entries |= {f"tags/{count.tag}": count.articles for count in store.tags()}
    finally:
        store.close()
    return [
        f"/feeds/{name}{page}.{extension}"
        for name, total in entries.items()
        for page in ["", *(f"/archive/{k}" for k in range(1, total // size + 1))]
        for extension in EXTENSIONS
    ]


def fetch(base_url: str, path: str, encoding: str, etag: str | None = None) -> Answer:
    """GET path as a feed reader does: asking for `encoding`, with the ETag it holds if any."""
    headers = {"Accept-Encoding": encoding, **({"If-None-Match": etag} if etag else {})}
    connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def record(base_url: str, paths: list[str], encoding: str) -> dict[str, Answer]:
    """Every document as a poller first reads it; each must answer 200."""
    recorded = {path: fetch(base_url, path, encoding) for path in paths}
    refused = {path: answer.status for path, answer in recorded.items() if answer.status != 200}
    if refused:
        raise AssertionError(f"documents not answered 200: {refused}")
    return recorded


def revalidate(base_url: str, recorded: dict[str, Answer], encoding: str) -> list[Revalidated]:
    """Each recorded document asked again with its ETag, then without."""
    return [
        Revalidated(
            path,
            before,
            fetch(base_url, path, encoding, before.etag),
            fetch(base_url, path, encoding),
        )
        for path, before in recorded.items()
    ]


def served_after_rename(base_url: str, store_path: Path, check_interval: float) -> None:
    """Wait until every worker serves the store just renamed into place at store_path: each
    looks at the file at most `check_interval` after it last did, and switches for the request
    that looks."""
    store = open_store(store_path)
    try:
        built = store.content_version
    finally:
        store.close()
    time.sleep(check_interval)
    served = json.loads(fetch(base_url, "/readyz", "identity").body).get("content_version")
    if served != built:
        raise AssertionError(f"/readyz serves content version {served}, not {built}")
