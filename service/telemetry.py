"""What every request leaves behind: an X-Request-Id, and its route, status and duration; and
for a subscription feed answered (200 or 304), the User-Agent that fetched it, where hosted feed
readers say how many subscribers they fetch it for.

WSGI middleware outside the response cache, so that the answers the cache gives before Flask
runs are counted too. It is on every request's path, 304s included: a few dict lookups, no
routing of its own on a repeated path, one call to hand the figures on (and for a feed, one
to hand on its User-Agent).
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Observe = Callable[[str, str, float], None]
Fetched = Callable[[str, str], None]  # a subscription feed's path, the User-Agent that fetched it

REQUEST_ID = "briefing.request_id"  # the environ key the access log reads it from
REQUEST_ID_HEADER = "X-Request-Id"
# An id from a proxy or a client is kept when it is short and plain: no spaces, quotes or
# control characters to forge log lines or headers with. Anything else gets a fresh id.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
UNMATCHED = "unmatched"  # the route of a path no URL rule matches
CONVERTER = re.compile(r"<(?:[^:<>]*:)?([^<>]+)>")  # <string(maxlength=100):issue_id>
ROUTES_KEPT = 4096
LONGEST_ROUTED_PATH = 512  # longer paths are matched each time, not kept
FEED_ANSWERED = ("200", "304")  # a feed document that exists, sent or still current


class RequestTelemetry:
    """Gives each request an id (in the environ and the response) and observes its answer."""

    def __init__(self, app: WSGIApp, url_map: Map, observe: Observe, fetched: Fetched) -> None:
        self.app = app
        self.url_map = url_map
        self.observe = observe
        self.fetched = fetched
        self.subscription_routes = subscription_routes(url_map)
        self._kept_route = functools.lru_cache(maxsize=ROUTES_KEPT)(self._match_route)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ[REQUEST_ID] = request_id_for(environ)
        statuses: list[str] = []

        def start_with_id(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], exc_info)

        body = self.app(environ, start_with_id)
        if statuses:
            path = environ.get("PATH_INFO", "")
            route, status = self.route(path), statuses[-1][:3]
            self.observe(route, status, time.perf_counter() - started)
            if route in self.subscription_routes and status in FEED_ANSWERED:
                self._fetched(path, environ)
        return body

    def _fetched(self, path: str, environ: dict[str, Any]) -> None:
        """Hand on the feed as it was routed (Werkzeug takes `//feeds/x` as `/feeds/x`, and
        turns nothing else into a feed's path) and the User-Agent that fetched it."""
        user_agent = environ.get("HTTP_USER_AGENT")
        if user_agent:
            self.fetched("/" + path.lstrip("/"), user_agent)

    def route(self, path: str) -> str:
        """The URL rule that serves `path`, without converters (`/issues/<issue_id>`)."""
        if len(path) > LONGEST_ROUTED_PATH:
            return self._match_route(path)
        return self._kept_route(path)

    def _match_route(self, path: str) -> str:
        try:
            rule, _ = self.url_map.bind("localhost").match(path, "GET", return_rule=True)
        except HTTPException:  # no rule (404), or a redirect to one
            return UNMATCHED
        return CONVERTER.sub(r"<\1>", rule.rule)


def subscription_routes(url_map: Map) -> frozenset[str]:
    """The routes of the documents readers subscribe to: the feeds, without their archive
    pages (a rule of the feeds blueprint with no page number)."""
    return frozenset(
        CONVERTER.sub(r"<\1>", rule.rule)
        for rule in url_map.iter_rules()
        if rule.endpoint.startswith("feeds.") and "page" not in rule.arguments
    )


def request_id_for(environ: dict[str, Any]) -> str:
    """The incoming X-Request-Id when it is plain enough to repeat, else a new random one."""
    incoming = environ.get("HTTP_X_REQUEST_ID")
    if incoming is not None and ACCEPTED_REQUEST_ID.fullmatch(incoming):
        return str(incoming)
    return os.urandom(16).hex()
