"""A real `briefing preview` on a loopback port, for end-to-end and browser tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import BRIEFING, free_port, get_json, wait_until

STOP_TIMEOUT = 15  # seconds


@dataclass(frozen=True)
class Preview:
    process: subprocess.Popen[bytes]
    url: str
    output: Path  # what it printed, stdout and stderr
    temporary: Path  # its TMPDIR, where it keeps its private store

    def printed(self) -> list[str]:
        return self.output.read_text().splitlines()


def answers(preview: Preview) -> bool:
    if preview.process.poll() is not None:
        pytest.fail(f"`briefing preview` exited:\n{preview.output.read_text()}")
    try:
        return get_json(f"{preview.url}/healthz")[0] == 200
    except OSError:
        return False


def interrupt(preview: Preview) -> int:
    """Ctrl-C, as a terminal sends it: SIGINT to the preview and every process it started (its
    own session, and nothing else); its exit status."""
    os.killpg(preview.process.pid, signal.SIGINT)
    try:
        return preview.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(preview.process.pid, signal.SIGKILL)
        preview.process.wait(timeout=5)
        pytest.fail(f"`briefing preview` did not stop on Ctrl-C:\n{preview.output.read_text()}")


@contextlib.contextmanager
def previewing(tmp_path: Path, content: str = "content") -> Iterator[Preview]:
    """`briefing preview CONTENT` run in tmp_path on a free port, stopped by Ctrl-C on leaving."""
    port = free_port()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")}
    env = {**inherited, "TMPDIR": str(temporary)}
    output = tmp_path / f"preview-{port}.log"
    with output.open("wb") as written:
        process = subprocess.Popen(
            [BRIEFING, "preview", content, "--bind", f"127.0.0.1:{port}"],
            cwd=tmp_path,
            env=env,
            stdout=written,
            stderr=written,
            start_new_session=True,
        )
    preview = Preview(process, f"http://127.0.0.1:{port}", output, temporary)
    try:
        wait_until(lambda: answers(preview), 15, "answer from the preview's /healthz")
        yield preview
    finally:
        if process.poll() is None:
            interrupt(preview)
        with contextlib.suppress(ProcessLookupError):  # anything of its session left behind
            os.killpg(process.pid, signal.SIGKILL)
