"""The briefing service: a Flask app over the read-only issue store."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import Map, MapAdapter

from service import api, embeds, feeds, http_errors, oembed, ops, pages, responses, sitemaps
from service.cache import ResponseCache
from service.config import Defaults
from service.errors import StoreUnavailable
from service.live import EXTENSION, LiveStore
from service.preview import shown as preview
from service.telemetry import RequestTelemetry


class Routes(Map):
    """The URL rules, for HTTP alone: a request asking to upgrade to a WebSocket is routed as the
    HTTP request it also is (a server may ignore Upgrade, RFC 9110 section 7.8), where Werkzeug
    would refuse it with a 400, no rule being a WebSocket's."""

    def bind_to_environ(
        self, environ: Any, server_name: str | None = None, subdomain: str | None = None
    ) -> MapAdapter:
        http = getattr(environ, "environ", environ)  # a request, or its WSGI environ
        if "HTTP_UPGRADE" in http:
            http = {key: value for key, value in http.items() if key != "HTTP_UPGRADE"}
        return super().bind_to_environ(http, server_name, subdomain)


class Service(Flask):
    """Flask, with Routes for its URL map (Flask takes the map's class from the app's)."""

    url_map_class = Routes


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then BRIEFING_* environment variables, then test_config."""
    from service import metrics  # in the worker: see service.metrics

    app = Service(__name__, static_folder=None)  # pages serve our assets, with caching
    # Routing never redirects to merge slashes: Werkzeug would build the Location from the
    # request's Host header (service.pages' home takes an empty path the same way).
    app.url_map.merge_slashes = False
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("BRIEFING")
    if test_config:
        app.config.update(test_config)
    live = app.extensions[EXTENSION] = LiveStore(
        Path(app.config["STORE"]), check_interval=float(app.config["STORE_CHECK_INTERVAL"])
    )
    with contextlib.suppress(StoreUnavailable):
        live.current()  # open it as the worker starts, not on its first request
    http_errors.init_app(app)
    app.after_request(responses.secure)
    app.register_blueprint(ops.blueprint)
    api.init_app(app)
    feeds.init_app(app)
    pages.init_app(app)
    embeds.init_app(app)
    oembed.init_app(app)
    sitemaps.init_app(app)
    metrics.init_app(app)
    preview.init_app(app)  # only when PREVIEW_REPORT is set
    # What a request passes through, outermost first: its id and figures (for every answer,
    # the response cache's too, and the subscribers a feed reader reports), then the response
    # cache, then Flask.
    app.wsgi_app = RequestTelemetry(  # type: ignore[method-assign]
        ResponseCache(app.wsgi_app, live, max_bytes=int(app.config["CACHE_MAX_BYTES"])),
        app.url_map,
        metrics.TALLY.observe,
        metrics.SubscriberCounts().record,
    )
    return app
