"""deploy/nginx.conf, run by a real nginx in front of the real `briefing serve` (gunicorn).

What a caching proxy in front of replicas must do with the service's headers: keep what the
service marks public for its max-age, revalidate it with a 304 afterwards, serve a rebuilt
store once max-age has passed, pass the origin's bytes through untouched (identity and gzip)
and answer a client's own conditional request from its copy. While the origin cannot be
reached it serves its copy for as long as the origin's stale-if-error allows. Each answer
carries its own request id, and the replicas' metrics stay behind the proxy. A client past
the proxy's limits is refused with 429 and Retry-After; a polite one never is. Clients with
limits of their own ask from addresses of their own on loopback (127.0.0.2 and on).
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import re
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.store import Store
from tests.factories import ContentTree
from tests.nginx import ProxyFiles, launch, nginx_binary, render_config, stop
from tests.servers import Server, StartServer, free_port, wait_until

FEED = "/feeds/issues.atom"
FIRST_ISSUE, NEXT_ISSUE = "2024-01-10", "2024-01-24"
LONG_MAX_AGE = 300  # nothing expires within a test
SHORT_MAX_AGE = 1  # copies expire while the test waits
FEEDS = [
    f"/feeds/{kind}.{form}" for kind in ("issues", "articles") for form in ("atom", "rss", "json")
]
# deploy/nginx.conf's bursts, answered at once before its first refusal: for one feed, and
# for all of one client's requests.
FEED_BURST, CLIENT_BURST = 60, 100
RETRY_AFTER = "60"


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


StartProxied = Callable[..., Proxied]


def get(
    base_url: str, path: str, headers: dict[str, str] | None = None, client: str = "127.0.0.1"
) -> Reply:
    """GET base_url + path from the address `client`: the status, headers and bytes exactly
    as they came (no decoding)."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(client, 0))
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
    """Start the service with a max-age (and other BRIEFING_* settings), and nginx in front of
    it, its limits enforced unless asked; both stopped afterwards."""
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: `make nginx` installs Debian's")
    started: list[Proxied] = []

    def start(max_age: int, enforce_limits: bool = True, **settings: str) -> Proxied:
        origin = start_server(BRIEFING_MAX_AGE=str(max_age), **settings)
        files = ProxyFiles(tmp_path / f"nginx-{len(started)}")
        listen = f"127.0.0.1:{free_port()}"
        origins = [origin.url.removeprefix("http://")]
        process = launch(files, listen, origins, enforce_limits=enforce_limits)
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


def stop_origin(proxied: Proxied) -> None:
    proxied.origin.process.terminate()
    proxied.origin.process.wait(timeout=15)


def test_with_the_origin_down_the_proxy_serves_the_expired_feed_it_kept(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(SHORT_MAX_AGE)
    kept = get(proxied.proxy_url, FEED)
    assert "stale-if-error=" in kept.headers["Cache-Control"]
    stop_origin(proxied)

    served = first_reply_not_hit(proxied, FEED, timeout=10)

    assert (served.status, served.x_cache) == (200, "STALE")
    assert served.body == kept.body


def test_with_the_origin_down_the_proxy_serves_an_expired_feed_no_longer_than_it_may(
    start_proxied: StartProxied,
) -> None:
    # Asks every 50 ms for seconds, past a feed's burst: the limits counted, not enforced.
    proxied = start_proxied(SHORT_MAX_AGE, enforce_limits=False, BRIEFING_STALE_IF_ERROR="1")
    kept = [get(proxied.proxy_url, FEED).x_cache for _ in range(2)]
    assert kept == ["MISS", "HIT"]
    stop_origin(proxied)

    wait_until(
        lambda: get(proxied.proxy_url, FEED).status == 502, 10, "502 once stale-if-error is over"
    )


def test_a_burst_at_one_feed_is_refused_with_429_and_retry_after(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(LONG_MAX_AGE)

    replies = [get(proxied.proxy_url, FEED, client="127.0.0.2") for _ in range(FEED_BURST + 20)]

    statuses = [reply.status for reply in replies]
    assert statuses[: FEED_BURST + 1] == [200] * (FEED_BURST + 1)
    assert 429 in statuses
    refused = replies[statuses.index(429)]
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.headers["Cache-Control"] == "no-store"
    assert refused.headers["Content-Type"] == "text/plain"
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.headers["X-Request-Id"]
    assert refused.body == b"Too many requests: retry after 60 seconds.\n"


def test_a_burst_at_the_api_is_refused_with_a_problem_any_origin_may_read(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(LONG_MAX_AGE)

    replies = [
        get(proxied.proxy_url, "/api/v1/issues", client="127.0.0.2")
        for _ in range(CLIENT_BURST + 20)
    ]

    statuses = [reply.status for reply in replies]
    assert statuses[: CLIENT_BURST + 1] == [200] * (CLIENT_BURST + 1)
    refused = replies[statuses.index(429)]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert json.loads(refused.body)["status"] == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert refused.headers["Retry-After"] == RETRY_AFTER
    assert refused.headers["Cache-Control"] == "no-store"


def test_a_client_refused_one_feed_leaves_other_clients_and_its_other_feeds_served(
    start_proxied: StartProxied,
) -> None:
    proxied = start_proxied(LONG_MAX_AGE)
    statuses = [
        get(proxied.proxy_url, FEED, client="127.0.0.2").status for _ in range(FEED_BURST + 2)
    ]
    assert statuses[-1] == 429

    assert get(proxied.proxy_url, FEED, client="127.0.0.3").status == 200
    assert get(proxied.proxy_url, "/feeds/articles.atom", client="127.0.0.2").status == 200
    assert get(proxied.proxy_url, "/", client="127.0.0.2").status == 200


def test_a_polite_reader_and_browser_are_never_refused(start_proxied: StartProxied) -> None:
    """A browser reads the site; a reader subscribes to every feed and polls each with its
    validators five times over at once: more than a reader polling every five minutes asks
    in twenty minutes."""
    proxied = start_proxied(LONG_MAX_AGE)
    reader = "127.0.0.4"

    def visit(path: str, headers: dict[str, str] | None = None) -> Reply:
        return get(proxied.proxy_url, path, headers, client=reader)

    home = visit("/")
    stylesheet = re.search(rb'href="https?://[^/"]+(/assets/[^"]+\.css[^"]*)"', home.body)
    assert stylesheet is not None
    browsed = [home] + [
        visit(path)
        for path in (stylesheet.group(1).decode(), f"/issues/{FIRST_ISSUE}", "/subscribe")
    ]
    subscribed = {feed: visit(feed) for feed in FEEDS}
    polls = [
        visit(feed, {"If-None-Match": reply.headers["ETag"]})
        for _ in range(5)
        for feed, reply in subscribed.items()
    ]

    assert {reply.status for reply in browsed + list(subscribed.values())} == {200}
    assert {reply.status for reply in polls} == {304}


def test_measurement_differs_from_the_shipped_proxy_by_enforcing_no_limit_alone(
    tmp_path: Path,
) -> None:
    files, listen, origins = ProxyFiles(tmp_path), "127.0.0.1:8080", ["127.0.0.1:8000"]
    shipped = render_config(files, listen, origins).splitlines()
    measured = render_config(files, listen, origins, enforce_limits=False).splitlines()

    added = [line.strip() for line in measured if line not in shipped]
    assert added == ["limit_req_dry_run on;"]
    assert [line for line in shipped if line not in measured] == []
