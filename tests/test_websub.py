"""WebSub: `briefing build` tells the hub which feeds changed; a failing hub never fails a build."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from service.errors import HubFailed
from service.store import open_store
from service.websub import Patience, publish
from tests.factories import ContentTree
from tests.feedtools import BASE, EXTENSIONS, Hub, serve_hub, three_issues
from tests.servers import free_port

FEEDS = ["issues", "articles", "tags/big-society", "tags/housing", "tags/funding"]
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
        return run_cli("build", content.root, "--store", store_path)

    return run


def feed_urls(*names: str) -> list[str]:
    return [f"{BASE}/feeds/{name}.{extension}" for name in names for extension in EXTENSIONS]


def test_first_build_notifies_the_hub_of_every_subscription_feed(
    hub: Hub, content: ContentTree, build: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    result = build()
    assert result.exit_code == 0, result.output
    assert sorted(hub.published()) == sorted(feed_urls(*FEEDS))
    assert f"websub: notified {hub.url} of 15 changed feed(s)" in result.stdout


def test_identical_rebuild_notifies_nothing(
    hub: Hub, content: ContentTree, build: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    build()
    hub.received.clear()
    result = build()
    assert result.exit_code == 0
    assert hub.received == []
    assert "websub: no feed changed" in result.stdout


def test_rebuild_notifies_only_the_feeds_whose_bytes_changed(
    hub: Hub, content: ContentTree, build: Callable[[], Result]
) -> None:
    three_issues(content, hub=hub.url)
    build()
    hub.received.clear()
    content.issue("2011-02-23", tags=["housing"])
    assert build().exit_code == 0
    assert sorted(hub.published()) == sorted(feed_urls("issues", "articles", "tags/housing"))


def test_no_hub_no_notification(content: ContentTree, build: Callable[[], Result]) -> None:
    three_issues(content)
    result = build()
    assert result.exit_code == 0
    assert "websub" not in result.output


def test_hub_answering_500_is_retried_reported_and_the_build_stands(
    hub: Hub, content: ContentTree, build: Callable[[], Result], store_path: Path
) -> None:
    hub.status = 500
    three_issues(content, hub=hub.url)
    result = build()
    assert result.exit_code == 0
    assert open_store(store_path).issue_count == 3
    assert f"websub: {hub.url} answered 500" in result.stderr
    assert "15 feed(s) not notified; the build itself succeeded" in result.stderr
    assert len(hub.received) == 3  # three attempts at the first feed, then it gives up


def test_hub_that_times_out_is_retried_then_reported(hub: Hub) -> None:
    hub.delay = 5
    with pytest.raises(HubFailed, match="did not answer"):
        publish(hub.url, feed_urls("issues"), QUICK)
    assert len(hub.received) == QUICK.attempts


def test_hub_refusing_a_notification_is_not_retried(hub: Hub) -> None:
    hub.status = 400
    with pytest.raises(HubFailed, match="answered 400"):
        publish(hub.url, feed_urls("issues"), QUICK)
    assert len(hub.received) == 1


def test_unreachable_hub_never_fails_the_build(
    content: ContentTree, build: Callable[[], Result]
) -> None:
    three_issues(content, hub=f"http://127.0.0.1:{free_port()}/")
    result = build()
    assert result.exit_code == 0
    assert "did not answer" in result.stderr and "the build itself succeeded" in result.stderr
