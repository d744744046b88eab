"""Real `briefing serve` processes on loopback ports, for end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BRIEFING = Path(sys.executable).with_name("briefing")
WORKERS = 2


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


StartServer = Callable[..., Server]


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    """GET url: its status and JSON body, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def access_log(server: Server) -> list[dict[str, Any]]:
    """The server's access log so far, one JSON object a line (error log lines left out)."""
    written = server.log.read_text().split("\n")[:-1]  # the last line may be half written
    return [json.loads(line) for line in written if line.startswith("{")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout} s")
        time.sleep(0.05)


def is_live(server: Server) -> bool:
    if server.process.poll() is not None:
        pytest.fail(f"`briefing serve` exited:\n{server.log.read_text()}")
    try:
        return get_json(f"{server.url}/healthz")[0] == 200
    except OSError:
        return False


def workers_answering(server: Server) -> int:
    """How many workers have answered so far (each has loaded the app, and opened the store)."""
    is_live(server)
    return len({line["pid"] for line in access_log(server)})


def serving(tmp_path: Path, store_path: Path) -> Iterator[StartServer]:
    """Start `briefing serve` on a free port with two workers; stopped when the test ends."""
    started: list[Server] = []
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")}

    def start(own_base_url: bool = False, **env: str) -> Server:
        """Start one server; with own_base_url, every link it writes points at itself."""
        port = free_port()
        if own_base_url:
            env = {"BRIEFING_BASE_URL": f"http://127.0.0.1:{port}", **env}
        log = tmp_path / f"serve-{port}.log"
        command = [BRIEFING, "serve", "--store", store_path]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env={**inherited, **env}, cwd=tmp_path, stdout=output, stderr=output
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        started.append(server)
        wait_until(lambda: is_live(server), 15, "answer from /healthz")
        wait_until(lambda: workers_answering(server) == WORKERS, 15, "answer from every worker")
        return server

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=5)


@contextlib.contextmanager
def one_server(store: Path, **env: str) -> Iterator[Server]:
    """One `briefing serve` of store (env: BRIEFING_* settings), stopped on leaving."""
    starting = serving(store.parent.parent, store)
    try:
        yield next(starting)(**env)
    finally:
        for _ in starting:  # stops the server
            pass
