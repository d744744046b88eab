"""End to end: the real `briefing serve` (gunicorn, two workers) over a store rebuilt under it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.store import Store
from tests.factories import ContentTree
from tests.servers import BRIEFING, Server, StartServer, free_port, get_json
from tests.storefaults import damaged_copy

# README.md (Deploying): within 2 seconds of the rename, every worker serves the new store.
SWITCH_WITHIN = 2.0
Build = Callable[[ContentTree], str]


@dataclass(frozen=True)
class Answer:
    sent: float  # time.monotonic() when the request went out
    status: int  # 0: the request failed without an HTTP answer
    body: dict[str, Any]


def answered_since(answers: list[Answer], moment: float) -> list[Answer]:
    return [answer for answer in answers if answer.sent > moment]


def failures(answers: list[Answer]) -> list[Answer]:
    return [answer for answer in answers if answer.status != 200]


def versions(answers: list[Answer]) -> set[str | None]:
    return {answer.body.get("content_version") for answer in answers}


class ReadyzPoller:
    """Clients asking /readyz back to back for a while; every answer kept with when it was asked."""

    def __init__(self, server: Server, seconds: float, clients: int = 2) -> None:
        self.url = f"{server.url}/readyz"
        self.until = time.monotonic() + seconds
        self.answers: list[Answer] = []
        self.threads = [threading.Thread(target=self.poll, daemon=True) for _ in range(clients)]

    def __enter__(self) -> ReadyzPoller:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, failure: type[BaseException] | None, *_: object) -> None:
        if failure is not None:
            self.until = 0.0
        for thread in self.threads:
            thread.join(timeout=max(0.0, self.until - time.monotonic()) + 10)

    def poll(self) -> None:
        while (sent := time.monotonic()) < self.until:
            try:
                status, body = get_json(self.url)
            except Exception as exc:  # a failed request is an answer the test asserts on
                status, body = 0, {"error": repr(exc)}
            self.answers.append(Answer(sent, status, body))
            time.sleep(0.01)


def warm_up(server: Server) -> list[Answer]:
    """A second of concurrent requests, so that every worker has opened the store."""
    with ReadyzPoller(server, seconds=1, clients=4) as poller:
        pass
    return poller.answers


@pytest.fixture
def build(build_store: Callable[[ContentTree], Store]) -> Build:
    """`briefing build` into store_path; the content version open_store() then reads from it."""

    def run(tree: ContentTree) -> str:
        store = build_store(tree)
        store.close()
        return store.content_version

    return run


def test_healthz_and_readyz_report_the_store(
    content: ContentTree, build: Build, start_server: StartServer
) -> None:
    content.issue("2011-01-12")
    content.issue("2011-01-26")
    version = build(content)
    server = start_server()
    assert get_json(f"{server.url}/healthz") == (200, {"status": "ok"})
    status, body = get_json(f"{server.url}/readyz")
    assert status == 200
    assert body["status"] == "ready"
    assert body["content_version"] == version
    assert body["issues"] == 2
    assert "warning" not in body


def test_sighup_makes_every_worker_serve_the_rebuilt_store(
    content: ContentTree, build: Build, start_server: StartServer
) -> None:
    content.issue("2011-01-12")
    old = build(content)
    server = start_server(BRIEFING_STORE_CHECK_INTERVAL="3600")
    assert versions(warm_up(server)) == {old}
    content.issue("2011-01-26")
    new = build(content)
    assert versions(warm_up(server)) == {old}, "workers looked at the store before the hour"
    with ReadyzPoller(server, seconds=SWITCH_WITHIN + 2, clients=4) as poller:
        os.kill(server.process.pid, signal.SIGHUP)
        hung_up = time.monotonic()
    assert failures(poller.answers) == []
    late = answered_since(poller.answers, hung_up + SWITCH_WITHIN)
    assert late and versions(late) == {new}


@pytest.mark.parametrize("state", ["missing", "damaged"])
def test_serve_without_a_good_store_exits_with_a_one_line_error(
    state: str, content: ContentTree, build: Build, store_path: Path, tmp_path: Path
) -> None:
    if state == "damaged":
        content.issue("2011-01-12")
        build(content)
        os.replace(damaged_copy(store_path, tmp_path / "damaged"), store_path)
    command = [BRIEFING, "serve", "--store", store_path, "--bind", f"127.0.0.1:{free_port()}"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert finished.returncode == 1
    assert finished.stdout == ""
    reason = "no store file here" if state == "missing" else "damaged store"
    assert re.fullmatch(f"briefing serve: {store_path}: {reason}.*\n", finished.stderr)
