"""End to end: a real WebSub subscriber finds the hub in the headers of the real `briefing serve`,
subscribes, is verified by a real hub, and gets the new issue once `briefing notify` has run."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import ContentTree
from tests.feedtools import parse, three_issues
from tests.hubs import RunningSubscriber, running_hub, running_subscriber
from tests.servers import BRIEFING, StartServer

FOLLOWED = ["/feeds/issues.atom", "/feeds/issues.json", "/api/v1/issues", "/feeds/tags/funding.rss"]
CHANGED = FOLLOWED[:3]  # the new issue is tagged housing, not funding
NEW_ISSUE = "2011-02-23"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[str]:
    with running_hub(tmp_path) as url:
        yield url


@pytest.fixture
def subscriber(tmp_path: Path) -> Iterator[RunningSubscriber]:
    with running_subscriber(tmp_path) as running:
        yield running


def notify(store: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    """`briefing notify` as the publisher runs it, for the service at base_url."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")}
    return subprocess.run(
        [BRIEFING, "notify", "--store", store],
        env={**env, "BRIEFING_BASE_URL": base_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def served(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body


def test_a_subscriber_that_found_the_hub_in_our_headers_gets_the_new_issue_after_notify(
    content: ContentTree,
    store_path: Path,
    start_server: StartServer,
    hub: str,
    subscriber: RunningSubscriber,
) -> None:
    three_issues(content, hub=hub)
    content.build(store_path)
    # Every request looks at the store file, so the service serves a build as soon as it is
    # renamed into place: `briefing notify` comes after every replica serves it.
    server = start_server(own_base_url=True, BRIEFING_STORE_CHECK_INTERVAL="0")
    first = notify(store_path, server.url)
    assert (first.returncode, first.stdout) == (0, f"notified {hub} of 17 changed topic(s)\n")

    topics = [f"{server.url}{path}" for path in FOLLOWED]
    for topic in topics:
        assert subscriber.follow(topic) == {"hub_url": hub, "topic_url": topic}
    assert subscriber.verified == [(topic, "subscribe") for topic in topics]
    assert subscriber.denied == [] and subscriber.received == {}

    content.issue(NEW_ISSUE, tags=["housing"])
    content.build(store_path)
    second = notify(store_path, server.url)
    assert (second.returncode, second.stdout) == (0, f"notified {hub} of 11 changed topic(s)\n")

    changed = [f"{server.url}{path}" for path in CHANGED]
    assert sorted(subscriber.received) == sorted(changed)
    assert all(subscriber.received[topic] == [served(topic)] for topic in changed)
    atom, json_feed, api = (subscriber.received[topic][0] for topic in changed)
    assert parse(atom).entries[0].link == f"{server.url}/issues/{NEW_ISSUE}"
    assert json.loads(json_feed)["items"][0]["url"] == f"{server.url}/issues/{NEW_ISSUE}"
    assert json.loads(api)["items"][0]["id"] == NEW_ISSUE

    third = notify(store_path, server.url)
    assert third.stdout == "no topic changed since the last notification\n"
    assert sorted(subscriber.received) == sorted(changed)
