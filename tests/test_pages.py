"""The HTML archive as a client sees it: content, links, errors, caching and security headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service import create_app
from service.store import Store, terms
from tests.factories import REPO, SEED, ContentTree
from tests.pagetools import Html, page, texts

BASE = "https://briefing.test"
SEED_ISSUE = "2011-01-12"
PAGES = ["/", "/issues/2024-01-24", "/tags/rent", "/search?q=rent", "/subscribe"]
SECURITY = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https:;"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
SYNTHETIC = "Generated content: not a real publication."


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Three issues: the second with a tagged, sourced, authored article and awkward text."""
    content.issue("2024-01-10", number=1)
    content.issue(
        "2024-01-24",
        number=2,
        tags=["housing"],
        updated=dt.datetime(2024, 1, 25, 10, tzinfo=dt.UTC),
    )
    content.article(
        "2024-01-24",
        "02-rent.md",
        body="Rents rose <b>fast</b> & **far**.",
        headline="Rent caps & <the> council",
        standfirst="A cap on rents, “at last”.",
        tags=["rent"],
        sources=[{"title": "The rent report", "url": "https://example.org/rent"}],
        authors=[{"name": "Ada Writer", "url": "https://example.org/ada"}],
    )
    content.issue("2024-02-07", number=3, title="February round-up")
    build_store(content)
    return app.test_client()


def hrefs(tree: Html, xpath: str) -> list[str]:
    return [str(href) for href in tree.xpath(f"{xpath}/@href")]


# Home


def test_home_lists_the_newest_issues_first_with_date_and_number(client: FlaskClient) -> None:
    home = page(client, "/")
    assert texts(home, "//main//article/h2") == [
        "7 February 2024 · No. 3",
        "24 January 2024 · No. 2",
        "10 January 2024 · No. 1",
    ]
    assert hrefs(home, "//main//article/h2/a")[0] == f"{BASE}/issues/2024-02-07"


def test_home_shows_each_articles_headline_and_standfirst(client: FlaskClient) -> None:
    second = page(client, "/").xpath("//main//article")[1]
    assert texts(second, ".//h3") == ["Article 1 of 2024-01-24", "Rent caps & <the> council"]
    assert texts(second, ".//h3/following-sibling::p") == [
        "What this article says.",
        "A cap on rents, “at last”.",
    ]
    assert hrefs(second, ".//h3/a")[1] == f"{BASE}/issues/2024-01-24#rent-caps-the-council"


def test_home_is_paginated_with_links_between_pages(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    for day in range(1, 13):
        content.issue(f"2024-03-{day:02d}")
    build_store(content)
    client = app.test_client()
    first, second = page(client, "/"), page(client, "/?page=2")
    assert len(first.xpath("//main//article")) == 10
    assert hrefs(first, "//a[@rel='next']") == [f"{BASE}/?page=2"]
    assert texts(second, "//main//article/h2") == ["2 March 2024", "1 March 2024"]
    assert hrefs(second, "//a[@rel='prev']") == [f"{BASE}/"]
    assert hrefs(second, "//link[@rel='canonical']") == [f"{BASE}/?page=2"]


def test_home_of_an_empty_archive_says_so(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(content)
    assert texts(page(app.test_client(), "/"), "//main/p") == ["No issue has been published yet."]


@pytest.mark.parametrize("number", ["2", "0", "-1", "x", "1.5"])
def test_a_page_that_does_not_exist_is_not_found(client: FlaskClient, number: str) -> None:
    assert client.get(f"/?page={number}").status_code == 404


def test_a_page_number_with_a_leading_zero_is_not_found(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    """Page 2 exists, at one address only: `?page=2`, as in the API and the feed archives."""
    for day in range(1, 25):
        content.issue(f"2024-03-{day:02d}", tags=["localism"])
    build_store(content)
    client = app.test_client()
    for path in ("/?page=2", "/tags/localism?page=2", "/search?q=article&page=2"):
        assert client.get(path).status_code == 200, path
        assert client.get(path.replace("=2", "=02")).status_code == 404, path


# Issue


def test_issue_page_shows_every_article_with_its_anchor(client: FlaskClient) -> None:
    issue = page(client, "/issues/2024-01-24")
    assert texts(issue, "//h1") == ["Article 1 of 2024-01-24"]
    assert issue.xpath("//main/article/article/@id") == [
        "article-1-of-2024-01-24",
        "rent-caps-the-council",
    ]
    assert texts(issue, "//nav[@class='contents']//a") == [
        "Article 1 of 2024-01-24",
        "Rent caps & <the> council",
    ]
    assert hrefs(issue, "//nav[@class='contents']//a") == [
        "#article-1-of-2024-01-24",
        "#rent-caps-the-council",
    ]


def test_lead_headline_is_not_repeated_when_it_is_the_issue_title(client: FlaskClient) -> None:
    issue = page(client, "/issues/2024-01-24")
    assert texts(issue, "//main/article/article/h2") == ["Rent caps & <the> council"]


def test_an_issue_with_its_own_title_shows_every_headline(client: FlaskClient) -> None:
    issue = page(client, "/issues/2024-02-07")
    assert texts(issue, "//h1") == ["February round-up"]
    assert texts(issue, "//main/article/article/h2") == ["Article 1 of 2024-02-07"]


def test_issue_page_shows_an_articles_sources_authors_and_tags(client: FlaskClient) -> None:
    article = page(client, "/issues/2024-01-24").get_element_by_id("rent-caps-the-council")
    assert texts(article, ".//section[@class='sources']//a") == ["The rent report"]
    assert hrefs(article, ".//section[@class='sources']//a") == ["https://example.org/rent"]
    assert texts(article, ".//p[@class='byline']") == ["By Ada Writer"]
    assert hrefs(article, ".//ul[@class='tags']//a") == [
        f"{BASE}/tags/rent",
        f"{BASE}/tags/housing",
    ]


def test_issue_page_links_the_previous_and_next_issue(client: FlaskClient) -> None:
    middle = page(client, "/issues/2024-01-24")
    assert hrefs(middle, "//a[@rel='prev']") == [f"{BASE}/issues/2024-01-10"]
    assert hrefs(middle, "//a[@rel='next']") == [f"{BASE}/issues/2024-02-07"]
    assert page(client, "/issues/2024-01-10").xpath("//a[@rel='prev']") == []
    assert page(client, "/issues/2024-02-07").xpath("//a[@rel='next']") == []


def test_article_body_is_the_sanitised_html_and_everything_else_is_escaped(
    client: FlaskClient,
) -> None:
    html = client.get("/issues/2024-01-24").get_data(as_text=True)
    assert "Rent caps &amp; &lt;the&gt; council" in html
    assert "<p>Rents rose &lt;b&gt;fast&lt;/b&gt; &amp; <strong>far</strong>.</p>" in html
    assert "<the>" not in html and "<b>" not in html


def test_seed_issue_page_shows_its_text_exactly(
    app: Flask, run_cli: Callable[..., Result], store_path: Path
) -> None:
    assert run_cli("build", REPO / "content", "--store", store_path).exit_code == 0
    issue = page(app.test_client(), f"/issues/{SEED_ISSUE}")
    seed = [line for line in SEED.read_text("utf-8").split("\n") if line.strip()]
    article = issue.xpath("//main/article/article")[0]
    assert issue.xpath("//time/@datetime") == [SEED_ISSUE]
    assert texts(issue, "//h1") == [seed[2]]
    assert texts(article, "./p[contains(@class, 'standfirst')]") == [seed[3]]
    body = article.xpath("./div[contains(@class, 'body')]/*")
    assert [el.text_content() for el in body] == seed[4:]
    assert "‘Big Society and Public Services’" in article.text_content()
    assert "PUBLIC SERVICES –\xa0 Complementarity" in article.text_content()


def test_unknown_issue_is_an_html_404_with_a_way_back(client: FlaskClient) -> None:
    response = client.get("/issues/1999-01-01")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    not_found = lxml.html.fromstring(response.data)
    assert texts(not_found, "//h1") == ["Page not found"]
    assert f"{BASE}/" in hrefs(not_found, "//main//a")


# Tags


def test_tag_page_lists_only_the_articles_with_that_tag(client: FlaskClient) -> None:
    tag = page(client, "/tags/rent")
    assert texts(tag, "//h1") == ["Tagged “rent”"]
    assert texts(tag, "//main//article/h2") == ["24 January 2024 · No. 2"]
    assert texts(tag, "//main//h3") == ["Rent caps & <the> council"]


def test_issue_tags_reach_every_article_of_the_issue(client: FlaskClient) -> None:
    housing = page(client, "/tags/housing")
    assert texts(housing, "//main//h3") == ["Article 1 of 2024-01-24", "Rent caps & <the> council"]


def test_tag_page_offers_the_tags_feeds_first(client: FlaskClient) -> None:
    alternates = hrefs(page(client, "/tags/rent"), "//link[@rel='alternate']")
    assert alternates == [
        f"{BASE}/feeds/tags/rent.atom",
        f"{BASE}/feeds/tags/rent.rss",
        f"{BASE}/feeds/tags/rent.json",
        f"{BASE}/feeds/issues.atom",
        f"{BASE}/feeds/issues.rss",
        f"{BASE}/feeds/issues.json",
    ]


def test_unknown_tag_is_an_html_404(client: FlaskClient) -> None:
    response = client.get("/tags/no-such-tag")
    assert response.status_code == 404
    assert texts(lxml.html.fromstring(response.data), "//h1") == ["Page not found"]


# Search


def test_search_highlights_the_matches(client: FlaskClient) -> None:
    results = page(client, "/search?q=rose")
    assert texts(results, "//ol[@class='hits']//h2") == ["Rent caps & <the> council"]
    assert hrefs(results, "//ol[@class='hits']//h2/a") == [
        f"{BASE}/issues/2024-01-24#rent-caps-the-council"
    ]
    assert texts(results, "//p[@class='snippet']/mark") == ["rose"]


def test_search_text_is_escaped_wherever_it_is_shown(client: FlaskClient) -> None:
    html = client.get("/search?q=<script>rent").get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;script&gt;rent" in html


def test_search_without_text_explains_how_to_search(client: FlaskClient) -> None:
    search = page(client, "/search")
    assert texts(search, "//h1") == ["Search"]
    assert search.xpath("//ol[@class='hits']") == []


def test_search_text_over_the_limit_is_a_400(client: FlaskClient) -> None:
    assert client.get("/search?q=" + "x" * 201).status_code == 400


def test_too_broad_a_search_is_a_400_saying_what_to_leave_out(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on an archive large enough for any search to cost: the least budget waived."""
    monkeypatch.setattr(terms, "SMALLEST_ARCHIVE", 0)
    response = client.get("/search?q=what+this+article+says+a+paragraph")
    assert response.status_code == 400
    assert "Too broad to search quickly: “a”, “what” and “this” are in too many articles." in (
        lxml.html.fromstring(response.data).text_content()
    )


def test_search_is_not_indexed_by_robots(client: FlaskClient) -> None:
    robots = page(client, "/search?q=rent").xpath("//meta[@name='robots']/@content")
    assert robots == ["noindex"]


# Subscribe


def test_subscribe_shows_every_feed_address_in_full(client: FlaskClient) -> None:
    shown = texts(page(client, "/subscribe"), "//main//dd/a/code")
    for name in ["issues", "articles", "tags/housing", "tags/rent"]:
        for extension in ["atom", "rss", "json"]:
            assert f"{BASE}/feeds/{name}.{extension}" in shown


def test_subscribe_says_what_each_feed_contains(client: FlaskClient) -> None:
    subscribe = page(client, "/subscribe")
    assert texts(subscribe, "//main/section/h2")[:2] == ["Every issue", "Every article"]
    assert "Articles tagged “rent”" in texts(subscribe, "//main/section/h3")


def test_subscribe_gives_developers_the_api_address(client: FlaskClient) -> None:
    developers = page(client, "/subscribe").xpath("//section[@class='developers']")[0]
    assert f"{BASE}/api/v1/issues" in texts(developers, ".//code")


# Every page


@pytest.mark.parametrize("path", PAGES)
def test_every_page_autodiscovers_the_issue_feeds(client: FlaskClient, path: str) -> None:
    alternates = page(client, path).xpath("//head/link[@rel='alternate']")
    found = {(link.get("type"), link.get("href")) for link in alternates}
    assert {
        ("application/atom+xml", f"{BASE}/feeds/issues.atom"),
        ("application/rss+xml", f"{BASE}/feeds/issues.rss"),
        ("application/feed+json", f"{BASE}/feeds/issues.json"),
    } <= found


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_subscribe_block_linking_each_feed(client: FlaskClient, path: str) -> None:
    block = page(client, path).xpath("//aside[@class='subscribe wrap']")[0]
    assert texts(block, "h2") == ["Subscribe"]
    links = hrefs(block, ".//a")
    assert {f"{BASE}/feeds/issues.{ext}" for ext in ["atom", "rss", "json"]} <= set(links)
    assert f"{BASE}/subscribe" in links


@pytest.mark.parametrize("path", PAGES)
def test_every_page_describes_itself_for_search_engines_and_sharing(
    client: FlaskClient, path: str
) -> None:
    tree = page(client, path)
    canonical = hrefs(tree, "//head/link[@rel='canonical']")
    assert len(canonical) == 1 and canonical[0].startswith(f"{BASE}/")
    assert tree.xpath("//head/meta[@property='og:url']/@content") == canonical
    assert tree.xpath("//head/meta[@name='description']/@content")[0].strip()
    for meta in ["og:title", "og:description", "og:type", "og:site_name"]:
        assert tree.xpath(f"//head/meta[@property='{meta}']/@content"), meta
    assert tree.xpath("/html/@lang") == ["en-GB"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_works_without_javascript(client: FlaskClient, path: str) -> None:
    tree = page(client, path)
    # JSON-LD (tests/test_structured_data.py) is a data block: no browser runs it.
    assert tree.xpath("//script[not(@type='application/ld+json')]") == []
    assert tree.xpath("//@*[starts-with(name(), 'on')]") == []


def test_a_synthetic_publication_says_so_on_every_page_and_is_not_indexed(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.publication(synthetic=True)
    content.issue("2024-01-10", tags=["rent"])
    build_store(content)
    client = app.test_client()
    for path in ["/", "/issues/2024-01-10", "/tags/rent", "/search?q=article", "/subscribe"]:
        tree = page(client, path)
        assert tree.xpath("//meta[@name='robots']/@content") == ["noindex"], path
        assert texts(tree, "//footer/p[@class='synthetic']") == [SYNTHETIC], path


@pytest.mark.parametrize("path", ["/", "/issues/2024-01-24", "/subscribe"])
def test_a_real_publication_is_indexed_and_not_called_generated(
    client: FlaskClient, path: str
) -> None:
    tree = page(client, path)
    assert tree.xpath("//meta[@name='robots']") == []
    assert SYNTHETIC not in tree.text_content()


def test_language_comes_from_the_publication(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.publication(language="fr")
    build_store(content)
    assert page(app.test_client(), "/").xpath("/html/@lang") == ["fr"]


def test_base_url_setting_replaces_the_publications_in_every_link(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.issue("2024-01-10")
    build_store(content)
    app = create_app({"STORE": str(store_path), "BASE_URL": "http://127.0.0.1:9/"})
    links = page(app.test_client(), "/").xpath("//@href | //@action")
    elsewhere = [link for link in links if not link.startswith(("http://127.0.0.1:9/", "#"))]
    assert links and elsewhere == []


# Unknown paths


def test_unknown_path_is_an_html_404_for_a_browser(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert f"{BASE}/" in hrefs(lxml.html.fromstring(response.data), "//main//a")


def test_unknown_path_stays_plain_text_for_a_client_not_asking_for_html(
    client: FlaskClient,
) -> None:
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"


def test_without_a_store_a_page_is_a_short_503(app: Flask) -> None:
    response = app.test_client().get("/", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.data == b"503 Service Unavailable\n"


# Caching and headers


def test_page_is_cacheable_and_last_modified_when_its_newest_issue_was(
    client: FlaskClient,
) -> None:
    response = client.get("/issues/2024-01-10")
    assert response.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert response.headers["Last-Modified"] == "Thu, 25 Jan 2024 10:00:00 GMT"  # the next
    assert response.headers["ETag"]
    assert response.headers["Vary"] == "Accept-Encoding"


def test_if_none_match_on_a_page_returns_304(client: FlaskClient) -> None:
    etag = client.get("/issues/2024-01-24").headers["ETag"]
    repeated = client.get("/issues/2024-01-24", headers={"If-None-Match": etag})
    assert repeated.status_code == 304
    assert repeated.data == b""


def test_if_modified_since_on_a_page_returns_304(client: FlaskClient) -> None:
    modified = client.get("/").headers["Last-Modified"]
    assert client.get("/", headers={"If-Modified-Since": modified}).status_code == 304


def test_head_of_a_page_has_the_headers_and_no_body(client: FlaskClient) -> None:
    response = client.head("/subscribe")
    assert response.status_code == 200
    assert response.headers["ETag"] == client.get("/subscribe").headers["ETag"]
    assert response.data == b""


@pytest.mark.parametrize("path", [*PAGES, "/issues/1999-01-01"])
def test_security_headers_on_every_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert {name: response.headers.get(name) for name in SECURITY} == SECURITY


def test_security_headers_are_kept_on_a_304(client: FlaskClient) -> None:
    etag = client.get("/").headers["ETag"]
    response: TestResponse = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["Content-Security-Policy"] == SECURITY["Content-Security-Policy"]


def test_stylesheet_is_ours_and_kept_for_a_year_under_a_versioned_url(
    client: FlaskClient,
) -> None:
    stylesheets = hrefs(page(client, "/"), "//head/link[@rel='stylesheet']")
    assert len(stylesheets) == 1 and stylesheets[0].startswith(f"{BASE}/assets/briefing.css?v=")
    response = client.get(stylesheets[0].removeprefix(BASE))
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "immutable, public, max-age=31536000"
    assert (
        client.get(
            "/assets/briefing.css", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_unknown_asset_is_not_found(client: FlaskClient) -> None:
    assert client.get("/assets/../pages.py").status_code == 404
    assert client.get("/assets/missing.css").status_code == 404
