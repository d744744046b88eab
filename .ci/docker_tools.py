"""What .ci/docker_image.py and .ci/docker_checks.py share: commands, docker, reporting."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "briefing:latest"
STARTED = time.monotonic()


class Failure(Exception):
    """A check or a step failed; the message says what and why."""


def say(message: str) -> None:
    print(f"docker-test [{time.monotonic() - STARTED:5.0f} s] {message}", flush=True)


def run(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command; its output is captured unless stdout is given."""
    kwargs.setdefault("capture_output", "stdout" not in kwargs)
    result = subprocess.run([str(arg) for arg in args], text=True, **kwargs)
    if result.returncode != 0 and kwargs.get("check", True):
        output = (result.stderr or result.stdout or "").strip()[-2000:]
        raise Failure(f"`{' '.join(map(str, args))}` exited {result.returncode}: {output}")
    return result


def docker(*args: str | Path, **kwargs: Any) -> str:
    return run("docker", *args, **kwargs).stdout or ""


def inspect(name: str) -> dict[str, Any]:
    return json.loads(docker("inspect", name))[0]
