"""Every error under /api/ as application/problem+json (RFC 9457), naming the parameters at fault.

Views and the argument parser raise Werkzeug HTTP exceptions; webargs' `abort` attaches
`data["messages"]` shaped `{location: {parameter: [message, ...]}}`, and so does
`ParameterError`. service.http_errors hands each of them to `render_problem`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

from schemas.problem import ProblemSchema
from service.errors import ArticleNotFound, IssueNotFound, Moved, NotFound, SearchTooBroad
from service.http_errors import extra_headers
from service.urls import Urls

PROBLEM_JSON = "application/problem+json"


class ParameterError(HTTPException):
    """An HTTP error caused by one request parameter, shaped like webargs' errors."""

    def __init__(self, code: int, location: str, name: str, reason: str) -> None:
        super().__init__(description=reason)
        self.code = code
        self.data = {"messages": {location: {name: [reason]}}}


def not_found(error: NotFound) -> ParameterError:
    """The store's NotFound, as a 404 naming the path parameter that asked for it."""
    if isinstance(error, ArticleNotFound):
        reason = f"Issue {error.issue_id!r} has no article {error.article_id!r}."
        return ParameterError(404, "path", "article_id", reason)
    assert isinstance(error, IssueNotFound)
    reason = f"There is no issue {error.issue_id!r}."
    return ParameterError(404, "path", "issue_id", reason)


def moved_to(moved: Moved, urls: Urls) -> str:
    """The API's URL of the issue or article that has an old id now."""
    issue_id, article_id = moved.now
    return urls.api_article(issue_id, article_id) if article_id else urls.api_issue(issue_id)


def too_broad(error: SearchTooBroad) -> Response:
    """The store's refusal of a search too costly to run, as a 400 problem naming `q`."""
    return render_problem(ParameterError(400, "query", "q", str(error)))


def render_problem(error: HTTPException) -> Response:
    invalid = invalid_params(getattr(error, "data", {}).get("messages", {}))
    problem: dict[str, Any] = {
        "type": "about:blank",
        "title": error.name,
        "status": error.code,
        "detail": " ".join(f"{p['name']}: {p['reason']}" for p in invalid) or error.description,
    }
    if invalid:
        problem["invalid_params"] = invalid
    body = json.dumps(ProblemSchema().dump(problem), ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=error.code, content_type=PROBLEM_JSON)
    response.headers.extend(extra_headers(error))
    return response


def invalid_params(messages: Mapping[str, Any]) -> list[dict[str, str]]:
    """[{name, location, reason}] from webargs' messages by location, one entry a parameter."""
    return [
        {"name": name, "location": location, "reason": joined(said)}
        for location, by_name in messages.items()
        for name, said in by_name.items()
    ]


def joined(said: Any) -> str:
    return " ".join(map(str, said)) if isinstance(said, list) else str(said)
