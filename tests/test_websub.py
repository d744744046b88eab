"""WebSub: `briefing notify` tells the hub which topics changed since the last notification, and
fails naming the hub when it cannot; `briefing build` never touches the network."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from requests.utils import parse_header_links

from service.errors import HubFailed
from service.notify import topics
from service.store import NO_STORE, open_store
from service.urls import Site
from service.websub import ATTEMPTS, Patience, publish
from tests.factories import ContentTree
from tests.feedtools import BASE, EXTENSIONS, Hub, serve_hub, three_issues
from tests.servers import free_port

FEEDS = ["issues", "articles", "tags/big-society", "tags/funding", "tags/housing"]
API_LISTS = [f"{BASE}/api/v1/issues", f"{BASE}/api/v1/articles"]
QUICK = Patience(timeout=0.3, attempts=2, backoff=0.01)


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as running:
        yield running


@pytest.fixture
def build(
    content: ContentTree, run_cli: Callable[..., Result], store_path: Path
) -> Callable[[], Result]:
    def run() -> Result:
        result = run_cli("build", content.root, "--store", store_path)
        assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def notify(run_cli: Callable[..., Result], store_path: Path) -> Callable[[], Result]:
    return lambda: run_cli("notify", "--store", store_path)


@pytest.fixture
def record(store_path: Path) -> Path:
    return store_path.with_name("briefing.sqlite3.websub.json")


def feed_urls(*names: str) -> list[str]:
    return [f"{BASE}/feeds/{name}.{extension}" for name in names for extension in EXTENSIONS]


EVERY_TOPIC = feed_urls(*FEEDS) + API_LISTS


def test_build_never_touches_the_network(
    hub: Hub, content: ContentTree, build: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    first = build()
    content.issue("2011-02-23", tags=["housing"])
    second = build()
    assert hub.received == []
    assert hub.url not in first.output + second.output


def test_first_notification_tells_the_hub_of_every_topic(
    hub: Hub, content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    build()
    result = notify()
    assert result.exit_code == 0, result.output
    assert result.stdout == f"notified {hub.url} of 17 changed topic(s)\n"
    assert sorted(hub.published()) == sorted(EVERY_TOPIC)
    assert all(form["hub.topic"] == form["hub.url"] for form in hub.received)


def test_notify_after_an_identical_rebuild_tells_nothing(
    hub: Hub, content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    build()
    notify()
    hub.received.clear()
    build()
    result = notify()
    assert result.exit_code == 0
    assert result.stdout == "no topic changed since the last notification\n"
    assert hub.received == []


def test_notify_tells_only_the_topics_whose_bytes_changed(
    hub: Hub, content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    build()
    notify()
    hub.received.clear()
    content.issue("2011-02-23", tags=["housing"])
    build()
    result = notify()
    assert result.stdout == f"notified {hub.url} of 11 changed topic(s)\n"
    assert sorted(hub.published()) == sorted(
        feed_urls("issues", "articles", "tags/housing") + API_LISTS
    )


def test_the_record_beside_the_store_holds_the_hash_of_each_topic_as_served(
    hub: Hub,
    content: ContentTree,
    build: Callable[[], Result],
    notify: Callable[[], Result],
    app: Flask,
    record: Path,
) -> None:
    three_issues(content, hub=hub.url)
    build()
    notify()
    client = app.test_client()
    served = {
        topic: hashlib.sha256(client.get(topic.removeprefix(BASE)).data).hexdigest()
        for topic in EVERY_TOPIC
    }
    assert json.loads(record.read_text()) == {"hub": hub.url, "topics": served}


def test_every_topic_notified_names_the_hub_and_itself(
    hub: Hub, content: ContentTree, build: Callable[[], Result], app: Flask, store_path: Path
) -> None:
    three_issues(content, hub=hub.url)
    build()
    store = open_store(store_path)
    listed = topics(Site.of(store, store.publication))
    assert sorted(listed) == sorted(EVERY_TOPIC)
    client = app.test_client()
    for topic in listed:
        found = parse_header_links(client.get(topic.removeprefix(BASE)).headers["Link"])
        assert [link["url"] for link in found if link["rel"] == "self"] == [topic]
        assert [link["url"] for link in found if link["rel"] == "hub"] == [hub.url]


def test_without_a_hub_nothing_is_notified_or_recorded(
    content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result], record: Path
) -> None:
    three_issues(content)
    build()
    result = notify()
    assert result.exit_code == 0
    assert result.stdout == "no hub configured\n"
    assert not record.exists()


def test_a_hub_answering_500_is_retried_then_notify_fails_naming_it(
    hub: Hub, content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result]
) -> None:
    hub.status = 500
    three_issues(content, hub=hub.url)
    build()
    result = notify()
    assert result.exit_code == 1
    assert result.stderr == (
        f"briefing notify: the hub {hub.url} answered 500 Internal Server Error for"
        f" {BASE}/feeds/issues.atom; 17 of 17 changed topic(s) not notified\n"
    )
    assert len(hub.received) == ATTEMPTS  # every attempt at the first topic, then it gives up
    hub.status = 204
    hub.received.clear()
    assert notify().exit_code == 0
    assert sorted(hub.published()) == sorted(EVERY_TOPIC)


def test_only_the_topics_the_hub_took_are_recorded(
    hub: Hub, content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result]
) -> None:
    refused = f"{BASE}/feeds/tags/housing.atom"
    hub.refused = {refused}
    three_issues(content, hub=hub.url)
    build()
    result = notify()
    assert result.exit_code == 1
    assert f"the hub {hub.url} answered 400 Bad Request for {refused}" in result.stderr
    assert "5 of 17 changed topic(s) not notified" in result.stderr
    assert hub.published()[-1] == refused  # refused at once, and nothing sent after it
    hub.refused = set()
    hub.received.clear()
    assert notify().exit_code == 0
    assert hub.published() == feed_urls("tags/housing") + API_LISTS


def test_an_unreachable_hub_fails_notify_naming_it(
    content: ContentTree, build: Callable[[], Result], notify: Callable[[], Result]
) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/"
    three_issues(content, hub=unreachable)
    build()
    result = notify()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"briefing notify: the hub {unreachable} did not answer (")
    assert result.stderr.endswith("; 17 of 17 changed topic(s) not notified\n")


def test_a_hub_that_times_out_is_retried_then_reported(hub: Hub) -> None:
    hub.delay = 5
    with pytest.raises(HubFailed, match=f"the hub {hub.url} did not answer"):
        publish(hub.url, f"{BASE}/feeds/issues.atom", QUICK)
    assert len(hub.received) == QUICK.attempts


def test_a_hub_refusing_a_notification_is_not_retried(hub: Hub) -> None:
    hub.status = 400
    with pytest.raises(HubFailed, match="answered 400"):
        publish(hub.url, f"{BASE}/feeds/issues.atom", QUICK)
    assert len(hub.received) == 1


def test_notify_without_a_store_says_so_naming_it(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "briefing.sqlite3"
    result = run_cli("notify", "--store", missing)
    assert result.exit_code == 1
    assert result.stderr == f"briefing notify: {missing}: {NO_STORE}\n"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        (b'{"hub": "http://', "is not JSON (Unterminated string"),
        (b"\xff\xfe\x00", "is not JSON ("),
        (b'{"hub": "http://hub.test/", "topics": ["a"]}', 'is not {"hub": URL, "topics"'),
    ],
)
def test_an_unreadable_record_is_reported_and_nothing_is_sent(
    hub: Hub,
    content: ContentTree,
    build: Callable[[], Result],
    notify: Callable[[], Result],
    record: Path,
    written: bytes,
    reason: str,
) -> None:
    three_issues(content, hub=hub.url)
    build()
    record.write_bytes(written)
    result = notify()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"briefing notify: {record}: {reason}")
    assert hub.received == []
    assert record.read_bytes() == written


def test_a_record_of_another_hub_leaves_every_topic_changed(
    hub: Hub,
    content: ContentTree,
    build: Callable[[], Result],
    notify: Callable[[], Result],
    record: Path,
) -> None:
    three_issues(content, hub=hub.url)
    build()
    notify()
    told = json.loads(record.read_text())
    record.write_text(json.dumps({**told, "hub": "https://old-hub.example/"}))
    hub.received.clear()
    assert notify().exit_code == 0
    assert sorted(hub.published()) == sorted(EVERY_TOPIC)
