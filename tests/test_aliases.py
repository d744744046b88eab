"""Renaming with `aliases`: an old id's page and API URLs answer 301 to the new ones, built
from the base URL; aliases that would collide are content errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

from service.store import Store
from tests.factories import ContentTree

BASE = "https://briefing.test"


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Issue 2011-01-12 renamed 2011-01-12-special; in 2011-01-26, an article given a new id."""
    content.issue(
        "2011-01-12-special", articles=0, aliases=["2011-01-12"], date=content_date("2011-01-12")
    )
    content.article("2011-01-12-special", "01-lead.md", headline="Lead story")
    content.issue("2011-01-26", articles=0)
    content.article(
        "2011-01-26",
        "01-halls.md",
        headline="Village halls close",
        id="village-halls-close",
        aliases=["village-halls"],
    )
    build_store(content)
    return app.test_client()


def content_date(issue_id: str) -> object:
    import datetime as dt

    return dt.date.fromisoformat(issue_id)


def moved(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 301, (path, response.status_code)
    assert response.headers["Cache-Control"] == "public, max-age=60"
    location: str = response.headers["Location"]
    return location


def test_an_old_issue_page_moves_to_the_new_one(client: FlaskClient) -> None:
    location = moved(client, "/issues/2011-01-12", Host="evil.example")
    assert location == f"{BASE}/issues/2011-01-12-special"
    assert client.get(location.removeprefix(BASE)).status_code == 200


def test_an_old_issue_page_says_where_it_went(client: FlaskClient) -> None:
    response = client.get("/issues/2011-01-12")
    assert response.mimetype == "text/html"
    assert f'This page is now at <a href="{BASE}/issues/2011-01-12-special">' in response.get_data(
        as_text=True
    )


def test_an_old_issue_in_the_api_moves_to_its_api_url(client: FlaskClient) -> None:
    response = client.get("/api/v1/issues/2011-01-12")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{BASE}/api/v1/issues/2011-01-12-special"
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == f"It is now at {BASE}/api/v1/issues/2011-01-12-special"


def test_an_article_under_a_renamed_issue_moves_with_it(client: FlaskClient) -> None:
    location = moved(client, "/api/v1/issues/2011-01-12/articles/lead-story")
    assert location == f"{BASE}/api/v1/issues/2011-01-12-special/articles/lead-story"
    assert client.get(location.removeprefix(BASE)).status_code == 200


def test_an_old_article_id_moves_to_the_new_one(client: FlaskClient) -> None:
    location = moved(client, "/api/v1/issues/2011-01-26/articles/village-halls")
    assert location == f"{BASE}/api/v1/issues/2011-01-26/articles/village-halls-close"


def test_an_article_renamed_in_a_renamed_issue_moves_in_one_step(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue(
        "2011-01-12-b", articles=0, aliases=["2011-01-12"], date=content_date("2011-01-12")
    )
    content.article("2011-01-12-b", "01-a.md", headline="New words", aliases=["old-words"])
    build_store(content)
    location = moved(app.test_client(), "/api/v1/issues/2011-01-12/articles/old-words")
    assert location == f"{BASE}/api/v1/issues/2011-01-12-b/articles/new-words"


def test_the_issue_page_keeps_an_anchor_for_an_old_article_id(client: FlaskClient) -> None:
    page = client.get("/issues/2011-01-26").get_data(as_text=True)
    assert '<span id="village-halls"></span>' in page


def test_a_moved_address_follows_the_served_base_url(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: object
) -> None:
    from service import create_app

    content.issue("2011-01-12-b", aliases=["2011-01-12"], date=content_date("2011-01-12"))
    build_store(content)
    app = create_app(
        {"TESTING": True, "STORE": str(store_path), "BASE_URL": "http://127.0.0.1:8000"}
    )
    response = app.test_client().get("/issues/2011-01-12")
    assert response.headers["Location"] == "http://127.0.0.1:8000/issues/2011-01-12-b"


def test_aliases_may_not_collide(content: ContentTree, run_cli: Callable[..., Result]) -> None:
    content.issue("2011-01-12")
    content.issue("2011-01-26", aliases=["2011-01-12", "2011-01-19"])
    content.issue("2011-02-09", aliases=["2011-01-19"])
    content.issue("2011-02-23", articles=2, aliases=["2011-02-23-x", "2011-02-23-x"])
    content.article("2011-02-23", "03-c.md", headline="C", aliases=["article-1-of-2011-02-23"])
    content.article("2011-02-23", "04-d.md", headline="D", aliases=["old"])
    content.article("2011-02-23", "05-e.md", headline="E", aliases=["old"])
    result = run_cli("check", content.root)
    assert result.output.replace(f"{content.root}/", "").splitlines()[:-1] == [
        "issues/2011-01-26/issue.toml:2: aliases[0]: '2011-01-12' is the id of an issue.",
        "issues/2011-02-09/issue.toml:2: aliases[0]: '2011-01-19' is an alias of issue"
        " 2011-01-26 already.",
        "issues/2011-02-23/03-c.md:5: aliases[0]: 'article-1-of-2011-02-23' is the id of an"
        " article of this issue.",
        "issues/2011-02-23/05-e.md:5: aliases[0]: 'old' is an alias of article 'd' already.",
        "issues/2011-02-23/issue.toml:2: aliases[1]: Listed twice.",
    ]


def test_an_alias_is_an_issue_id(content: ContentTree, run_cli: Callable[..., Result]) -> None:
    content.issue("2011-01-12", aliases=["January"])
    result = run_cli("check", content.root)
    assert result.output.splitlines()[0] == (
        f"{content.root}/issues/2011-01-12/issue.toml:2: aliases[0]: Not a valid issue id:"
        " name the folder after the issue's date, YYYY-MM-DD."
    )
