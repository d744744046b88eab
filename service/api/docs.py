"""The OpenAPI document and its docs page, whose scripts this service serves itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory
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

assets = Blueprint("api_docs_assets", __name__, url_prefix=ASSETS)


def code_modified() -> dt.datetime:
    """When the code that writes the OpenAPI document last changed: its newest source file."""
    sources = [*Path(__file__).parent.glob("*.py"), *Path(schemas.__file__).parent.glob("*.py")]
    return dt.datetime.fromtimestamp(max(path.stat().st_mtime for path in sources), dt.UTC)


def init_app(app: Flask) -> None:
    """Serve the docs page's assets, and let the response cache keep the documents."""
    app.register_blueprint(assets)
    modified = code_modified()

    @app.after_request
    def cache_documents(response: Response) -> Response:
        if request.blueprint == DOCUMENTS and response.status_code == 200:
            cacheable(response, current_app.config["MAX_AGE"], modified)
        return response


@assets.get("/<path:name>")
def asset(name: str) -> Response:
    """Swagger UI's scripts and styles, from the installed swagger-ui-bundle package."""
    response = send_from_directory(Path(swagger_ui_path), name)
    response.cache_control.no_cache = None
    modified = response.last_modified
    assert modified is not None  # send_file dates a file by its modification time
    return cacheable(response, current_app.config["MAX_AGE"], modified)
