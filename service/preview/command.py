"""`briefing preview`: a private store in a temporary folder, the service serving it under
gunicorn as `briefing serve` does (one worker), and a rebuild after every save until Ctrl-C.

gunicorn runs in a process of its own, started fresh (not forked from this one, whose loop
may be midway through a build), so that it and its worker are exactly the production service.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from service.preview.rebuild import PrivateStore
from service.preview.shown import CONFIG_KEY
from service.preview.watch import Watcher

# Seconds between a new build's rename and the worker serving it (the service's own is 1).
STORE_CHECK_INTERVAL = 0.1
STOP_TIMEOUT = 10  # seconds gunicorn has to stop once told to, before it is killed


class ServerStopped(Exception):
    """The preview's gunicorn exited of itself (its address in use, say)."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"the server exited with status {exitcode}")


def preview(content_root: Path, bind: str, echo: Callable[[str], None]) -> int:
    """Serve a preview of content_root at bind until Ctrl-C or SIGTERM; the exit status."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped as by Ctrl-C
    with tempfile.TemporaryDirectory(prefix="briefing-preview-") as folder:
        private = PrivateStore(content_root, Path(folder))
        watcher = Watcher(content_root)  # before the first build: a save meanwhile is a change
        try:
            echo(stamped(private.rebuild()))
            with serving(private, bind) as server:
                echo(f"briefing preview: {content_root} at http://{bind}/ (Ctrl-C stops)")
                watch(watcher, private, server, echo)
        except KeyboardInterrupt:
            said, status = "stopped", 0
        except ServerStopped as stopped:
            said, status = f"{stopped}, so the preview stopped", 1
    echo(f"briefing preview: {said}; its private store is removed.")
    return status


def watch(
    watcher: Watcher,
    private: PrivateStore,
    server: multiprocessing.process.BaseProcess,
    echo: Callable[[str], None],
) -> NoReturn:
    """Rebuild after every change, for as long as the server runs."""

    def pause(seconds: float) -> None:
        server.join(seconds)
        if not server.is_alive():
            raise ServerStopped(server.exitcode)

    while True:
        watcher.wait_for_change(pause)
        echo(stamped(private.rebuild()))


def stamped(line: str) -> str:
    return f"{time.strftime('%H:%M:%S')} {line}"


@contextlib.contextmanager
def serving(private: PrivateStore, bind: str) -> Iterator[multiprocessing.process.BaseProcess]:
    """gunicorn serving the private store as a preview, every link to itself; stopped after."""
    settings = {
        "STORE": str(private.store),
        "STORE_CHECK_INTERVAL": STORE_CHECK_INTERVAL,
        "BASE_URL": f"http://{bind}",
        CONFIG_KEY: str(private.report),
    }
    server = multiprocessing.get_context("spawn").Process(
        target=serve_preview, args=(settings, bind), name="briefing preview server"
    )
    server.start()
    try:
        yield server
    finally:
        stop(server)


def serve_preview(settings: dict[str, Any], bind: str) -> None:
    """The service's own gunicorn and settings, with one worker and no access log: the
    terminal is the editor's, for one line a rebuild."""
    from service import create_app
    from service.serve import serve

    serve(functools.partial(create_app, settings), bind, 1, accesslog=None, loglevel="warning")


def stop(server: multiprocessing.process.BaseProcess) -> None:
    """Stop gunicorn at once (SIGINT, as Ctrl-C does: nothing in flight is worth waiting for)."""
    if server.is_alive() and server.pid is not None:
        os.kill(server.pid, signal.SIGINT)
    server.join(STOP_TIMEOUT)
    if server.is_alive():
        server.kill()
        server.join()
