"""Drafts: `draft = true` on an issue or an article keeps it out of a build entirely, and in a
build asked for drafts (a preview), marked as one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

from service.build import build
from service.feeds.formats import EXTENSIONS
from service.store import Store, open_store
from tests.factories import ContentTree

SECRET = "Zanzibar"  # a word only the drafts have
# What only the drafts say: their headlines, a body, their tag and the draft issue's id.
DRAFT_TEXT = ["Zanzibar draft", "Zanzibar lead", "Not ready", "secret", "2011-01-26"]
FEEDS = ["issues", "articles", "tags/housing"]
PAGES = ["/", "/issues/2011-01-12", "/tags/housing", "/search?q=Zanzibar", "/subscribe"]
API = [
    "/api/v1/issues",
    "/api/v1/issues/2011-01-12",
    "/api/v1/articles",
    "/api/v1/tags",
    "/api/v1/search?q=Zanzibar",
]


def with_drafts(content: ContentTree) -> ContentTree:
    """A published issue holding a draft article, and a draft issue after it."""
    content.issue("2011-01-12", articles=1, tags=["housing"])
    content.article(
        "2011-01-12",
        "02-draft.md",
        headline=f"{SECRET} draft article",
        body=f"Not ready: {SECRET}.",
        tags=["secret"],
        draft=True,
    )
    content.issue("2011-01-26", articles=0, draft=True, tags=["housing"])
    content.article(
        "2011-01-26", "01-lead.md", headline=f"{SECRET} lead", body=SECRET, tags=["secret"]
    )
    return content


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    build_store(with_drafts(content))
    return app.test_client()


def test_build_leaves_drafts_out_of_the_store(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    store = build_store(with_drafts(content))
    assert store.issue_count == 1
    assert [a.id for a in store.issue("2011-01-12").articles] == ["article-1-of-2011-01-12"]
    assert store.article_count() == 1
    assert [count.tag for count in store.tags()] == ["housing"]


@pytest.mark.parametrize("path", PAGES + API)
def test_drafts_are_in_no_page_and_no_api_answer(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    shown = response.get_data(as_text=True)
    assert [text for text in DRAFT_TEXT if text in shown] == []


@pytest.mark.parametrize("name", FEEDS)
@pytest.mark.parametrize("extension", EXTENSIONS)
def test_drafts_are_in_no_feed(client: FlaskClient, name: str, extension: str) -> None:
    response = client.get(f"/feeds/{name}.{extension}")
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert [text for text in DRAFT_TEXT if text in shown] == []


@pytest.mark.parametrize(
    "path",
    [
        "/issues/2011-01-26",
        "/api/v1/issues/2011-01-26",
        "/api/v1/issues/2011-01-12/articles/zanzibar-draft-article",
        "/tags/secret",
        "/feeds/tags/secret.atom",
    ],
)
def test_a_draft_address_is_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_an_issue_title_is_never_a_draft_headline(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.article("2011-01-12", "01-draft.md", headline=f"{SECRET} first", draft=True)
    content.article("2011-01-12", "02-out.md", headline="Out already")
    assert build_store(content).issue("2011-01-12").title == "Out already"


def test_a_build_asked_for_drafts_has_them_marked(content: ContentTree, tmp_path: Path) -> None:
    with_drafts(content)
    store_path = tmp_path / "preview.sqlite3"
    build(content.root, store_path, include_drafts=True)
    store = open_store(store_path)
    draft_issue = store.issue("2011-01-26")
    assert draft_issue.draft
    assert [article.draft for article in draft_issue.articles] == [True]
    out = store.issue("2011-01-12")
    assert not out.draft
    assert [article.draft for article in out.articles] == [False, True]
    assert store.search(SECRET).total == 2


def test_preview_pages_mark_drafts(content: ContentTree, tmp_path: Path) -> None:
    from service import create_app

    with_drafts(content)
    store_path = tmp_path / "preview.sqlite3"
    build(content.root, store_path, include_drafts=True)
    client = create_app({"TESTING": True, "STORE": str(store_path)}).test_client()
    draft_issue = client.get("/issues/2011-01-26").get_data(as_text=True)
    assert draft_issue.count("Draft: not published") == 1
    out = client.get("/issues/2011-01-12").get_data(as_text=True)
    assert out.count("Draft: not published") == 1  # the draft article, not the issue


def test_check_validates_drafts(content: ContentTree, run_cli: Callable[..., Result]) -> None:
    content.issue("2011-01-12", draft=True, articles=0)
    content.write("issues/2011-01-12/01-a.md", "---\nheadline: ''\nstandfirst: S\n---\nBody\n")
    result = run_cli("check", content.root)
    assert result.exit_code == 1
    assert f"{content.root}/issues/2011-01-12/01-a.md:2: headline: Must not be empty." in (
        result.output
    )


def test_a_published_issue_of_drafts_only_is_refused(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.article("2011-01-12", "01-a.md", headline="A", draft=True)
    result = run_cli("check", content.root)
    assert result.output.splitlines()[0] == (
        f"{content.root}/issues/2011-01-12/issue.toml:1: articles:"
        " Every article of the issue is a draft or withdrawn: make the issue a draft."
    )


def test_draft_must_be_true_or_false(content: ContentTree, run_cli: Callable[..., Result]) -> None:
    content.issue("2011-01-12", draft="yes")
    result = run_cli("check", content.root)
    assert result.output.splitlines()[0] == (
        f"{content.root}/issues/2011-01-12/issue.toml:2: draft: Not a valid boolean."
    )
