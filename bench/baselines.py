"""What the service is measured against, each started by gunicorn exactly like the service.

gunicorn 'bench.baselines:prepared_bytes(120000)'   the server's own limit for N bytes
gunicorn "bench.baselines:prepared_bytes(120000, [('ETag', '\"x\"')])"   ... with more headers
gunicorn 'bench.baselines:hello()'                  the limit for a tiny answer (304s)
gunicorn 'bench.baselines:bare_flask(120000)'       a bare Flask view, same bytes
gunicorn "bench.baselines:naive_feed('store.sqlite3')"  feedgen on every request
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response

__all__ = ["bare_flask", "hello", "naive_feed", "prepared_bytes"]

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def prepared_bytes(size: int, extra: Iterable[tuple[str, str]] = ()) -> WSGIApp:
    """`size` bytes with a Content-Type and Content-Length, and any `extra` headers."""
    body = b"x" * size
    headers = [
        ("Content-Type", "application/atom+xml; charset=utf-8"),
        *extra,
        ("Content-Length", str(size)),
    ]

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    return app


def hello() -> WSGIApp:
    return prepared_bytes(5)


def bare_flask(size: int) -> Flask:
    app = Flask(__name__)
    body = b"x" * size

    @app.get("/")
    def view() -> Response:
        return Response(body, mimetype="application/atom+xml")

    return app


def naive_feed(store_path: str) -> Flask:
    """The subscription feed rendered with feedgen on every request: no response cache."""
    from service import create_app

    app = create_app({"STORE": store_path, "CACHE_MAX_BYTES": 0})
    return app
