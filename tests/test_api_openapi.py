"""The OpenAPI document: valid, true to the service, every string bounded; docs served locally."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from service.store import Store
from tests.factories import ContentTree


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    content.issue("2011-01-12", articles=2, tags=["localism"])
    build_store(content)
    return app.test_client()


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def parameters(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, _, operation in operations(document):
        for parameter in [*document["paths"][path].get("parameters", [])]:
            yield path, parameter
        for parameter in operation.get("parameters", []):
            yield path, parameter


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.0.3"


def test_document_describes_every_endpoint(document: dict[str, Any]) -> None:
    assert sorted(document["paths"]) == [
        "/api/v1/articles",
        "/api/v1/issues",
        "/api/v1/issues/{issue_id}",
        "/api/v1/issues/{issue_id}/articles/{article_id}",
        "/api/v1/search",
        "/api/v1/tags",
    ]


def test_every_string_parameter_declares_a_max_length(document: dict[str, Any]) -> None:
    strings = [(path, p) for path, p in parameters(document) if p["schema"]["type"] == "string"]
    assert len(strings) == 6 * 2 + 1 + 3  # two lists of six; search q; issue_id twice, article_id
    for path, parameter in strings:
        assert "maxLength" in parameter["schema"], (path, parameter["name"])


def test_errors_are_documented_as_problems(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert {"200", "400", "404", "default"} <= set(responses), (path, method)
        for status, response in responses.items():
            if status != "200":
                name = response["$ref"].rsplit("/", 1)[1]
                content = document["components"]["responses"][name]["content"]
                assert content == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }
    assert "Error" not in document["components"]["schemas"]
    assert "PaginationMetadata" not in document["components"]["schemas"]


def test_lists_document_their_link_header(document: dict[str, Any]) -> None:
    for path in ("/api/v1/issues", "/api/v1/articles", "/api/v1/tags", "/api/v1/search"):
        assert "Link" in document["paths"][path]["get"]["responses"]["200"]["headers"]


def query_strings(document: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    for path, parameter in parameters(document):
        if parameter["in"] == "query" and parameter["schema"]["type"] == "string":
            yield path, parameter["name"], parameter["schema"]["maxLength"]


def longest_valid(name: str, length: int) -> str:
    """A valid value of exactly `length` characters for each string parameter."""
    values = {
        "q": "é" * length,
        "tag": "a" * length,
        "fields": "id," * ((length - 2) // 3) + "id",
        "order": "oldest",
        "after": "2011-01-01",
        "before": "2011-12-31",
    }
    value = values[name]
    assert len(value) == length, name
    return value


def test_every_string_parameter_is_held_to_its_max_length(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    for path, name, length in query_strings(document):
        at_most = longest_valid(name, length)
        extra = {"q": "x"} if path.endswith("search") and name != "q" else {}
        assert client.get(path, query_string={**extra, name: at_most}).status_code == 200
        response = client.get(path, query_string={**extra, name: at_most + "a"})
        assert response.status_code == 400, (path, name)
        assert [p["name"] for p in response.json["invalid_params"]] == [name]


def test_published_patterns_are_ecma_and_held_to_the_whole_value(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    patterns = {
        (path, p["name"]): p["schema"]["pattern"]
        for path, p in parameters(document)
        if "pattern" in p["schema"]
    }
    assert patterns[("/api/v1/issues", "tag")] == "^[a-z0-9]+(?:-[a-z0-9]+)*$"
    for (path, name), pattern in patterns.items():
        assert pattern.startswith("^") and pattern.endswith("$"), (path, name)
        assert "\\Z" not in pattern and "\\A" not in pattern, (path, name)
        valid = longest_valid(name, 2)
        assert client.get(path, query_string={name: valid}).status_code == 200
        response = client.get(path, query_string={name: valid + "\n"})
        assert response.status_code == 400, (path, name)
        assert [p["name"] for p in response.json["invalid_params"]] == [name]


def test_path_parameters_are_held_to_their_max_length(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    bounds = {
        p["name"]: p["schema"]["maxLength"] for _, p in parameters(document) if p["in"] == "path"
    }
    assert bounds["issue_id"] == 100 and bounds["article_id"] == 80
    too_long = client.get("/api/v1/issues/" + "2" * 101)
    assert too_long.status_code == 404
    assert too_long.content_type == "application/problem+json"


def test_docs_page_serves_its_own_scripts_and_styles(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3
    for url in assets:
        assert url.startswith("/api/docs/assets/"), url  # this service, never a CDN
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.data) > 1000
        assert asset.mimetype in ("text/css", "text/javascript", "application/javascript")
    assert '"/api/openapi.json"' in html


def test_docs_assets_are_cacheable(client: FlaskClient) -> None:
    url = "/api/docs/assets/swagger-ui.css"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs"])
def test_documents_are_cacheable(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert "Last-Modified" in first.headers
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_openapi_document_may_be_read_from_any_origin(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").headers["Access-Control-Allow-Origin"] == "*"


def test_missing_docs_asset_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/docs/assets/nothing.js")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
