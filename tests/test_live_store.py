"""The store in service: switches to a rebuilt store, keeps the last good one on failure."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.errors import StoreError, StoreUnavailable
from service.live import LiveStore
from service.store import Store
from tests.factories import ContentTree
from tests.storefaults import damaged_copy, truncated_in_place


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def live(store_path: Path, clock: Clock) -> LiveStore:
    return LiveStore(store_path, check_interval=1.0, clock=clock)


def test_switches_to_a_rebuilt_store_after_the_interval(
    content: ContentTree, build_store: Callable[[ContentTree], Store], live: LiveStore, clock: Clock
) -> None:
    content.issue("2011-01-12")
    first = build_store(content).content_version
    assert live.current().content_version == first
    content.issue("2011-01-26")
    second = build_store(content).content_version

    clock.now += 0.5
    assert live.current().content_version == first, "looked at the file within the interval"
    clock.now += 0.5
    assert live.current().content_version == second


def test_unchanged_file_is_not_reopened(
    content: ContentTree, build_store: Callable[[ContentTree], Store], live: LiveStore, clock: Clock
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    store = live.current()
    clock.now += 5
    assert live.current() is store


def test_no_store_is_unavailable_with_the_reason(live: LiveStore) -> None:
    with pytest.raises(StoreUnavailable) as raised:
        live.current()
    assert raised.value.reason == "no store file here: run `briefing build` first"


def test_a_store_that_cannot_be_read_is_told_in_words_and_logged_with_its_path(
    live: LiveStore, store_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_path.parent.write_text("a file where the store's folder belongs")
    with pytest.raises(StoreUnavailable) as raised:
        live.current()
    assert raised.value.reason == "the store cannot be read (Not a directory)"
    assert f"{store_path}: the store cannot be read (Not a directory)" in caplog.text


def test_a_store_that_cannot_be_opened_leaves_the_last_good_one_in_service(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    live: LiveStore,
    clock: Clock,
    store_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    content.issue("2011-01-12")
    good = build_store(content).content_version
    live.current()
    broken = store_path.with_name("broken")
    broken.write_bytes(b"\0" * 4096)
    os.replace(broken, store_path)

    clock.now += 1
    assert live.current().content_version == good
    assert live.problem is not None and "not a briefing store" in live.problem
    assert "the last good store stays in service" in caplog.text

    build_store(content)
    clock.now += 1
    assert live.current().content_version == good
    assert live.problem is None


def test_a_removed_store_file_leaves_the_last_good_one_in_service(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    live: LiveStore,
    clock: Clock,
    store_path: Path,
) -> None:
    content.issue("2011-01-12")
    good = build_store(content).content_version
    live.current()
    store_path.unlink()
    clock.now += 1
    assert live.current().content_version == good
    assert live.problem == "no store file here: run `briefing build` first"


def test_a_damaged_store_leaves_the_last_good_one_in_service(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    live: LiveStore,
    clock: Clock,
    store_path: Path,
    tmp_path: Path,
) -> None:
    content.issue("2011-01-12")
    good = build_store(content).content_version
    live.current()
    content.issue("2011-01-26")
    newer = build_store(content)
    damaged = damaged_copy(newer.path, tmp_path / "damaged.sqlite3")
    os.replace(damaged, store_path)
    clock.now += 1
    assert live.current().content_version == good
    assert live.problem is not None and "damaged store" in live.problem


def test_a_store_damaged_in_place_is_out_of_service_until_a_good_one_is_renamed_in(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    live: LiveStore,
    clock: Clock,
    store_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    content.issue("2011-01-12")
    good = build_store(content).content_version
    live.current()
    truncated_in_place(store_path)  # the file in service itself, as a `cp` over it leaves it

    clock.now += 1
    with pytest.raises(StoreUnavailable) as raised:
        live.current()
    assert raised.value.reason.startswith("the store in service changed in place: damaged store")
    assert str(store_path) not in raised.value.reason
    assert f"{store_path}: damaged store" in caplog.text

    build_store(content)
    clock.now += 1
    assert live.current().content_version == good
    assert live.problem is None


def test_a_store_a_request_found_damaged_is_out_of_service(
    content: ContentTree, build_store: Callable[[ContentTree], Store], live: LiveStore, clock: Clock
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    store = live.current()
    live.damaged(store, StoreError(str(store.path), "damaged store (disk I/O error)"))
    with pytest.raises(StoreUnavailable) as raised:
        live.current()
    assert (
        raised.value.reason
        == "the store in service changed in place: damaged store (disk I/O error)"
    )
    clock.now += 1
    assert live.current().content_version == store.content_version, "the file, looked at again"


def test_a_damaged_store_no_longer_in_service_leaves_the_one_in_service(
    content: ContentTree, build_store: Callable[[ContentTree], Store], live: LiveStore, clock: Clock
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    old = live.current()
    content.issue("2011-01-26")
    build_store(content)
    clock.now += 1
    new = live.current()
    live.damaged(old, StoreError(str(old.path), "damaged store (disk I/O error)"))
    assert live.current() is new
    assert live.problem is None


def test_other_requests_go_on_with_the_store_in_service_while_one_opens_the_new_file(
    content: ContentTree, build_store: Callable[[ContentTree], Store], live: LiveStore, clock: Clock
) -> None:
    content.issue("2011-01-12")
    good = build_store(content).content_version
    live.current()
    content.issue("2011-01-26")
    build_store(content)
    clock.now += 1
    with live._lock, ThreadPoolExecutor(1) as request:  # another request opens the new file
        assert request.submit(live.current).result(timeout=5).content_version == good
    assert live.current().content_version != good
