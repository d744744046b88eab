"""Faults under load, on the real `briefing serve` (gunicorn, two workers) over a real store.

Client threads go round feeds, API and pages on kept-alive connections while the store is
swapped, broken or a worker killed; every answer is kept and judged afterwards.
"""

from __future__ import annotations

import http.client
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import Result

from service.store import Store
from tests.factories import ContentTree
from tests.load import Load, failed, memory_kib, plain, revalidating, summary, workers
from tests.servers import Server, StartServer, get_json, wait_until
from tests.storefaults import damaged_copy, garbage, truncated_copy, truncated_in_place

SWITCH_WITHIN = 2.0  # README.md: every worker serves a renamed store within 2 seconds
OLD, NEW = "2011-01-12", "2011-01-26"
# Every kind of document; the new issue must show in those of LISTS once it is in service.
LISTS = [
    "/feeds/issues.atom",
    "/feeds/issues.rss",
    "/feeds/issues.json",
    "/feeds/articles.atom",
    "/feeds/tags/housing.atom",
    "/api/v1/issues",
    "/api/v1/articles?tag=housing",
    "/api/v1/search?q=paragraph",
    "/",
    "/tags/housing",
    "/search?q=paragraph",
]
STEADY = [f"/api/v1/issues/{OLD}", f"/issues/{OLD}", "/api/v1/tags", "/subscribe"]
PATHS = LISTS + STEADY
CLIENTS = [plain, revalidating, plain, revalidating]
# A worker's memory after a minute of load, beyond where it stood after five seconds: its
# caches are full by then, so anything more than allocator noise would be a leak.
GROWTH_KIB = 1024
Build = Callable[[ContentTree], Store]


@pytest.fixture
def serving_old_issue(
    content: ContentTree, build_store: Build, start_server: StartServer
) -> Server:
    content.issue(OLD, tags=["housing"])
    build_store(content).close()
    return start_server()


def publish_new_issue(content: ContentTree, build_store: Build) -> float:
    """Build the store with the new issue; when it was renamed into place."""
    content.issue(NEW, tags=["housing"])
    build_store(content).close()
    return time.monotonic()


def shows_new_issue(body: bytes) -> bool:
    return NEW.encode() in body


def assert_new_issue_everywhere(load: Load, since: float) -> None:
    late = [answer for answer in load.since(since) if answer.path in LISTS]
    assert {answer.path for answer in late} == set(LISTS), "every list asked for after the swap"
    stale = [answer.path for answer in late if not shows_new_issue(answer.body)]
    assert stale == [], f"{len(stale)} answers without the new issue, from {sorted(set(stale))}"


def test_store_swapped_under_load_fails_nothing_and_is_everywhere_within_two_seconds(
    serving_old_issue: Server, content: ContentTree, build_store: Build
) -> None:
    with Load(serving_old_issue.url, PATHS, CLIENTS) as load:
        load.run_until(time.monotonic() + 2)
        before = load.since(0)
        swapped = publish_new_issue(content, build_store)
        load.run_until(swapped + SWITCH_WITHIN + 2)
    answers = load.answers
    print(f"{len(answers)} requests: {summary(answers)}")
    assert len(answers) >= 2000, summary(answers)
    assert failed(answers) == []
    assert not any(shows_new_issue(answer.body) for answer in before)
    assert_new_issue_everywhere(load, swapped + SWITCH_WITHIN)


@pytest.mark.parametrize(
    "breakage, problem",
    [
        (truncated_copy, "damaged store"),
        (damaged_copy, "damaged store"),
        (garbage, "not a briefing store"),
    ],
    ids=["truncated", "damaged", "garbage"],
)
def test_broken_store_under_load_leaves_the_last_good_one_in_service(
    breakage: Callable[[Path, Path], Path],
    problem: str,
    serving_old_issue: Server,
    content: ContentTree,
    run_cli: Callable[..., Result],
    store_path: Path,
    tmp_path: Path,
) -> None:
    server = serving_old_issue
    good_version = get_json(f"{server.url}/readyz")[1]["content_version"]
    content.issue(NEW, tags=["housing"])
    good_copy = tmp_path / "new.sqlite3"  # the new issue, published once the breakage is seen
    assert run_cli("build", content.root, "--store", good_copy).exit_code == 0
    with Load(server.url, PATHS, CLIENTS) as load:
        broken = breakage(good_copy, tmp_path / "broken.sqlite3")
        os.replace(broken, store_path)
        replaced = time.monotonic()
        load.run_until(replaced + SWITCH_WITHIN + 1)
        readiness = get_json(f"{server.url}/readyz")
        fixed = time.monotonic()  # taken first: an answer received before it came before the rename
        os.replace(good_copy, store_path)
        load.run_until(fixed + SWITCH_WITHIN + 1)
    assert failed(load.answers) == [], summary(load.answers)
    assert readiness[0] == 200, readiness
    assert readiness[1]["content_version"] == good_version
    assert problem in readiness[1]["warning"] and str(store_path) not in readiness[1]["warning"]
    assert f"{store_path}: {problem}" in server.log.read_text(), "the log names file and problem"
    # Answers that came back before the good store was renamed in (one sent just before the
    # rename may be answered from the new store).
    broken_time = [a for a in load.since(replaced) if a.received < fixed and a.path in LISTS]
    assert broken_time and not any(shows_new_issue(answer.body) for answer in broken_time)
    assert_new_issue_everywhere(load, fixed + SWITCH_WITHIN)
    assert "warning" not in get_json(f"{server.url}/readyz")[1]


# A 404, never kept by the response cache: each request for it reads the store.
MISSING = f"/api/v1/issues/{OLD}/articles/nope"
# An address in each area, with the media type of its errors for a browser.
AREAS = {
    MISSING: "application/problem+json",
    f"/issues/{OLD}": "text/html",
    "/feeds/articles.json": "text/plain",
}


def browse(server: Server, path: str) -> http.client.HTTPResponse:
    """GET path as a browser would, on a connection of its own; the answer, read."""
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "text/html,*/*;q=0.8"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response


def test_store_damaged_in_place_under_load_answers_503_never_500_until_a_good_one_is_in(
    serving_old_issue: Server,
    content: ContentTree,
    run_cli: Callable[..., Result],
    store_path: Path,
    tmp_path: Path,
) -> None:
    server = serving_old_issue
    content.issue(NEW, tags=["housing"])
    good_copy = tmp_path / "new.sqlite3"
    assert run_cli("build", content.root, "--store", good_copy).exit_code == 0
    with Load(server.url, [*PATHS, MISSING], CLIENTS) as load:
        load.run_until(time.monotonic() + 1)
        truncated_in_place(store_path)  # an operator's `cp` over the store in service, midway
        cut = time.monotonic()
        load.run_until(cut + SWITCH_WITHIN + 1)
        readiness = get_json(f"{server.url}/readyz")
        refusals = {path: browse(server, path) for path in AREAS}
        fixed = time.monotonic()  # taken first: an answer received before it came before the rename
        os.replace(good_copy, store_path)
        load.run_until(fixed + SWITCH_WITHIN + 1)
    print(f"{len(load.answers)} requests: {summary(load.answers)}")
    assert failed(load.answers, allowed=(200, 304, 404, 503)) == [], summary(load.answers)
    broken_time = [a for a in load.since(cut + SWITCH_WITHIN) if a.received < fixed]
    assert broken_time and failed(broken_time, allowed=(503,)) == [], summary(broken_time)
    for path, refusal in refusals.items():
        assert refusal.status == 503, path
        assert refusal.headers.get_content_type() == AREAS[path], path
        assert int(refusal.headers["Retry-After"]) >= 1, path
    assert readiness[0] == 503, readiness
    assert "damaged store" in readiness[1]["reason"]
    assert str(store_path) not in readiness[1]["reason"]
    assert f"{store_path}: damaged store" in server.log.read_text(), "the log names the file"
    assert_new_issue_everywhere(load, fixed + SWITCH_WITHIN)
    assert get_json(f"{server.url}/readyz")[0] == 200


def test_a_worker_killed_with_sigkill_is_replaced_and_requests_after_it_succeed(
    serving_old_issue: Server,
) -> None:
    server = serving_old_issue
    wait_until(lambda: len(workers(server.process.pid)) == 2, 15, "two workers")
    first = workers(server.process.pid)
    with Load(server.url, PATHS, CLIENTS) as load:
        load.run_until(time.monotonic() + 1)
        os.kill(first[0], signal.SIGKILL)
        wait_until(lambda: first[0] not in workers(server.process.pid), 10, "reaped worker")
        wait_until(lambda: len(workers(server.process.pid)) == 2, 15, "replacement worker")
        replaced = time.monotonic()
        wait_until(lambda: get_json(f"{server.url}/readyz")[0] == 200, 15, "ready answer")
        load.run_until(time.monotonic() + 3)
    after = load.since(replaced + 1)  # what was in flight to the killed worker may fail
    print(f"{len(load.answers)} requests: {summary(load.answers)}")
    assert after and failed(after) == [], summary(after)
    assert server.process.poll() is None, "the master lives on"
    assert f"(pid:{first[0]})" in server.log.read_text(), "gunicorn logs the lost worker"


def test_sixty_seconds_of_feed_readers_fail_nothing_and_grow_no_worker(
    serving_old_issue: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server = serving_old_issue
    feeds = ["/feeds/issues.atom", "/feeds/issues.rss", "/feeds/issues.json"]
    with Load(server.url, feeds, CLIENTS) as load:
        load.run_until(time.monotonic() + 5)  # every worker has loaded and cached what it serves
        pids = workers(server.process.pid)
        before = {pid: memory_kib(pid) for pid in pids}
        measured = time.monotonic()
        load.run_until(measured + 60)
        after = {pid: memory_kib(pid) for pid in pids}
    answers = load.since(measured)
    statuses = {answer.status for answer in answers}
    with capsys.disabled():
        print(f"\n60 s of feed readers: {len(answers)} requests ({summary(answers)})")
        for pid in pids:
            print(f"  worker {pid}: {before[pid]} KiB before, {after[pid]} KiB after")
    assert failed(load.answers) == [], summary(load.answers)
    assert statuses == {200, 304}
    assert workers(server.process.pid) == pids, "no worker was restarted"
    for pid in pids:
        assert after[pid] <= before[pid] + GROWTH_KIB, f"worker {pid} grew"
