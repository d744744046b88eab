"""The JSON API under /api/: issues, articles, tags and search, described by OpenAPI."""

from __future__ import annotations

from flask import Flask

from service import http_errors
from service.api import cors, docs, views
from service.api.problems import moved_to, not_found, render_problem
from service.api.smorest import Api

PREFIX = "/api/"


def init_app(app: Flask) -> None:
    """Mount the API; call after service.http_errors.init_app."""
    for key, value in docs.SETTINGS.items():
        app.config.setdefault(key, value)
    api = Api(app)
    api.register_blueprint(views.blueprint)
    docs.init_app(app)
    http_errors.register(app, PREFIX, render_problem, not_found, moved_to)
    cors.init_app(app, PREFIX)
