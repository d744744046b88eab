"""End to end: a real feed reader (lemon24/reader) subscribes to the running gunicorn service."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from reader import Reader, make_reader

from service.store import Store
from tests.factories import ContentTree
from tests.feedtools import three_issues
from tests.servers import Server, StartServer, access_log, wait_until

FEEDS = ["/feeds/issues.atom", "/feeds/articles.rss", "/feeds/tags/housing.json"]
PUBLIC = "http://briefing.invalid"  # BRIEFING_BASE_URL: what links are built from, not the Host


@pytest.fixture
def feed_reader() -> Iterator[Reader]:
    with make_reader(":memory:") as subscriber:
        yield subscriber


def answered(server: Server, path: str, statuses: list[int]) -> Callable[[], bool]:
    """Whether the server's access log shows these answers, in order, to requests for `path`."""

    def statuses_so_far() -> list[int]:
        return [line["status"] for line in access_log(server) if line["path"] == path]

    return lambda: statuses_so_far() == statuses


def test_reader_subscribes_and_its_second_update_is_answered_304(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    start_server: StartServer,
    feed_reader: Reader,
) -> None:
    three_issues(content)
    build_store(content)
    server = start_server(BRIEFING_BASE_URL=PUBLIC)
    for path in FEEDS:
        feed_reader.add_feed(f"{server.url}{path}")
        first = feed_reader.update_feed(f"{server.url}{path}")
        assert first is not None and first.new > 0
        assert feed_reader.update_feed(f"{server.url}{path}") is None  # not modified
    counts = [feed_reader.get_entry_counts(feed=f"{server.url}{path}").total for path in FEEDS]
    assert counts == [3, 6, 2]
    assert all(entry.link.startswith(f"{PUBLIC}/issues/") for entry in feed_reader.get_entries())
    for path in FEEDS:  # gunicorn logs a request just after answering it
        wait_until(answered(server, path, [200, 304]), 5, f"200 then 304 for {path} in its log")
