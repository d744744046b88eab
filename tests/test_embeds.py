"""Embeddable cards: what they show, that any site may frame them and no other page, that they
are cached like every page, and the snippet /subscribe gives partners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.store import Store
from tests.factories import REPO, ContentTree
from tests.pagetools import page as card
from tests.pagetools import texts

BASE = "https://briefing.test"


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Two issues; the newer has two articles, the second with awkward text."""
    content.issue("2024-01-10", number=1)
    content.issue("2024-01-24", number=2, updated=dt.datetime(2024, 1, 25, 10, tzinfo=dt.UTC))
    content.article(
        "2024-01-24",
        "02-rent.md",
        headline="Rent caps & <the> council",
        standfirst="A cap on rents, “at last”.",
    )
    build_store(content)
    return app.test_client()


def policy(response: TestResponse) -> dict[str, str]:
    directives = response.headers["Content-Security-Policy"].split(";")
    return dict(directive.strip().split(" ", 1) for directive in directives)


# What a card shows


def test_an_issues_card_shows_its_headline_date_and_every_standfirst(client: FlaskClient) -> None:
    shown = card(client, "/embed/issues/2024-01-24")
    assert texts(shown, "//h1") == ["Article 1 of 2024-01-24"]
    assert texts(shown, "//*[@class='dateline']") == ["24 January 2024 · No. 2"]
    assert shown.xpath("//time/@datetime") == ["2024-01-24"]
    assert texts(shown, "//ol[@class='articles']/li/p") == [
        "What this article says.",
        "A cap on rents, “at last”.",
    ]
    # The lead article's headline is the issue's title, shown once, as the card's <h1>.
    assert texts(shown, "//ol[@class='articles']/li/h2") == ["Rent caps & <the> council"]


def test_each_article_of_a_card_is_at_its_id_for_an_article_embed(client: FlaskClient) -> None:
    shown = card(client, "/embed/issues/2024-01-24")
    assert shown.xpath("//ol[@class='articles']/li/@id") == [
        "article-1-of-2024-01-24",
        "rent-caps-the-council",
    ]


def test_a_card_links_out_to_its_issue_and_to_subscribe(client: FlaskClient) -> None:
    shown = card(client, "/embed/issues/2024-01-24")
    links = {link.text_content().strip(): link.get("href") for link in shown.xpath("//footer/a")}
    assert links == {
        "Read the issue": f"{BASE}/issues/2024-01-24",
        "Subscribe": f"{BASE}/subscribe",
    }


def test_every_link_on_a_card_opens_a_new_tab_without_an_opener(client: FlaskClient) -> None:
    links = card(client, "/embed/issues/2024-01-24").xpath("//a")
    assert len(links) == 5  # the publication, the issue, an article, read the issue, subscribe
    assert {(link.get("target"), link.get("rel")) for link in links} == {("_blank", "noopener")}
    assert all(link.get("href").startswith(f"{BASE}/") for link in links)


def test_the_latest_card_is_the_newest_issues(client: FlaskClient) -> None:
    latest = client.get("/embed/latest")
    assert latest.data == client.get("/embed/issues/2024-01-24").data
    assert latest.headers["Last-Modified"] == "Thu, 25 Jan 2024 10:00:00 GMT"


def test_the_latest_card_changes_with_each_new_issue(
    client: FlaskClient, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    before = client.get("/embed/latest")
    content.issue("2024-02-07", number=3, title="February round-up")
    build_store(content)
    after = client.get("/embed/latest", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert texts(lxml.html.fromstring(after.data), "//h1") == ["February round-up"]


def test_a_card_needs_no_script_and_styles_only_from_this_site(client: FlaskClient) -> None:
    shown = card(client, "/embed/latest")
    assert shown.xpath("//script | //*[@style] | //*[starts-with(name(@*), 'on')]") == []
    (stylesheet,) = shown.xpath("//head/link[@rel='stylesheet']/@href")
    assert stylesheet.startswith(f"{BASE}/assets/embed.css?v=")
    css = client.get(stylesheet.removeprefix(BASE))
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == "immutable, public, max-age=31536000"


def test_a_card_asks_not_to_be_indexed_in_place_of_its_issue(client: FlaskClient) -> None:
    assert card(client, "/embed/latest").xpath("//meta[@name='robots']/@content") == ["noindex"]


def test_an_unknown_issue_has_no_card(client: FlaskClient) -> None:
    assert client.get("/embed/issues/1999-01-01").status_code == 404


def test_no_latest_card_before_the_first_issue(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(content)
    assert app.test_client().get("/embed/latest").status_code == 404


# Framing


@pytest.mark.parametrize("path", ["/embed/latest", "/embed/issues/2024-01-24"])
def test_any_site_may_frame_a_card_and_nothing_else_is_loosened(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert policy(response) == {
        "default-src": "'none'",
        "style-src": "'self'",
        "img-src": "'self' https:",
        "frame-ancestors": "*",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_card_revalidated_keeps_its_policy(client: FlaskClient) -> None:
    first = client.get("/embed/latest")
    again = client.get("/embed/latest", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert policy(again)["frame-ancestors"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/issues/2024-01-24",
        "/subscribe",
        "/search?q=rent",
        "/embed/issues/1999-01-01",  # an error page is not a card
        "/embed/nothing",
        "/api/docs",
    ],
)
def test_every_other_page_still_forbids_framing(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    assert policy(response)["frame-ancestors"] == "'none'"


# Caching


def test_a_card_is_cached_and_revalidated_like_every_page(client: FlaskClient) -> None:
    first = client.get("/embed/issues/2024-01-24")
    assert first.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert first.headers["Vary"] == "Accept-Encoding"
    again = client.get(
        "/embed/issues/2024-01-24?utm_source=partner",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


# The snippet partners paste


def test_subscribe_shows_partners_the_snippet_of_the_latest_card(client: FlaskClient) -> None:
    response = client.get("/subscribe")
    page = lxml.html.fromstring(response.data)
    (snippet,) = page.xpath("//section[@class='partners']//pre/code/text()")
    (iframe,) = lxml.html.fragments_fromstring(snippet)
    assert iframe.tag == "iframe"
    assert iframe.get("src") == f"{BASE}/embed/latest"
    assert iframe.get("title") == "Test Briefing: the latest issue"
    assert b"<pre><code>&lt;iframe src=" in response.data  # shown as text, not as a frame
    assert page.xpath("//iframe") == []


def test_the_readme_shows_the_snippet_subscribe_gives_for_the_shipped_content(
    app: Flask, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(ContentTree(REPO / "content"))
    page = lxml.html.fromstring(app.test_client().get("/subscribe").data)
    (snippet,) = page.xpath("//section[@class='partners']//pre/code/text()")
    assert f"```html\n{snippet}\n```" in (REPO / "README.md").read_text()
