"""One handler turns every error into the answer its audience expects.

Each area registers a renderer for its path prefix (the API: problem+json; pages: HTML);
the longest matching prefix wins, and anything else gets a short plain-text answer. Views
raise Werkzeug's HTTP exceptions; the store's absence, and a store found damaged while a
request reads it, become 503 with Retry-After; nothing else leaks out.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    PreconditionFailed,
    ServiceUnavailable,
)

from service.errors import StoreError, StoreUnavailable
from service.live import live_store
from service.responses import PRECONDITION_FAILED, STORE_KEY

log = logging.getLogger(__name__)
RENDERERS = "briefing.error_renderers"
MISSING_MAX_AGE = 60  # seconds a cache may keep a 404 or 410
ErrorRenderer = Callable[[HTTPException], Response]


def init_app(app: Flask) -> None:
    app.extensions[RENDERERS] = {}
    app.register_error_handler(HTTPException, render)
    app.register_error_handler(StoreUnavailable, unavailable)
    app.register_error_handler(StoreError, damaged)
    app.register_error_handler(Exception, unexpected)
    app.before_request(refuse_failed_precondition)
    app.after_request(cache_control)


def register(app: Flask, prefix: str, renderer: ErrorRenderer) -> None:
    """Render the errors of every path under `prefix` with `renderer`."""
    app.extensions[RENDERERS][prefix] = renderer


def render(error: HTTPException) -> Response:
    renderers: dict[str, ErrorRenderer] = current_app.extensions[RENDERERS]
    matching = [prefix for prefix in renderers if request.path.startswith(prefix)]
    if matching:
        return renderers[max(matching, key=len)](error)
    return plain_text(error)


def refuse_failed_precondition() -> None:
    """The 412 the response cache asks for (service.responses.PRECONDITION_FAILED)."""
    if request.environ.get(PRECONDITION_FAILED):
        raise PreconditionFailed()


def cache_control(response: Response) -> Response:
    """Every error says how long it may be kept, so that no cache keeps one by heuristic
    (RFC 9111, section 4.2.2), whichever handler rendered it."""
    if response.status_code < 400 or "Cache-Control" in response.headers:
        return response
    if response.status_code in (404, 410):
        # About the address, not the request: briefly, since the next build may publish it.
        response.cache_control.public = True
        response.cache_control.max_age = MISSING_MAX_AGE
    else:
        # The request's own fault (400, 405, 412) or the server's state (5xx): never kept.
        response.cache_control.no_store = True
    return response


def plain_text(error: HTTPException) -> Response:
    response = Response(f"{error.code} {error.name}\n", status=error.code, mimetype="text/plain")
    response.headers.extend(extra_headers(error))
    return response


def extra_headers(error: HTTPException) -> list[tuple[str, str]]:
    """Headers an HTTP error must carry, such as Allow on a 405."""
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]


def unavailable(error: StoreUnavailable) -> Response:
    return render(ServiceUnavailable(description=error.reason, retry_after=retry_after()))


def damaged(error: StoreError) -> Response:
    """The store this request read went bad under it: out of service, and this answer a 503."""
    live_store().damaged(request.environ.get(STORE_KEY), error)
    return render(ServiceUnavailable(description=error.reason, retry_after=retry_after()))


def retry_after() -> int:
    """Seconds until this worker has looked at the store file again (and may serve a good one)."""
    return math.ceil(live_store().check_interval) + 1


def unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return render(error)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return render(InternalServerError())
