"""One handler turns every error into the answer its audience expects.

Each area registers a renderer for its path prefix (the API: problem+json; pages: HTML);
the longest matching prefix wins, and anything else gets a short plain-text answer. Views
raise Werkzeug's HTTP exceptions; the store's absence becomes 503; nothing else leaks out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from service.live import StoreUnavailable

log = logging.getLogger(__name__)
RENDERERS = "briefing.error_renderers"
ErrorRenderer = Callable[[HTTPException], Response]


def init_app(app: Flask) -> None:
    app.extensions[RENDERERS] = {}
    app.register_error_handler(HTTPException, render)
    app.register_error_handler(StoreUnavailable, unavailable)
    app.register_error_handler(Exception, unexpected)


def register(app: Flask, prefix: str, renderer: ErrorRenderer) -> None:
    """Render the errors of every path under `prefix` with `renderer`."""
    app.extensions[RENDERERS][prefix] = renderer


def render(error: HTTPException) -> Response:
    renderers: dict[str, ErrorRenderer] = current_app.extensions[RENDERERS]
    matching = [prefix for prefix in renderers if request.path.startswith(prefix)]
    if matching:
        return renderers[max(matching, key=len)](error)
    return plain_text(error)


def plain_text(error: HTTPException) -> Response:
    response = Response(f"{error.code} {error.name}\n", status=error.code, mimetype="text/plain")
    response.headers.extend(extra_headers(error))
    return response


def extra_headers(error: HTTPException) -> list[tuple[str, str]]:
    """Headers an HTTP error must carry, such as Allow on a 405."""
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]


def unavailable(error: StoreUnavailable) -> Response:
    return render(ServiceUnavailable(description=error.reason))


def unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return render(error)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return render(InternalServerError())
