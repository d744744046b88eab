"""What the feed tests share: content with every feature, and real parsers on the real bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import feedparser
from lxml import etree

from schemas.jsonfeed import JsonFeedSchema
from tests.factories import ContentTree

ATOM_RNG = Path(__file__).parent / "data" / "atom.rng"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "fh": "http://purl.org/syndication/history/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
EXTENSIONS = ("atom", "rss", "json")
BASE = "https://briefing.test"
UPDATED_0126 = dt.datetime(2011, 1, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
EVERY_OPTION = {  # but the hub: tests that name one run it locally (serve_hub)
    "icon": "https://briefing.test/icon.png",
    "logo": "https://briefing.test/logo.png",
    "author": {"name": "Test Desk", "email": "desk@briefing.test", "url": "https://briefing.test/"},
}


@dataclass
class Hub:
    """A WebSub hub on a loopback port: what it was sent, and how it answers."""

    url: str = ""
    status: int = 204
    refused: set[str] = field(default_factory=set)  # topics answered 400, whatever the status
    delay: float = 0.0  # seconds before answering: longer than a client's timeout
    received: list[dict[str, list[str]]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def published(self) -> list[str]:
        assert all(form["hub.mode"] == ["publish"] for form in self.received)
        return [url for form in self.received for url in form["hub.url"]]


@contextlib.contextmanager
def serve_hub() -> Iterator[Hub]:
    """A hub (stdlib http.server in a thread) on 127.0.0.1, stopped on leaving."""
    state = Hub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            form = parse_qs(body.decode())
            state.received.append(form)
            state.released.wait(state.delay)
            refused = state.refused.intersection(form.get("hub.url", []))
            try:
                self.send_response(400 if refused else state.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the client gave up waiting

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def three_issues(content: ContentTree, **publication: Any) -> None:
    """Three issues, five articles; tags, sources and authors on some."""
    content.publication(**publication)
    content.issue("2011-01-12", articles=2, tags=["big-society"])
    content.issue("2011-01-26", articles=0, updated=UPDATED_0126)
    content.article(
        "2011-01-26",
        "01-housing.md",
        headline="Housing: who builds?",
        standfirst="Councils & co-ops — a “new” model.",
        body="Community land trusts *build* homes.\n\n## Who pays\n\nThe state.",
        tags=["housing", "funding"],
        sources=[{"title": "The trusts' report", "url": "https://example.org/clt?a=1&b=2"}],
        authors=[{"name": "Gabriel Chanan", "url": "https://example.org/gc"}],
    )
    content.issue("2011-02-09", articles=2)
    content.article("2011-02-09", "03-rents.md", headline="Rents rise", tags=["housing"])


def paths(name: str) -> list[str]:
    return [f"/feeds/{name}.{extension}" for extension in EXTENSIONS]


def parse(body: bytes) -> Any:
    """feedparser's reading of an Atom or RSS document, which must not be bozo."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def load_json_feed(body: bytes) -> dict[str, Any]:
    """A JSON Feed document, checked against the 1.1 schema (required fields included)."""
    document: dict[str, Any] = json.loads(body)
    assert JsonFeedSchema().validate(document) == {}
    return document


def xml(body: bytes) -> Any:
    return etree.fromstring(body)


@functools.cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ATOM_RNG)))


def assert_valid_atom(body: bytes) -> None:
    """RFC 4287's RELAX NG schema, and the two Schematron rules in it that RELAX NG skips."""
    feed = xml(body)
    schema = atom_schema()
    assert schema.validate(feed), schema.error_log
    assert feed.xpath("atom:author or not(atom:entry[not(atom:author)])", namespaces=NS)
    for entry in feed.xpath("atom:entry", namespaces=NS):
        alternate = "atom:link[@rel='alternate'] or atom:link[not(@rel)] or atom:content"
        assert entry.xpath(alternate, namespaces=NS)
        assert entry.xpath(
            "atom:author or ../atom:author or atom:source/atom:author", namespaces=NS
        )


def feed_links(body: bytes) -> dict[str, str]:
    """rel -> href of an Atom feed's or an RSS channel's own atom:link elements."""
    root = xml(body)
    parent = root if root.tag == f"{{{NS['atom']}}}feed" else root.find("channel")
    return {link.get("rel"): link.get("href") for link in parent.findall("atom:link", NS)}


def marker(body: bytes) -> str | None:
    """fh:complete or fh:archive, as 'complete' or 'archive', in Atom or RSS."""
    found = xml(body).xpath("//fh:complete | //fh:archive", namespaces=NS)
    assert len(found) <= 1
    return etree.QName(found[0]).localname if found else None


def entry_ids(body: bytes, extension: str) -> list[str]:
    if extension == "json":
        return [item["id"] for item in load_json_feed(body)["items"]]
    return [entry.id for entry in parse(body).entries]
