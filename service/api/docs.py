"""The OpenAPI document and its docs page, whose scripts this service serves itself."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from pathlib import Path

from flask import Blueprint, Flask, Response, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

import schemas
from service.responses import cacheable

ASSETS = "/api/docs/assets"
SETTINGS = {
    "API_TITLE": "briefing",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": f"{ASSETS}/",
    # Swagger UI would show a badge from validator.swagger.io: the page loads nothing from afar.
    # Its highlighting colours code too faintly to read (templates/swagger_ui.html has the rest).
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "syntaxHighlight": {"activated": False}},
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "The fortnightly briefing, read-only. Lists are paged with `meta` and"
            " RFC 8288 `Link` headers; every answer has a strong `ETag` and `Last-Modified`"
            " (send them back for a 304); any origin may read it (CORS); every error is an"
            " RFC 9457 problem naming the parameters at fault."
        }
    },
}

DOCUMENTS = "api-docs"  # flask-smorest's blueprint for /api/openapi.json and /api/docs
DOCS_PAGE = f"{DOCUMENTS}.openapi_swagger_ui"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
INLINE_STYLE = re.compile(rb"<style>(.*?)</style>", re.DOTALL)

assets = Blueprint("api_docs_assets", __name__, url_prefix=ASSETS)


def code_modified() -> dt.datetime:
    """When the code that writes the OpenAPI document last changed: its newest source file."""
    sources = [*Path(__file__).parent.glob("*.py"), *Path(schemas.__file__).parent.glob("*.py")]
    return dt.datetime.fromtimestamp(max(path.stat().st_mtime for path in sources), dt.UTC)


def init_app(app: Flask) -> None:
    """Serve the docs page's assets, let the response cache keep the documents, and give the
    docs page its security policy."""
    app.register_blueprint(assets)
    modified = code_modified()

    @app.after_request
    def cache_documents(response: Response) -> Response:
        if request.blueprint == DOCUMENTS and response.status_code == 200:
            cacheable(response, modified, ignores_query=True)
        if request.endpoint == DOCS_PAGE and response.status_code == 200:
            response.headers["Content-Security-Policy"] = docs_page_policy(response.get_data())
        return response


def docs_page_policy(page: bytes) -> str:
    """The pages' strict policy, opened just enough for Swagger UI: this service's scripts and
    styles and the page's own inline ones (by their hashes), data: icons, and fetches to this
    service."""
    return (
        f"default-src 'none'; script-src 'self' {hashes(INLINE_SCRIPT, page)};"
        f" style-src 'self' {hashes(INLINE_STYLE, page)};"
        " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none';"
        " form-action 'none'"
    )


def hashes(inline: re.Pattern[bytes], page: bytes) -> str:
    """The CSP hash of each inline script or style of the page."""
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(text).digest()).decode()}'"
        for text in inline.findall(page)
    )


@assets.get("/<path:name>")
def asset(name: str) -> Response:
    """Swagger UI's scripts and styles, from the installed swagger-ui-bundle package."""
    response = send_from_directory(Path(swagger_ui_path), name)
    response.cache_control.no_cache = None
    modified = response.last_modified
    assert modified is not None  # send_file dates a file by its modification time
    return cacheable(response, modified, ignores_query=True)
