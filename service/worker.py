"""gunicorn's workers: the service's gevent worker, and the requests gunicorn refuses itself
answered as the service would.

gunicorn refuses some requests before any app runs: a request line longer than
limit_request_line (414), too many or too large header fields (431), a request line or header
it cannot parse (400). Its answer is a small HTML page without `X-Content-Type-Options`. The
request's path is not known then (not even read, for a bad request line), so no area's format
applies: these workers answer as the service answers a path no area claims, with the status in
plain text (`414 URI Too Long`), nosniff, and `Cache-Control: no-store` (the request's fault,
kept by no cache). gunicorn still decides the status and logs the refusal; only the bytes it
writes change.
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn.workers import base_async, ggevent, gthread, sync

# Seconds a connection may take to receive one answer whole (gevent's sendall bounds the whole
# call): a reader that takes longer is cut off, so slow readers cannot pile up in a worker.
SEND_TIMEOUT = 30.0
ANSWER = (
    "HTTP/1.1 {status}\r\n"
    "Connection: close\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Length: {length}\r\n"
    "\r\n"
    "{body}"
)


class PlainTextErrors:
    """Mixed into a gunicorn worker class: its own error answers are plain text."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, PlainTextAnswer(client), addr, exc)  # type: ignore[misc]


class GeventWorker(PlainTextErrors, ggevent.GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker (the service's: see service.gunicorn_conf), every connection a
    greenlet: idle, slow and slowloris clients hold a few kilobytes each, never a thread.

    gunicorn gives each request `keepalive` seconds to arrive whole (its timeout_ctx), which
    ends slowloris connections; this worker also bounds the time an answer takes to send.
    """

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        client.settimeout(SEND_TIMEOUT)  # where gevent's worker would make it block for ever
        base_async.AsyncWorker.handle(self, listener, client, addr)


class ThreadWorker(PlainTextErrors, gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker, for measuring against."""


class SyncWorker(PlainTextErrors, sync.SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker, for measuring against."""


class PlainTextAnswer:
    """The client's socket as gunicorn's error handler sees it: the HTML page it writes
    (`HTTP/1.1 414 URI Too Long ... <html>...`) goes out as that status in plain text."""

    def __init__(self, client: socket.socket) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)  # gettimeout and setblocking, around the write

    def sendall(self, data: bytes) -> None:
        status = data.partition(b"\r\n")[0].partition(b" ")[2].decode("latin-1")
        body = f"{status}\n"
        answer = ANSWER.format(status=status, length=len(body), body=body)
        self.client.sendall(answer.encode("latin-1"))
