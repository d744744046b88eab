"""One handler turns every error into the answer its audience expects.

Each area registers a renderer for its path prefix (the API: problem+json; pages: HTML);
the longest matching prefix wins, and anything else gets a short plain-text answer. Views
raise Werkzeug's HTTP exceptions, or let the domain's through: what the store does not have
(service.errors.NotFound) becomes a 404, worded as the area words it, but what was withdrawn
a 410 with its reason, and an old id a 301 to the area's URL of what has it now; the store's
absence, and a store found damaged while a request reads it, become 503 with Retry-After;
nothing else leaks out.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import (
    Gone,
    HTTPException,
    InternalServerError,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
)

from service import errors
from service.errors import StoreError, StoreUnavailable
from service.live import live_store
from service.request import current_site
from service.responses import PRECONDITION_FAILED, STORE_KEY
from service.urls import Urls

log = logging.getLogger(__name__)
AREAS = "briefing.error_areas"
MISSING_MAX_AGE = 60  # seconds a cache may keep a 301, 404 or 410
ABOUT_THE_ADDRESS = (301, 404, 410)
ErrorRenderer = Callable[[HTTPException], Response]
MissingWords = Callable[[errors.NotFound], HTTPException]
Whereabouts = Callable[[errors.Moved, Urls], str]


class MovedPermanently(HTTPException):
    """A 301 to where what an old id named is now: answered like an error, in its area's
    format, with the Location to follow."""

    code = 301

    def __init__(self, location: str) -> None:
        super().__init__(description=f"It is now at {location}")
        self.location = location

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("Location", self.location)]


def said_plainly(missing: errors.NotFound) -> HTTPException:
    """A 404 that says no more than that the address names nothing."""
    return NotFound()


def page_of(moved: errors.Moved, urls: Urls) -> str:
    """The page of what has an old id now (an article's is a place in its issue's page)."""
    issue_id, article_id = moved.now
    return urls.article(issue_id, article_id) if article_id else urls.issue(issue_id)


@dataclass(frozen=True)
class Area:
    """How the paths under a prefix answer errors: the renderer, the 404 it is handed for
    something the store does not have, and the URL an old id moves to."""

    renderer: ErrorRenderer
    not_found: MissingWords = said_plainly
    moved_to: Whereabouts = page_of


def init_app(app: Flask) -> None:
    app.extensions[AREAS] = {}
    app.register_error_handler(HTTPException, render)
    app.register_error_handler(errors.NotFound, missing)
    app.register_error_handler(errors.Withdrawn, withdrawn)
    app.register_error_handler(errors.Moved, moved)
    app.register_error_handler(StoreUnavailable, unavailable)
    app.register_error_handler(StoreError, damaged)
    app.register_error_handler(Exception, unexpected)
    app.before_request(refuse_failed_precondition)
    app.after_request(cache_control)


def register(
    app: Flask,
    prefix: str,
    renderer: ErrorRenderer,
    not_found: MissingWords = said_plainly,
    moved_to: Whereabouts = page_of,
) -> None:
    """Render the errors of every path under `prefix` with `renderer`; what the store does
    not have as the 404 that `not_found` words; an old id as a 301 to `moved_to`'s URL."""
    app.extensions[AREAS][prefix] = Area(renderer, not_found, moved_to)


def area() -> Area | None:
    """The area of this request's path: the longest prefix registered that it starts with."""
    areas: dict[str, Area] = current_app.extensions[AREAS]
    matching = [prefix for prefix in areas if request.path.startswith(prefix)]
    return areas[max(matching, key=len)] if matching else None


def render(error: HTTPException) -> Response:
    found = area()
    return found.renderer(error) if found else plain_text(error)


def missing(error: errors.NotFound) -> Response:
    """An issue, article or feed the store does not have: a 404, in its area's format and words."""
    found = area()
    return found.renderer(found.not_found(error)) if found else plain_text(NotFound())


def withdrawn(error: errors.Withdrawn) -> Response:
    """What was published and withdrawn: a 410 that says when and why, in its area's format."""
    return render(Gone(description=withdrawal_words(error)))


def withdrawal_words(error: errors.Withdrawn) -> str:
    gone = error.withdrawal
    what = f"Issue {gone.issue_id}"
    if gone.article_id:
        what = f"Article {gone.article_id} of issue {gone.issue_id}"
    return f"{what} was withdrawn on {gone.withdrawn_at.date().isoformat()}: {gone.reason}"


def moved(error: errors.Moved) -> Response:
    """An old id: a 301 to its area's URL of what has it now, built from the base URL."""
    found = area()
    moved_to = found.moved_to if found else page_of
    return render(MovedPermanently(moved_to(error, current_site().urls)))


def refuse_failed_precondition() -> None:
    """The 412 the response cache asks for (service.responses.PRECONDITION_FAILED)."""
    if request.environ.get(PRECONDITION_FAILED):
        raise PreconditionFailed()


def cache_control(response: Response) -> Response:
    """Every error, and a 301 from an old id, says how long it may be kept, so that no cache
    keeps one by heuristic (RFC 9111, section 4.2.2), whichever handler rendered it."""
    answered = response.status_code not in ABOUT_THE_ADDRESS and response.status_code < 400
    if answered or "Cache-Control" in response.headers:
        return response
    if response.status_code in ABOUT_THE_ADDRESS:
        # About the address, not the request: briefly, since the next build may publish it.
        response.cache_control.public = True
        response.cache_control.max_age = MISSING_MAX_AGE
    else:
        # The request's own fault (400, 405, 412) or the server's state (5xx): never kept.
        response.cache_control.no_store = True
    return response


def plain_text(error: HTTPException) -> Response:
    """The status, and for an address that answers for something gone or moved, what became
    of it."""
    said = f": {error.description}" if error.code in (301, 410) else ""
    response = Response(
        f"{error.code} {error.name}{said}\n", status=error.code, mimetype="text/plain"
    )
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
