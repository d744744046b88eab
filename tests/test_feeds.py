"""The feed documents: what Atom, RSS and JSON Feed readers get, read by real parsers."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedgen.entry
import feedgen.feed
import lxml.html
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.feeds.catalogue import render
from service.feeds.formats import EXTENSIONS
from service.store import Store, open_store
from service.urls import Site, Urls
from tests.factories import REPO, SEED, ContentTree
from tests.feedtools import (
    BASE,
    EVERY_OPTION,
    NS,
    UPDATED_0126,
    Hub,
    assert_valid_atom,
    entry_ids,
    feed_links,
    load_json_feed,
    marker,
    parse,
    paths,
    serve_hub,
    three_issues,
    xml,
)

EVERY_FEED = [*paths("issues"), *paths("articles"), *paths("tags/housing")]
MEDIA_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
ISSUE_IDS = ["2011-02-09", "2011-01-26", "2011-01-12"]
HOUSING = [
    "tag:briefing.test,2011-02-09:issue/2011-02-09/rents-rise",
    "tag:briefing.test,2011-01-26:issue/2011-01-26/housing-who-builds",
]


@pytest.fixture
def hub() -> Iterator[Hub]:
    with serve_hub() as running:
        yield running


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store], hub: Hub
) -> Any:
    three_issues(content, hub=hub.url, **EVERY_OPTION)
    build_store(content)
    return app.test_client()


def extension_of(path: str) -> str:
    return path.rsplit(".", 1)[1]


@pytest.mark.parametrize("path", EVERY_FEED)
def test_every_feed_is_served_with_its_media_type(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == MEDIA_TYPES[extension_of(path)]


@pytest.mark.parametrize("path", [path for path in EVERY_FEED if not path.endswith(".json")])
def test_atom_and_rss_parse_cleanly(client: FlaskClient, path: str) -> None:
    parsed = parse(client.get(path).data)
    assert parsed.version == ("atom10" if path.endswith(".atom") else "rss20")
    name = path.removeprefix("/feeds/").rsplit(".", 1)[0]
    assert len(parsed.entries) == {"issues": 3, "articles": 6, "tags/housing": 2}[name]


@pytest.mark.parametrize("path", [path for path in EVERY_FEED if path.endswith(".json")])
def test_json_feed_has_every_required_field(client: FlaskClient, path: str) -> None:
    document = load_json_feed(client.get(path).data)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] and document["items"]
    assert document["feed_url"] == f"{BASE}{path}"
    for item in document["items"]:
        assert item["id"].startswith("tag:briefing.test,")
        assert item["content_html"] and item["url"].startswith(f"{BASE}/issues/")
        dt.datetime.fromisoformat(item["date_published"])
        dt.datetime.fromisoformat(item["date_modified"])


@pytest.mark.parametrize("path", [path for path in EVERY_FEED if path.endswith(".atom")])
def test_atom_validates_against_the_rfc_4287_schema(client: FlaskClient, path: str) -> None:
    assert_valid_atom(client.get(path).data)


def test_issue_entry_holds_the_whole_issue(client: FlaskClient) -> None:
    feed = parse(client.get("/feeds/issues.atom").data)
    assert [entry.id for entry in feed.entries] == [
        f"tag:briefing.test,{issue_id}:issue/{issue_id}" for issue_id in ISSUE_IDS
    ]
    entry = feed.entries[1]
    assert entry.link == f"{BASE}/issues/2011-01-26"
    assert entry.title == "Housing: who builds?"
    assert entry.summary == "Councils & co-ops — a “new” model."
    assert entry.published == "2011-01-26T00:00:00+00:00"
    assert entry.updated == UPDATED_0126.isoformat()
    content = entry.content[0].value
    assert "<h2>Housing: who builds?</h2>" in content
    assert "<em>build</em>" in content and "<h2>Who pays</h2>" in content
    assert '<li><a href="https://example.org/clt?a=1&amp;b=2">' in content
    assert "The trusts' report" in html.unescape(content)
    assert [tag.term for tag in entry.tags] == ["housing", "funding"]


def test_issue_summary_is_its_standfirsts(client: FlaskClient) -> None:
    entry = parse(client.get("/feeds/issues.rss").data).entries[0]
    assert entry.summary == "\n\n".join(["What this article says."] * 3)
    assert entry.content[0].value.count("<h2>") == 3


def test_article_entries_in_rss(client: FlaskClient) -> None:
    body = client.get("/feeds/articles.rss").data
    item = xml(body).find("channel/item[4]")
    assert item.findtext("title") == "Housing: who builds?"
    assert item.findtext("link") == f"{BASE}/issues/2011-01-26#housing-who-builds"
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("guid") == HOUSING[1]
    assert item.findtext("description") == "Councils &amp; co-ops — a “new” model."  # HTML
    encoded = item.findtext("content:encoded", namespaces=NS)
    assert "<em>build</em>" in encoded and "Councils &amp; co-ops" in encoded
    assert item.findtext("pubDate") == "Wed, 26 Jan 2011 00:00:00 +0000"
    assert [category.text for category in item.findall("category")] == ["housing", "funding"]


def test_article_authors_are_the_entry_authors(client: FlaskClient) -> None:
    entry = parse(client.get("/feeds/articles.atom").data).entries[3]
    assert entry.author_detail.name == "Gabriel Chanan"
    assert entry.author_detail.href == "https://example.org/gc"


def test_tag_feed_holds_the_articles_with_that_tag(client: FlaskClient) -> None:
    for extension in EXTENSIONS:
        body = client.get(f"/feeds/tags/housing.{extension}").data
        assert entry_ids(body, extension) == HOUSING


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/tags/nothing-tagged.atom",
        "/feeds/issues.xml",
        "/feeds/everything.rss",
        "/feeds/issues/archive/0.atom",
        "/feeds/issues/archive/1.atom",
        "/feeds/tags/housing/archive/1.json",
    ],
)
def test_unknown_feed_is_a_plain_text_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert response.data == b"404 Not Found\n"


def test_rss_self_link_is_the_rss_url(client: FlaskClient) -> None:
    for name, home in (("issues", f"{BASE}/"), ("tags/housing", f"{BASE}/tags/housing")):
        body = client.get(f"/feeds/{name}.rss").data
        assert feed_links(body)["self"] == f"{BASE}/feeds/{name}.rss"
        assert xml(body).findtext("channel/link") == home


def test_atom_links_self_alternate_and_hub(client: FlaskClient, hub: Hub) -> None:
    feed = parse(client.get("/feeds/tags/housing.atom").data).feed
    links = {link.rel: link for link in feed.links}
    assert links["self"].href == f"{BASE}/feeds/tags/housing.atom"
    assert links["self"].type == "application/atom+xml"
    assert links["alternate"].href == f"{BASE}/tags/housing"
    assert links["alternate"].type == "text/html"
    assert links["hub"].href == hub.url


def test_hub_in_every_format(client: FlaskClient, hub: Hub) -> None:
    assert feed_links(client.get("/feeds/issues.rss").data)["hub"] == hub.url
    hubs = load_json_feed(client.get("/feeds/issues.json").data)["hubs"]
    assert hubs == [{"type": "WebSub", "url": hub.url}]


def test_no_hub_link_without_a_hub(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    three_issues(content)
    build_store(content)
    client = app.test_client()
    for extension in ("atom", "rss"):
        assert "hub" not in feed_links(client.get(f"/feeds/issues.{extension}").data)
    assert "hubs" not in load_json_feed(client.get("/feeds/issues.json").data)


def test_publication_metadata_in_atom(client: FlaskClient) -> None:
    feed = parse(client.get("/feeds/issues.atom").data).feed
    assert feed.title == "Test Briefing"
    assert feed.subtitle == "Community policy, fortnightly"
    assert feed.language == "en-GB"
    assert feed.rights == "© Test"
    assert feed.author_detail == {
        "name": "Test Desk",
        "email": "desk@briefing.test",
        "href": "https://briefing.test/",
    }
    assert feed.icon == EVERY_OPTION["icon"] and feed.logo == EVERY_OPTION["logo"]
    assert feed.updated == "2011-02-09T00:00:00+00:00"


def test_publication_metadata_in_rss(client: FlaskClient) -> None:
    channel = xml(client.get("/feeds/issues.rss").data).find("channel")
    assert channel.findtext("language") == "en-GB"
    assert channel.findtext("copyright") == "© Test"
    assert channel.findtext("managingEditor") == "desk@briefing.test (Test Desk)"
    assert channel.findtext("image/url") == EVERY_OPTION["logo"]
    assert channel.findtext("lastBuildDate") == "Wed, 09 Feb 2011 00:00:00 +0000"


def test_publication_metadata_in_json_feed(client: FlaskClient) -> None:
    document = load_json_feed(client.get("/feeds/issues.json").data)
    assert document["home_page_url"] == f"{BASE}/"
    assert document["description"] == "Community policy, fortnightly"
    assert document["language"] == "en-GB"
    assert document["authors"] == [{"name": "Test Desk", "url": "https://briefing.test/"}]
    assert (document["icon"], document["favicon"]) == (EVERY_OPTION["logo"], EVERY_OPTION["icon"])
    assert "next_url" not in document


def test_links_come_from_the_base_url_never_the_host(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    three_issues(content)
    build_store(content)
    base = "http://127.0.0.1:8123"
    client = create_app({"STORE": str(store_path), "BASE_URL": f"{base}/"}).test_client()
    for path in EVERY_FEED:
        body = client.get(path, headers={"Host": "evil.example"}).data
        assert b"evil.example" not in body
        for url in document_urls(body, extension_of(path)):
            assert url.startswith(f"{base}/"), url


def document_urls(body: bytes, extension: str) -> list[str]:
    """Every URL of the site a document links to: its own, its pages', its entries'."""
    if extension == "json":
        document = load_json_feed(body)
        urls = [document["home_page_url"], document["feed_url"]]
        return urls + [item["url"] for item in document["items"]]
    root = xml(body)
    found = root.xpath(
        "//atom:link/@href | //channel/link/text() | //item/link/text()", namespaces=NS
    )
    return [str(url) for url in found]


def test_no_script_handlers_or_javascript_urls_reach_a_document(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.article(
        "2011-01-12",
        "01-hostile.md",
        headline='<script>alert("headline")</script> Hostile',
        standfirst="<img src=x onerror=alert(1)> and <b onclick='x()'>bold</b>",
        body=(
            "<script>alert(1)</script>\n\n"
            '<a href="javascript:alert(2)" onclick="x()">raw</a>\n\n'
            "[a link](javascript:alert(3)) and ![an image](javascript:alert(4))\n\n"
            "<div onmouseover='alert(5)'>hover</div>\n\n"
            "[fine](https://example.org/)"
        ),
        tags=["hostile"],
    )
    build_store(content)
    client = app.test_client()
    for path in [*paths("issues"), *paths("articles"), *paths("tags/hostile")]:
        body = client.get(path).data
        assert b"<script" not in body.lower()
        for fragment in html_payloads(body, extension_of(path)):
            assert_harmless(fragment)


def html_payloads(body: bytes, extension: str) -> list[str]:
    """The HTML that a reader renders: content and summaries declared (or taken as) HTML."""
    if extension == "json":
        items = load_json_feed(body)["items"]
        return [item["content_html"] for item in items]
    root = xml(body)
    expressions = "//atom:content | //atom:summary[@type='html'] | //item/description"
    found = root.xpath(f"{expressions} | //content:encoded", namespaces=NS)
    assert found
    return [element.text for element in found]


def assert_harmless(fragment: str) -> None:
    for element in lxml.html.fragments_fromstring(f"<div>{fragment}</div>")[0].iter():
        assert element.tag not in ("script", "iframe", "object", "embed", "style")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            assert not value.strip().lower().startswith("javascript:"), (name, value)


def test_seed_issue_text_arrives_intact(
    run_cli: Callable[..., Result], store_path: Path, app: Flask
) -> None:
    assert run_cli("build", REPO / "content", "--store", store_path).exit_code == 0
    article = open_store(store_path).issue("2011-01-12").articles[0]
    seed = [line for line in SEED.read_text("utf-8").split("\n") if line.strip()]
    standfirst, paragraphs = seed[3], seed[4:]
    assert "\xa0" in standfirst and "–\xa0" in paragraphs[0] and "‘" in paragraphs[1]
    client = app.test_client()
    for path in [*paths("issues"), *paths("articles")]:
        title, summary, content_html = seed_entry_text(client.get(path).data, extension_of(path))
        assert (title, summary) == (article.headline, standfirst)
        decoded = html.unescape(content_html)
        for paragraph in [standfirst, *paragraphs]:
            assert paragraph in decoded


def seed_entry_text(body: bytes, extension: str) -> tuple[str, str, str]:
    """Title, summary and content HTML of a document's one entry, its XML or JSON decoded."""
    if extension == "json":
        (item,) = json.loads(body)["items"]
        return item["title"], item["summary"], item["content_html"]
    if extension == "atom":
        (entry,) = xml(body).findall("atom:entry", NS)
        fields = ("atom:title", "atom:summary", "atom:content")
        title, summary, content_html = (entry.findtext(f, namespaces=NS) for f in fields)
        return title, summary, content_html
    (item,) = xml(body).findall("channel/item")
    fields = ("title", "description", "content:encoded")
    title, summary_html, content_html = (item.findtext(f, namespaces=NS) for f in fields)
    return title, html.unescape(summary_html), content_html


class AnyDatetime(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, dt.datetime)


class LaterClock(dt.datetime, metaclass=AnyDatetime):
    """A clock that has moved on: what feedgen's defaults would read, were they used."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> LaterClock:  # type: ignore[override]
        return cls(2099, 1, 1, tzinfo=tz)


def test_no_document_depends_on_the_clock(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    monkeypatch: pytest.MonkeyPatch,
    hub: Hub,
) -> None:
    three_issues(content, hub=hub.url, **EVERY_OPTION)
    store = build_store(content)
    site = Site(store, store.publication, Urls(store.publication.base_url))
    names = ["issues", "articles", "tags/housing"]
    before = [render(site, name, extension).body for name in names for extension in EXTENSIONS]
    monkeypatch.setattr(feedgen.feed, "datetime", LaterClock)
    monkeypatch.setattr(feedgen.entry, "datetime", LaterClock)
    after = [render(site, name, extension).body for name in names for extension in EXTENSIONS]
    assert after == before
    assert all(b"2099" not in body for body in after)


def test_empty_store_still_serves_valid_feeds(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    build_store(content)
    client = app.test_client()
    assert_valid_atom(client.get("/feeds/issues.atom").data)
    assert parse(client.get("/feeds/articles.rss").data).entries == []
    assert load_json_feed(client.get("/feeds/issues.json").data)["items"] == []
    assert marker(client.get("/feeds/issues.atom").data) == "complete"
