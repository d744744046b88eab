"""deploy/nginx.conf, run by a real nginx in front of the real `briefing serve` (gunicorn).

What a caching proxy in front of replicas must do with the service's headers: keep what the
service marks public for its max-age, revalidate it with a 304 afterwards, serve a rebuilt
store once max-age has passed, pass the origin's bytes through untouched (identity and gzip)
and answer a client's own conditional request from its copy. Each answer carries its own
request id, and the replicas' metrics stay behind the proxy.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.store import Store
from tests.factories import ContentTree
from tests.nginx import ProxyFiles, launch, nginx_binary, stop
from tests.servers import Server, StartServer, free_port, wait_until

FEED = "/feeds/issues.atom"
FIRST_ISSUE, NEXT_ISSUE = "2024-01-10", "2024-01-24"
LONG_MAX_AGE = 300  # nothing expires within a test
SHORT_MAX_AGE = 1  # copies expire while the test waits


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def x_cache(self) -> str | None:
        return self.headers["X-Cache"]


@dataclass(frozen=True)
class Proxied:
    """nginx on deploy/nginx.conf in front of one origin."""

    origin: Server
    proxy_url: str
    process: subprocess.Popen[bytes]
    files: ProxyFiles


StartProxied = Callable[[int], Proxied]


def get(base_url: str, path: str, headers: dict[str, str] | None = None) -> Reply:
    """GET base_url + path: the status, headers and bytes exactly as they came (no decoding)."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def first_reply_not_hit(proxied: Proxied, path: str, timeout: float) -> Reply:
    """Ask through the proxy until it does anything but answer from a fresh copy."""
    replies: list[Reply] = []

    def not_hit() -> bool:
        replies.append(get(proxied.proxy_url, path))
        return replies[-1].x_cache != "HIT"

    wait_until(not_hit, timeout, f"answer to {path} other than a cache HIT")
    return replies[-1]


def origin_requests(log: Path, path: str) -> list[dict[str, Any]]:
    """The origin's access log entries for GETs of path (one JSON object a line)."""
    entries = []
    for line in log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict) and (entry["method"], entry["path"]) == ("GET", path):
                entries.append(entry)
    return entries


def origin_statuses(log: Path, path: str) -> list[int]:
    return [entry["status"] for entry in origin_requests(log, path)]


def is_answering(proxied: Proxied) -> bool:
    if proxied.process.poll() is not None:
        pytest.fail(f"nginx exited:\n{proxied.files.error_log.read_text()}")
    try:
        with urllib.request.urlopen(f"{proxied.proxy_url}/healthz", timeout=5) as response:
            return int(response.status) == 200
    except OSError:
        return False


@pytest.fixture
def published(content: ContentTree, build_store: Callable[[ContentTree], Store]) -> ContentTree:
    content.issue(FIRST_ISSUE)
    build_store(content)
    return content


@pytest.fixture
def start_proxied(
    tmp_path: Path, published: ContentTree, start_server: StartServer
) -> Iterator[StartProxied]:
    """Start the service with a max-age, and nginx in front of it; both stopped afterwards."""
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: `make nginx` installs Debian's")
    started: list[Proxied] = []

    def start(max_age: int) -> Proxied:
        origin = start_server(BRIEFING_MAX_AGE=str(max_age))
        files = ProxyFiles(tmp_path / f"nginx-{len(started)}")
        listen = f"127.0.0.1:{free_port()}"
        process = launch(files, listen, [origin.url.removeprefix("http://")])
        proxied = Proxied(origin, f"http://{listen}", process, files)
        started.append(proxied)
        wait_until(lambda: is_answering(proxied), 15, "answer from nginx")
        return proxied

    yield start
    for proxied in started:
        stop(proxied.process)


def test_first_request_misses_and_the_next_ones_hit(start_proxied: StartProxied) -> None:
    proxied = start_proxied(LONG_MAX_AGE)

    replies = [get(proxied.proxy_url, FEED) for _ in range(3)]

    assert [reply.status for reply in replies] == [200, 200, 200]
    assert [reply.x_cache for reply in replies] == ["MISS", "HIT", "HIT"]


def test_expired_copy_is_revalidated_and_the_origin_answers_304(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(SHORT_MAX_AGE)
    kept = get(proxied.proxy_url, FEED)

    revalidated = first_reply_not_hit(proxied, FEED, timeout=10)

    assert (revalidated.status, revalidated.x_cache) == (200, "REVALIDATED")
    assert revalidated.body == kept.body
    wait_until(
        lambda: 304 in origin_statuses(proxied.origin.log, FEED), 5, "304 in the origin's log"
    )
    assert origin_statuses(proxied.origin.log, FEED) == [200, 304]


def test_rebuilt_store_is_served_once_max_age_has_passed(
    start_proxied: StartProxied,
    published: ContentTree,
    build_store: Callable[[ContentTree], Store],
) -> None:
    proxied = start_proxied(SHORT_MAX_AGE)
    old = get(proxied.proxy_url, FEED)
    assert NEXT_ISSUE.encode() not in old.body
    published.issue(NEXT_ISSUE)
    build_store(published)
    replies: list[Reply] = []

    def shows_next_issue() -> bool:
        replies.append(get(proxied.proxy_url, FEED))
        return NEXT_ISSUE.encode() in replies[-1].body

    wait_until(shows_next_issue, 15, f"{NEXT_ISSUE} in the feed through the proxy")

    assert replies[-1].x_cache == "EXPIRED"  # the origin's 200 replaced the kept copy
    assert replies[-1].headers["ETag"] != old.headers["ETag"]


@pytest.mark.parametrize(
    ("accept_encoding", "content_encoding"),
    [
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "gzip"),
        ("gzip;q=0, identity", None),
    ],
)
def test_proxy_passes_on_the_origins_bytes(
    start_proxied: StartProxied, accept_encoding: str, content_encoding: str | None
) -> None:
    proxied = start_proxied(LONG_MAX_AGE)
    from_origin = get(proxied.origin.url, FEED, {"Accept-Encoding": accept_encoding})

    missed, hit = [
        get(proxied.proxy_url, FEED, {"Accept-Encoding": accept_encoding}) for _ in range(2)
    ]

    assert (missed.x_cache, hit.x_cache) == ("MISS", "HIT")
    for reply in (missed, hit):
        assert reply.headers["Content-Encoding"] == content_encoding
        assert reply.headers["ETag"] == from_origin.headers["ETag"]
        assert reply.body == from_origin.body


def test_gzip_and_identity_copies_are_kept_apart(start_proxied: StartProxied) -> None:
    proxied = start_proxied(LONG_MAX_AGE)
    identity = get(proxied.origin.url, FEED, {"Accept-Encoding": "identity"}).body

    replies = [
        get(proxied.proxy_url, FEED, {"Accept-Encoding": encoding})
        for encoding in ("gzip", "identity", "gzip", "identity")
    ]

    assert [reply.x_cache for reply in replies] == ["MISS", "MISS", "HIT", "HIT"]
    assert [reply.headers["Content-Encoding"] for reply in replies] == ["gzip", None] * 2
    assert gzip.decompress(replies[0].body) == replies[1].body == identity


def test_clients_if_none_match_is_answered_304_by_the_proxy(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(LONG_MAX_AGE)
    etag = get(proxied.proxy_url, FEED).headers["ETag"]

    reply = get(proxied.proxy_url, FEED, {"If-None-Match": etag})

    assert (reply.status, reply.x_cache, reply.body) == (304, "HIT", b"")
    assert reply.headers["ETag"] == etag


def test_metrics_are_not_served_through_the_proxy(start_proxied: StartProxied) -> None:
    proxied = start_proxied(LONG_MAX_AGE)

    assert get(proxied.origin.url, "/metrics").status == 200
    assert get(proxied.proxy_url, "/metrics").status == 404


def test_each_answer_through_the_proxy_carries_its_own_request_id(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(LONG_MAX_AGE)

    missed, hit = [get(proxied.proxy_url, FEED) for _ in range(2)]

    assert (missed.x_cache, hit.x_cache) == ("MISS", "HIT")
    assert missed.headers["X-Request-Id"] != hit.headers["X-Request-Id"]
    wait_until(
        lambda: bool(origin_requests(proxied.origin.log, FEED)), 5, "the feed in the origin's log"
    )
    assert [entry["request_id"] for entry in origin_requests(proxied.origin.log, FEED)] == [
        missed.headers["X-Request-Id"]
    ]
