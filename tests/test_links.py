"""Every link in every feed document and every `url` in the API leads somewhere: a 200.

A crawl through the test client (and so through the response cache), from the documented
entry points: the subscription feeds (Atom, RSS, JSON Feed) of issues, articles and each tag,
and the API's lists. Feed documents found on the way (archive pages) are crawled in turn, API
documents likewise; every other link of ours must answer 200, and one with a fragment must land
on an element with that id. Links off the site may only be what the content cites, or the
author's address.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag

import feedparser
import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import parse_options_header
from werkzeug.test import TestResponse

from service.store import Store
from tests.factories import ContentTree

BASE = "https://briefing.test"
TAGS = ["housing", "rent", "transport"]
# Off the site: what the content cites, and the publication author's address (factories.py).
OFF_SITE = {
    "https://example.org/report",
    "https://example.org/people/ada",
    "mailto:desk@briefing.test",
}
FEEDS = [
    f"{BASE}/feeds/{name}.{extension}"
    for name in ["issues", "articles", *(f"tags/{tag}" for tag in TAGS)]
    for extension in ["atom", "rss", "json"]
]
API = [f"{BASE}/api/v1/{path}" for path in ["issues", "articles", "tags", "search?q=article"]]


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Five issues with tags, feeds of two entries: so there are archive pages to follow too."""
    content.publication(feed_size=2)
    for number, day in enumerate(["01-10", "01-24", "02-07", "02-21", "03-06"], start=1):
        content.issue(f"2024-{day}", articles=2, number=number, tags=[TAGS[number % 3]])
    content.article(
        "2024-03-06",
        "03-cited.md",
        body="See [the report](https://example.org/report).",
        headline="A cited report",
        tags=["rent"],
        sources=[{"title": "The report", "url": "https://example.org/report"}],
        authors=[{"name": "Ada", "url": "https://example.org/people/ada"}],
    )
    build_store(content)
    return app.test_client()


@dataclass
class Crawl:
    """What was fetched, and every link found, with the document it was found in."""

    client: FlaskClient
    fetched: dict[str, TestResponse] = field(default_factory=dict)
    found: list[tuple[str, str]] = field(default_factory=list)

    def get(self, url: str) -> TestResponse:
        if url not in self.fetched:
            self.fetched[url] = self.client.get(url.removeprefix(BASE))
        return self.fetched[url]

    def run(self, start: list[str], links_of: Callable[[TestResponse], Iterator[str]]) -> None:
        """Fetch each start document and every document of the same kind it links to."""
        self.found += [("the documented entry points", url) for url in start]
        queue, seen = deque(start), set(start)
        while queue:
            url = queue.popleft()
            response = self.get(url)
            if response.status_code != 200:
                continue  # reported by broken()
            for link in links_of(response):
                self.found.append((url, link))
                document = urldefrag(link).url
                if same_kind(document, url) and document not in seen:
                    seen.add(document)
                    queue.append(document)

    def broken(self) -> list[str]:
        """Links of ours that do not answer 200 or whose fragment names no element."""
        wrong = []
        for source, link in self.found:
            if not link.startswith(f"{BASE}/"):
                continue
            url, fragment = urldefrag(link)
            response = self.get(url)
            if response.status_code != 200:
                wrong.append(f"{link} ({response.status_code}) in {source}")
            elif fragment and not has_id(response, fragment):
                wrong.append(f"{link} (no element #{fragment}) in {source}")
        return wrong

    def off_site(self) -> set[str]:
        return {link for _, link in self.found if not link.startswith(f"{BASE}/")}


def same_kind(link: str, document: str) -> bool:
    """A feed document links to other feed documents (archives), an API document to API ones."""
    kinds = (f"{BASE}/feeds/", f"{BASE}/api/v1/")
    return any(link.startswith(kind) and document.startswith(kind) for kind in kinds)


def has_id(response: TestResponse, fragment: str) -> bool:
    return bool(lxml.html.fromstring(response.data).xpath("//*[@id=$id]", id=fragment))


def feed_links(response: TestResponse) -> Iterator[str]:
    """Every link a reader can follow: the feed's and entries', and links in entries' HTML."""
    if response.mimetype == "application/feed+json":
        document = json.loads(response.data)
        yield from json_urls(
            document, lambda key: key.endswith("url") or key in ("icon", "favicon")
        )
        for item in document.get("items", []):
            yield from html_links(item.get("content_html", ""))
        return
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    for holder in [parsed.feed, *parsed.entries]:
        yield from (link["href"] for link in holder.get("links", []))
        for text in [*holder.get("content", []), holder.get("summary_detail")]:
            if text and text.get("type") == "text/html":
                yield from html_links(text["value"])
    for holder in [parsed.feed.get("image", {})]:
        yield from (holder[key] for key in ("href", "link") if key in holder)


def api_links(response: TestResponse) -> Iterator[str]:
    """Every `url` (or `..._url`) in an API document, and its RFC 8288 Link header targets."""
    yield from json_urls(
        json.loads(response.data), lambda key: key == "url" or key.endswith("_url")
    )
    for link in response.headers.getlist("Link"):
        for part in link.split(","):
            yield parse_options_header(part.strip())[0].strip("<>")


def json_urls(value: Any, is_url: Callable[[str], bool]) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and is_url(key):
                yield item
            else:
                yield from json_urls(item, is_url)
    elif isinstance(value, list):
        for item in value:
            yield from json_urls(item, is_url)


def html_links(html: str) -> Iterator[str]:
    if html.strip():
        yield from (str(href) for href in lxml.html.fromstring(html).xpath("//a/@href"))


def test_every_link_in_every_feed_document_answers_200(client: FlaskClient) -> None:
    crawl = Crawl(client)
    crawl.run(FEEDS, feed_links)
    assert crawl.broken() == []
    assert crawl.off_site() <= OFF_SITE
    archives = [url for url in crawl.fetched if "/archive/" in url]
    assert archives, "feeds of two entries over eleven articles link archive pages"
    assert any("/issues/2024-" in link for _, link in crawl.found)


def test_every_url_in_the_api_answers_200(client: FlaskClient) -> None:
    crawl = Crawl(client)
    crawl.run(API, api_links)
    assert crawl.broken() == []
    assert crawl.off_site() <= OFF_SITE
    pages = {urldefrag(link).url for _, link in crawl.found if "/api/" not in link}
    assert f"{BASE}/issues/2024-03-06" in pages
    assert f"{BASE}/tags/rent" in pages
