"""flask-smorest, typed and set up for this API: the only module that imports it.

Four of its defaults change: argument errors are 400s, not 422s;
an unknown query parameter is refused (webargs would drop it; the schemas say unknown=RAISE);
so are a repeated parameter (webargs would read the first) and one that is not percent-encoded
UTF-8 (Werkzeug would keep it as text); and errors are documented as RFC 9457 problems and
rendered by service.http_errors, not by flask-smorest's own handler and schema.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Request, Response
from flask_smorest.utils import prepare_response
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

from schemas.problem import ProblemSchema
from service.api.problems import PROBLEM_JSON
from service.request import malformed_parameters

View = Callable[..., Response]
Decorator = Callable[[View], View]


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def load_querystring(self, req: Request, schema: Schema) -> Any:
        """The query parameters, each given once as percent-encoded UTF-8; else a 400 naming it."""
        faults = {
            name: ["Not percent-encoded UTF-8."] for name in malformed_parameters(req.query_string)
        }
        if not faults:  # else Werkzeug may not parse the query at all
            repeated = (name for name, values in req.args.lists() if len(values) > 1)
            faults = {name: ["Given more than once."] for name in repeated}
        if faults:
            raise ValidationError(faults)
        return super().load_querystring(req, schema)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The decorators views use, typed."""

    ARGUMENTS_PARSER = Parser(unknown=None)  # None: each schema's own `unknown` holds

    def get(self, rule: str) -> Decorator:
        decorator: Decorator = self.route(rule, methods=["GET"])
        return decorator

    def query(self, schema: type[Schema]) -> Decorator:
        """Parse the query string with `schema`, handing the view what it loads."""
        decorator: Decorator = self.arguments(schema, location="query")
        return decorator

    def ok(self, schema: type[Schema], headers: dict[str, Any], *, item: bool = False) -> Decorator:
        """Document the 200 answer (the view builds it), and that a 404 may come instead; for
        one issue or article, also a 410 (withdrawn: the problem says why) and a 301 (an old
        id: Location is where it is now)."""
        answer: Decorator = self.response(200, schema, headers=headers)
        missing: Decorator = self.alt_response(404, "NOT_FOUND")
        if not item:
            return lambda view: answer(missing(view))
        gone: Decorator = self.alt_response(410, "GONE")
        moved: Decorator = self.alt_response(301, "MOVED_PERMANENTLY")
        return lambda view: answer(missing(gone(moved(view))))


class Api(flask_smorest.Api):  # type: ignore[misc]
    ERROR_SCHEMA = ProblemSchema

    def _register_pagination_header(self) -> None:
        """Lists page with `meta` and Link headers, not flask-smorest's X-Pagination."""

    def _register_error_handlers(self) -> None:
        """service.http_errors already renders every error under /api/ as a problem."""

    def _register_responses(self) -> None:
        """The error responses operations refer to, as application/problem+json; and the 301
        of an old id, which says where to in a problem too."""
        named = {status.name: status.phrase for status in HTTPStatus if status >= 400}
        for name, description in {**named, "DEFAULT_ERROR": "An error"}.items():
            self._register_problem(name, {"description": description})
        self._register_problem(
            "MOVED_PERMANENTLY",
            {
                "description": "An old id: Location is the URL of what has it now.",
                "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
            },
        )

    def _register_problem(self, name: str, response: dict[str, Any]) -> None:
        response["schema"] = self.ERROR_SCHEMA
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(name, response, lazy=True)
