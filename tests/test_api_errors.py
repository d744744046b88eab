"""Every API error is an RFC 9457 problem naming what is wrong; never HTML, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.store import Store, terms
from tests.factories import ContentTree

ISSUE_FIELDS = "id, number, date, updated, title, tags, url, api_url, articles"


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    content.issue("2011-01-12", articles=1)
    content.issue("2011-01-26", articles=1)
    build_store(content)
    return app.test_client()


def problem(status: int, detail: str, *invalid: tuple[str, str, str]) -> dict[str, Any]:
    """The problem document expected; each invalid parameter as (name, in, reason)."""
    titles = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
    expected: dict[str, Any] = {
        "type": "about:blank",
        "title": titles[status],
        "status": status,
        "detail": detail,
    }
    if invalid:
        expected["invalid_params"] = [
            {"name": name, "in": where, "reason": reason} for name, where, reason in invalid
        ]
    return expected


def bad_query(name: str, reason: str) -> dict[str, Any]:
    return problem(400, f"{name}: {reason}", (name, "query", reason))


def assert_problem(client: FlaskClient, url: str, status: int, expected: dict[str, Any]) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json == expected


RANGE = "Must be between 1 and {}."
BAD_PARAMETERS = [
    ("/api/v1/issues?per_page=0", "per_page", RANGE.format(100)),
    ("/api/v1/issues?per_page=101", "per_page", RANGE.format(100)),
    ("/api/v1/issues?page=0", "page", RANGE.format(1000000)),
    ("/api/v1/issues?page=1000001", "page", RANGE.format(1000000)),
    ("/api/v1/issues?page=two", "page", "Not a valid integer."),
    ("/api/v1/issues?page=%2B1", "page", "Not a valid integer."),
    ("/api/v1/issues?page=%201", "page", "Not a valid integer."),
    ("/api/v1/issues?per_page=1_0", "per_page", "Not a valid integer."),
    ("/api/v1/issues?page=01", "page", "Not a valid integer."),
    ("/api/v1/search?q=x&per_page=007", "per_page", "Not a valid integer."),
    ("/api/v1/issues?order=later", "order", "Must be one of: newest, oldest."),
    (
        "/api/v1/issues?order=newest+first",
        "order",
        "Longer than 6 characters. Must be one of: newest, oldest.",
    ),
    ("/api/v1/issues?after=2011-13-01", "after", "Not a valid date."),
    ("/api/v1/issues?after=20110112", "after", "Not a valid date."),
    ("/api/v1/articles?before=2011-01-12T00:00", "before", "Not a valid date."),
    (
        "/api/v1/issues?tag=Big+Society",
        "tag",
        "Not a valid slug: use lowercase letters, digits and single hyphens.",
    ),
    (
        "/api/v1/articles?tag=funding%0A",
        "tag",
        "Not a valid slug: use lowercase letters, digits and single hyphens.",
    ),
    ("/api/v1/articles?tag=" + "a" * 81, "tag", "Longer than 80 characters."),
    ("/api/v1/issues?q=" + "a" * 201, "q", "Longer than 200 characters."),
    ("/api/v1/search?q=" + "a" * 201, "q", "Longer than 200 characters."),
    ("/api/v1/search", "q", "Give the text to search for."),
    (
        "/api/v1/issues?fields=id,body",
        "fields",
        f"Unknown field 'body': choose from {ISSUE_FIELDS}.",
    ),
    ("/api/v1/issues?fields=" + "id," * 67, "fields", "Longer than 200 characters."),
    (
        "/api/v1/articles?fields=headline,articles",
        "fields",
        "Unknown field 'articles': choose from id, issue_id, headline, standfirst, tags, url,"
        " api_url, issue_url, issue_api_url.",
    ),
    ("/api/v1/issues?colour=red", "colour", "Unknown parameter."),
    ("/api/v1/tags?q=x", "q", "Unknown parameter."),
    ("/api/v1/search?q=x&tag=y", "tag", "Unknown parameter."),
    ("/api/v1/issues/2011-01-12?fields=id", "fields", "Unknown parameter."),
    ("/api/v1/issues/2011-01-12/articles/article-1-of-2011-01-12?x=", "x", "Unknown parameter."),
]


@pytest.mark.parametrize(("url", "name", "reason"), BAD_PARAMETERS)
def test_bad_parameter_is_a_400_problem_naming_it(
    client: FlaskClient, url: str, name: str, reason: str
) -> None:
    assert_problem(client, url, 400, bad_query(name, reason))


def test_every_bad_parameter_is_named(client: FlaskClient) -> None:
    response = client.get("/api/v1/issues?per_page=0&colour=red")
    assert response.json["invalid_params"] == [
        {"name": "per_page", "in": "query", "reason": "Must be between 1 and 100."},
        {"name": "colour", "in": "query", "reason": "Unknown parameter."},
    ]
    assert response.json["detail"] == (
        "per_page: Must be between 1 and 100. colour: Unknown parameter."
    )


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/articles", "/api/v1/issues"])
def test_too_broad_a_search_is_a_400_problem_naming_q(
    client: FlaskClient, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every article has "what", "this", "article" and "says": four words in every article,
    too many on an archive large enough for any search to cost (the least budget waived)."""
    monkeypatch.setattr(terms, "SMALLEST_ARCHIVE", 0)
    reason = (
        "Too broad to search quickly: “What”, “this” and “article” are in too many articles."
        " Leave some words out, or search for rarer ones."
    )
    assert_problem(client, f"{path}?q=What+this+article+says", 400, bad_query("q", reason))


def test_page_past_the_last_is_a_404_naming_page(client: FlaskClient) -> None:
    reason = "Past the last page: there are 2."
    expected = problem(404, f"page: {reason}", ("page", "query", reason))
    assert_problem(client, "/api/v1/issues?per_page=1&page=3", 404, expected)


def test_page_past_an_empty_result_is_a_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/search?q=nothing&page=2")
    assert response.status_code == 404
    assert response.json["invalid_params"][0]["name"] == "page"


def test_unknown_issue_is_a_404_naming_issue_id(client: FlaskClient) -> None:
    reason = "There is no issue '2099-01-01'."
    expected = problem(404, f"issue_id: {reason}", ("issue_id", "path", reason))
    assert_problem(client, "/api/v1/issues/2099-01-01", 404, expected)
    assert_problem(client, "/api/v1/issues/2099-01-01/articles/anything", 404, expected)


def test_unknown_article_is_a_404_naming_article_id(client: FlaskClient) -> None:
    reason = "Issue '2011-01-12' has no article 'nope'."
    expected = problem(404, f"article_id: {reason}", ("article_id", "path", reason))
    assert_problem(client, "/api/v1/issues/2011-01-12/articles/nope", 404, expected)


@pytest.mark.parametrize(
    "url", ["/api/v2/issues", "/api/v1/issues/", "/api/", "/api/v1/issues/" + "x" * 101]
)
def test_unknown_route_is_a_404_problem(client: FlaskClient, url: str) -> None:
    detail = (
        "The requested URL was not found on the server. If you entered the URL manually"
        " please check your spelling and try again."
    )
    assert_problem(client, url, 404, problem(404, detail))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_a_405_problem_with_allow(client: FlaskClient, method: str) -> None:
    response = client.open("/api/v1/issues", method=method)
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.json == problem(405, "The method is not allowed for the requested URL.")


def test_unexpected_exception_is_a_500_problem_without_traceback(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/v1/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server encountered an internal error and was unable to complete your"
        " request. Either the server is overloaded or there is an error in the application.",
    }
    assert b"secret" not in response.data and b"Traceback" not in response.data
    assert "secret detail" in caplog.text


def test_no_store_is_a_503_problem(app: Flask) -> None:
    response = app.test_client().get("/api/v1/issues")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    body = response.json
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Service Unavailable",
        503,
    )
    assert "run `briefing build` first" in body["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_503_problem_says_what_is_wrong_without_the_servers_path(
    app: Flask, store_path: Path
) -> None:
    store_path.parent.write_text("a file where the store's folder belongs")
    response = app.test_client().get("/api/v1/issues")
    assert response.status_code == 503
    assert response.json["detail"] == "the store cannot be read (Not a directory)"
    assert str(store_path.parent).encode() not in response.data


def test_head_of_an_error_has_no_body(client: FlaskClient) -> None:
    response = client.head("/api/v1/issues/2099-01-01")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.data == b""


def test_errors_elsewhere_are_not_problems(client: FlaskClient) -> None:
    response = client.get("/apis/v1/issues")
    assert response.status_code == 404
    assert response.content_type != "application/problem+json"
