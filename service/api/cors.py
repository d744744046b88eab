"""CORS for the API: public, read-only data that any page's script may read."""

from __future__ import annotations

from flask import Flask, Response, request

ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Accept, Accept-Language, Cache-Control, If-Modified-Since, If-None-Match"
EXPOSE_HEADERS = "ETag, Link, Last-Modified"
PREFLIGHT_MAX_AGE = 24 * 3600  # seconds a browser may reuse a preflight answer


def init_app(app: Flask, prefix: str) -> None:
    """Answer preflights and allow any origin on every answer under `prefix`, errors included."""

    @app.before_request
    def answer_preflight() -> Response | None:
        if request.method != "OPTIONS" or request.url_rule is None:
            return None  # not a preflight, or one for a path that is not there: a 404/405
        if not request.path.startswith(prefix):
            return None
        return preflight()

    @app.after_request
    def allow_any_origin(response: Response) -> Response:
        if request.path.startswith(prefix):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        return response


def preflight() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response
