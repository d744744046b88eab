"""A few hostile clients cannot silence the service or fill its memory (tests/abuse.py).

`briefing serve` as shipped, and behind deploy/nginx.conf, answers a normal reader while idle,
slowloris and slow-reading connections are held open against it, and a flood of URLs it has
never seen grows a worker by no more than its response cache may hold. How fast it answers
then, and the memory at the shipped settings, are `make bench`'s figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from service.store import Store
from tests.abuse import (
    Abuse,
    HostileClients,
    NormalClient,
    Visit,
    failures,
    flood,
    unique_search_paths,
)
from tests.factories import ContentTree
from tests.load import memory_kib, workers
from tests.nginx import ProxyFiles, launch, nginx_binary, stop
from tests.servers import StartServer, free_port, wait_until

# SECURITY.md's figure: while 100 idle, 80 slowloris and 20 slow-reading connections are held.
ABUSE = Abuse(idle=100, slowloris=80, slow_readers=20, reader_path="/feeds/articles.atom")
READER_PATHS = ["/feeds/issues.atom", "/api/v1/issues", "/", "/issues/2011-02-01"]
SETTLE = 3.0  # seconds for the hostile connections to take hold before the reader starts
ROUNDS = 6
CACHE_MAX_BYTES = 4 * 1024 * 1024
# Room for what the allocator keeps around the cache's objects: a flood of unique URLs grew a
# worker by four times the bound, and more with every URL, while the cache charged bodies alone.
ALLOCATOR_SLACK = 2


@pytest.fixture
def published(content: ContentTree, build_store: Callable[[ContentTree], Store]) -> Store:
    for day in range(1, 29):
        content.issue(f"2011-02-{day:02d}", articles=3, tags=["localism"])
    return build_store(content)


def read_under_abuse(url: str) -> list[Visit]:
    """A reader's requests while ABUSE is held against url, which must really hold it."""
    reader = reader_of(url)
    assert failures(reader.round(READER_PATHS, 1)) == [], "the reader fails without abuse"
    with HostileClients(reader.host, reader.port, ABUSE) as hostile:
        time.sleep(SETTLE)
        visits = reader.round(READER_PATHS, ROUNDS, pause=0.1)
        held = hostile.held()
    assert held >= 0.9 * len(hostile.clients), f"only {held} hostile connections held open"
    return visits


def reader_of(url: str) -> NormalClient:
    host, port = url.removeprefix("http://").split(":")
    return NormalClient(host, int(port), timeout=5)


def test_briefing_serve_answers_every_reader_request_while_slow_clients_hold_connections(
    published: Store, start_server: StartServer
) -> None:
    server = start_server()
    visits = read_under_abuse(server.url)
    assert failures(visits) == []
    assert len(visits) == ROUNDS * len(READER_PATHS)


def test_briefing_serve_cuts_off_a_request_that_never_ends(
    published: Store, start_server: StartServer
) -> None:
    """A slowloris connection is closed once its request has had `keepalive` seconds."""
    reader = reader_of(start_server().url)
    with HostileClients(reader.host, reader.port, Abuse(0, 5, 0)) as hostile:
        wait_until(lambda: hostile.reopened >= 5, 15, "slowloris connections closed by the server")


def test_nginx_in_front_answers_every_reader_request_while_slow_clients_hold_connections(
    tmp_path: Path, published: Store, start_server: StartServer
) -> None:
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: `make nginx` installs Debian's")
    origin = start_server()
    files = ProxyFiles(tmp_path / "nginx")
    listen = f"127.0.0.1:{free_port()}"
    # The reader and every hostile client are one address: the limits counted, not enforced
    # (tests/nginx.py), so that what is measured is nginx holding connections, not its 429s.
    process = launch(files, listen, [origin.url.removeprefix("http://")], enforce_limits=False)
    try:
        proxy = reader_of(f"http://{listen}")
        wait_until(lambda: proxy.visit("/healthz").status == 200, 15, "answer from nginx")
        visits = read_under_abuse(f"http://{listen}")
    finally:
        stop(process)
    assert failures(visits) == []


def test_a_flood_of_unique_urls_grows_a_worker_by_no_more_than_its_cache_may_hold(
    published: Store, start_server: StartServer
) -> None:
    server = start_server(BRIEFING_CACHE_MAX_BYTES=str(CACHE_MAX_BYTES))
    reader = reader_of(server.url)
    serving = workers(server.process.pid)
    before = {pid: memory_kib(pid) for pid in serving}
    # Four times what fills both workers' caches with search answers of about 10 KB each.
    paths = unique_search_paths(4 * 2 * CACHE_MAX_BYTES // 10_000)
    assert set(flood(reader.host, reader.port, paths)) == {200}
    grown = {pid: memory_kib(pid) - before[pid] for pid in serving}
    print(f"{len(paths)} unique URLs: workers grew by {grown} KiB")
    assert max(grown.values()) * 1024 <= ALLOCATOR_SLACK * CACHE_MAX_BYTES, grown
