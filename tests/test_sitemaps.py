"""Sitemaps and robots.txt as search engines read them: valid against the sitemaps.org schema,
every page with its Last-Modified as lastmod, an index past the protocol's limit, the newest
issue for Google News, robots.txt naming both; deterministic and cached like every document."""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib
import urllib.robotparser
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import parse_date

from service import create_app, sitemaps
from service.sitemaps import Location, news_language, sitemap_files
from service.store import Store
from tests.factories import REPO, ContentTree

BASE = "https://briefing.test"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP, "news": NEWS}
SCHEMA = lxml.etree.XMLSchema(lxml.etree.parse(REPO / "tests" / "data" / "sitemap.xsd"))
Element = lxml.etree._Element


def write_content(tree: ContentTree) -> None:
    """Twelve issues tagged localism, the second also housing; the first corrected last, in
    June, after every other: its neighbour's page shows its title, a tag's first page does not."""
    for day in range(1, 13):
        fields = {"updated": "2024-06-01T12:00:00Z"} if day == 1 else {}
        tags = ["localism", "housing"] if day == 2 else ["localism"]
        tree.issue(f"2024-01-{day:02d}", tags=tags, **fields)
    tree.article(
        "2024-01-12", "02-rent.md", headline="Rent caps & <the> council", standfirst="Caps."
    )


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    write_content(content)
    build_store(content)
    return app.test_client()


def xml(client: FlaskClient, path: str) -> Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.content_type == "application/xml; charset=utf-8"
    return lxml.etree.fromstring(response.data)


def listed(sitemap: Element) -> dict[str, dt.datetime]:
    """{loc: lastmod} of a sitemap or a sitemap index."""
    return {
        entry.findtext("s:loc", namespaces=NS): dt.datetime.fromisoformat(
            entry.findtext("s:lastmod", namespaces=NS)
        )
        for entry in sitemap.xpath("s:url | s:sitemap", namespaces=NS)
    }


# /sitemap.xml


def test_the_sitemap_is_valid_against_the_sitemaps_org_schema(client: FlaskClient) -> None:
    SCHEMA.assertValid(xml(client, "/sitemap.xml"))


def test_the_sitemap_lists_every_issue_the_home_and_every_tag_page(client: FlaskClient) -> None:
    assert list(listed(xml(client, "/sitemap.xml"))) == [
        *(f"{BASE}/issues/2024-01-{day:02d}" for day in range(1, 13)),
        f"{BASE}/",
        f"{BASE}/tags/housing",
        f"{BASE}/tags/localism",
    ]


def test_each_lastmod_is_the_last_modified_its_page_answers(client: FlaskClient) -> None:
    locations = listed(xml(client, "/sitemap.xml"))
    for url, lastmod in locations.items():
        page = client.get(url.removeprefix(BASE) or "/")
        assert parse_date(page.headers["Last-Modified"]) == lastmod, url
    june = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    assert locations[f"{BASE}/issues/2024-01-02"] == june  # it names the first issue
    assert locations[f"{BASE}/issues/2024-01-03"] < june
    assert locations[f"{BASE}/tags/localism"] < june  # the first issue is on its second page


def test_while_everything_fits_there_are_no_sitemap_files(client: FlaskClient) -> None:
    assert client.get("/sitemap-1.xml").status_code == 404


def test_the_shipped_sitemaps_hold_the_protocols_50000_urls() -> None:
    assert sitemaps.URLS_PER_SITEMAP == 50_000
    when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    urls = [Location(f"{BASE}/issues/{n}", when) for n in range(50_001)]
    assert [len(file) for file in sitemap_files(urls[:50_000], sitemaps.URLS_PER_SITEMAP)] == [
        50_000
    ]
    assert [len(file) for file in sitemap_files(urls, sitemaps.URLS_PER_SITEMAP)] == [50_000, 1]


@pytest.fixture
def demo(tmp_path: Path, store_path: Path, run_cli: Callable[..., Result]) -> Path:
    """`briefing demo-content`, 30 issues: 30 issue pages, the home and the demo's tags."""
    assert run_cli("demo-content", "--issues", 30, "--out", tmp_path / "demo").exit_code == 0
    assert run_cli("build", tmp_path / "demo", "--store", store_path).exit_code == 0
    return store_path


def test_past_the_limit_the_sitemap_is_an_index_of_sitemap_files(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store of 50,000 pages takes minutes to build: the limit is lowered to ten here, and
    the test above holds the shipped one to the protocol's."""
    everything = listed(xml(create_app({"STORE": str(demo)}).test_client(), "/sitemap.xml"))
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 10)
    demo_site = create_app({"STORE": str(demo)}).test_client()
    index = xml(demo_site, "/sitemap.xml")
    assert index.tag == f"{{{SITEMAP}}}sitemapindex"
    files = listed(index)
    base = "https://demo.briefing.example"
    assert list(files) == [f"{base}/sitemap-{n}.xml" for n in range(1, len(files) + 1)]
    seen: dict[str, dt.datetime] = {}
    for url, lastmod in files.items():
        sitemap = xml(demo_site, url.removeprefix(base))
        SCHEMA.assertValid(sitemap)
        urls = listed(sitemap)
        assert 1 <= len(urls) <= 10
        assert lastmod == max(urls.values())
        seen |= urls
    assert seen == everything and len(everything) > 30
    assert demo_site.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert demo_site.get("/sitemap-0.xml").status_code == 404
    assert demo_site.get("/sitemap-01.xml").status_code == 404


def test_an_empty_store_lists_the_home_and_no_news(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(content)
    client = app.test_client()
    assert list(listed(xml(client, "/sitemap.xml"))) == [f"{BASE}/"]
    assert xml(client, "/sitemap-news.xml").xpath("s:url", namespaces=NS) == []


# /sitemap-news.xml


def test_the_news_sitemap_lists_the_newest_issues_articles(client: FlaskClient) -> None:
    news = xml(client, "/sitemap-news.xml")
    entries = [
        (
            url.findtext("s:loc", namespaces=NS),
            url.findtext("news:news/news:publication/news:name", namespaces=NS),
            url.findtext("news:news/news:publication/news:language", namespaces=NS),
            url.findtext("news:news/news:publication_date", namespaces=NS),
            url.findtext("news:news/news:title", namespaces=NS),
        )
        for url in news.xpath("s:url", namespaces=NS)
    ]
    assert entries == [
        (
            f"{BASE}/issues/2024-01-12#article-1-of-2024-01-12",
            "Test Briefing",
            "en",
            "2024-01-12",
            "Article 1 of 2024-01-12",
        ),
        (
            f"{BASE}/issues/2024-01-12#rent-caps-the-council",
            "Test Briefing",
            "en",
            "2024-01-12",
            "Rent caps & <the> council",
        ),
    ]


def test_the_news_sitemap_is_a_valid_sitemap_around_its_news(client: FlaskClient) -> None:
    news = xml(client, "/sitemap-news.xml")
    for element in news.xpath("//news:news", namespaces=NS):
        element.getparent().remove(element)
    SCHEMA.assertValid(news)


@pytest.mark.parametrize(
    ("language", "code"),
    [("en-GB", "en"), ("en", "en"), ("fr-CA", "fr"), ("zh-CN", "zh-cn"), ("zh-TW", "zh-tw")],
)
def test_news_language_is_the_iso_639_code_google_news_asks_for(language: str, code: str) -> None:
    assert news_language(language) == code


# /robots.txt


def robots(client: FlaskClient, base: str = BASE) -> urllib.robotparser.RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    parser = urllib.robotparser.RobotFileParser(f"{base}/robots.txt")
    parser.parse(response.get_data(as_text=True).splitlines())
    return parser


def test_robots_lets_crawlers_read_every_page_but_searches(client: FlaskClient) -> None:
    parser = robots(client)
    for path in ["/", "/issues/2024-01-12", "/tags/localism", "/subscribe", "/feeds/issues.atom"]:
        assert parser.can_fetch("Googlebot", f"{BASE}{path}"), path
    for path in ["/search?q=rent", "/api/v1/search?q=rent", "/api/v1/articles?q=rent"]:
        assert not parser.can_fetch("Googlebot", f"{BASE}{path}"), path


def test_robots_names_both_sitemaps_in_full(client: FlaskClient) -> None:
    assert robots(client).site_maps() == [f"{BASE}/sitemap.xml", f"{BASE}/sitemap-news.xml"]


def test_robots_and_sitemaps_follow_a_base_url_with_a_path(
    store_path: Path, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    write_content(content)
    build_store(content)
    base = "https://example.org/briefing"
    app = create_app({"STORE": str(store_path), "STORE_CHECK_INTERVAL": 0, "BASE_URL": base})
    client = app.test_client()
    parser = robots(client, "https://example.org")
    assert not parser.can_fetch("*", f"{base}/search?q=rent")
    assert parser.can_fetch("*", f"{base}/issues/2024-01-12")
    assert parser.site_maps() == [f"{base}/sitemap.xml", f"{base}/sitemap-news.xml"]
    assert all(url.startswith(f"{base}/") for url in listed(xml(client, "/sitemap.xml")))


# Every document


DOCUMENTS = ["/sitemap.xml", "/sitemap-news.xml", "/robots.txt"]


def test_the_same_store_gives_the_same_bytes(tmp_path: Path, content: ContentTree) -> None:
    write_content(content)
    answers = []
    for name in ("one", "two"):
        store = content.build(tmp_path / name / "briefing.sqlite3")
        client = create_app({"STORE": str(store), "STORE_CHECK_INTERVAL": 0}).test_client()
        answers.append([client.get(path).data for path in DOCUMENTS])
    assert answers[0] == answers[1]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_each_document_is_cached_and_revalidated(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert first.headers["Vary"] == "Accept-Encoding"
    assert "Last-Modified" in first.headers
    again = client.get(f"{path}?utm_source=x", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    head = client.head(path)
    assert head.headers["ETag"] == first.headers["ETag"] and head.data == b""


def test_a_sitemap_that_is_not_there_is_plain_text(client: FlaskClient) -> None:
    response = client.get("/sitemap-2.xml", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert urlsplit(response.request.url).path == "/sitemap-2.xml"


def test_every_template_and_asset_is_installed_with_the_package() -> None:
    """A wheel (the container's install) holds only what package-data names: the sitemaps'
    templates are .xml, not .html."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["service"]
    service = REPO / "service"
    files = [*(service / "templates").iterdir(), *(service / "static").iterdir()]
    unpackaged = [
        str(path.relative_to(service))
        for path in files
        if not any(fnmatch.fnmatch(str(path.relative_to(service)), glob) for glob in globs)
    ]
    assert unpackaged == []


def test_robots_keeps_crawlers_out_of_a_synthetic_publication(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    """Its pages say noindex: its sitemaps are not offered, and nothing is to be crawled."""
    content.publication(synthetic=True)
    write_content(content)
    build_store(content)
    parser = robots(app.test_client())
    assert not parser.can_fetch("Googlebot", f"{BASE}/issues/2024-01-12")
    assert not parser.can_fetch("Googlebot", f"{BASE}/")
    assert parser.site_maps() is None
