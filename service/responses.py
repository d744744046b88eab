"""The contracts every blueprint's responses follow: the response cache's with the views (the
store it pins for a request, the answers it may keep and for how long), and the security
headers each answer carries."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, request

# The environ key under which the response cache (service.cache) pins the store a request reads,
# so that what it keeps is rendered from the store whose content version keys it.
STORE_KEY = "briefing.store"
# The environ key by which a view tells the response cache (service.cache) that its answer is
# the same whatever the query string says: one kept copy then answers the path with any query.
QUERY_IGNORED = "briefing.query_ignored"
# The environ key by which the response cache, which alone knows a kept answer's ETag, asks the
# app for the 412 of an If-Match naming none of it, so that it comes in its area's format.
PRECONDITION_FAILED = "briefing.precondition_failed"
# Pages are documents: no script, no plugin, styles and images from this site (images also
# from any https address), forms only to this site, never in a frame.
HTML_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https:;"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def cacheable(
    response: Response,
    last_modified: dt.datetime,
    *,
    ignores_query: bool = False,
    immutable: bool = False,
) -> Response:
    """Public for MAX_AGE seconds (IMMUTABLE_MAX_AGE, and immutable, for an answer that will
    never change), last modified when its newest content was.

    Past MAX_AGE a cache may go on answering with its copy for a while: while it revalidates,
    and while the service fails (RFC 5861), so that nginx and CDNs keep serving feeds, pages
    and the API through an outage. An immutable answer, fresh for a year, needs neither.
    The response cache (service.cache) keeps such responses and adds the ETag, Vary,
    gzip and the answers to conditional requests. A view that reads no query parameter says
    `ignores_query`, so that `?utm_source=...` and the like do not make it render again.
    """
    config = current_app.config
    response.cache_control.immutable = immutable
    response.cache_control.public = True
    response.cache_control.max_age = int(config["IMMUTABLE_MAX_AGE" if immutable else "MAX_AGE"])
    if not immutable:
        response.cache_control.stale_while_revalidate = int(config["STALE_WHILE_REVALIDATE"])
        response.cache_control.stale_if_error = int(config["STALE_IF_ERROR"])
    response.last_modified = last_modified
    if ignores_query:
        request.environ[QUERY_IGNORED] = True
    return response


def not_cacheable(response: Response) -> Response:
    response.cache_control.no_store = True
    return response


def secure(response: Response) -> Response:
    """Every answer: nosniff. HTML: a strict policy, unless its area set a policy of its own.

    Run after every request, before the response cache keeps a copy, so every copy and every
    304 made from it carries them too.
    """
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        for name, value in HTML_SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response
