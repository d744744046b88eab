"""Atom and RSS 2.0 documents with feedgen: the only module that knows feedgen.

Each format gets its own FeedGenerator, so that each document's rel=self is its own URL (an
RSS document would otherwise name the Atom one). feedgen's traps, handled here:
`updated` and `published` are always set from the data (feedgen's default is now); the last
feed-level link set is the HTML page, because it becomes RSS's channel <link>; content is set
with `content(type="html")` and the summary with `summary()`, never `description()`, so Atom
gets both a <content> and a <summary> and RSS a <description> and a <content:encoded>.
RFC 5005's links and markers and the WebSub hub come from the `History` extension below;
RFC 6721's tombstones for withdrawn entries, in Atom only, from `Tombstones`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from service.feeds.model import Document, Entry, FeedFormat, Tombstone
from service.model import Person

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
GENERATOR = "briefing"


class History(BaseExtension):  # type: ignore[misc]
    """Adds atom:link elements (hub, current, prev-archive, next-archive) and fh:complete or
    fh:archive to a feed: feedgen writes no such link into RSS, and no fh:* anywhere."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.marker: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS}

    def extend_atom(self, feed: Any) -> Any:
        # feedgen writes Atom's own elements unqualified under a literal xmlns attribute:
        # so are these, to stand as <link> in the default namespace, not as <ns0:link>.
        self.extend(feed, "link")
        return feed

    def extend_rss(self, rss: Any) -> Any:
        self.extend(rss[0], f"{{{ATOM_NS}}}link")  # the <channel>; the root declares atom:
        return rss

    def extend(self, parent: Any, link: str) -> None:
        for rel, href in self.links:
            xml_elem(link, parent, rel=rel, href=href)
        if self.marker:
            xml_elem(f"{{{HISTORY_NS}}}{self.marker}", parent)


class Tombstones(BaseExtension):  # type: ignore[misc]
    """Adds an at:deleted-entry (RFC 6721) for each withdrawn entry to an Atom feed: its id as
    `ref`, when it was withdrawn, and why as its comment. Registered only on a document that
    has tombstones, so that no other document carries the namespace."""

    def __init__(self) -> None:
        self.tombstones: tuple[Tombstone, ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {"at": TOMBSTONES_NS}

    def extend_atom(self, feed: Any) -> Any:
        for tombstone in self.tombstones:
            deleted = xml_elem(
                f"{{{TOMBSTONES_NS}}}deleted-entry",
                feed,
                ref=tombstone.ref,
                when=tombstone.when.isoformat(),
            )
            xml_elem(f"{{{TOMBSTONES_NS}}}comment", deleted).text = tombstone.comment
        return feed


def render_atom(document: Document, feed_format: FeedFormat) -> bytes:
    feed = generator(document, feed_format, rss=False)
    if document.tombstones:
        feed.register_extension("tombstones", Tombstones, atom=True, rss=False)
        feed.tombstones.tombstones = document.tombstones
    atom: bytes = feed.atom_str(pretty=False)
    return atom


def render_rss(document: Document, feed_format: FeedFormat) -> bytes:
    rss: bytes = generator(document, feed_format, rss=True).rss_str(pretty=False)
    return rss


def generator(document: Document, feed_format: FeedFormat, rss: bool) -> FeedGenerator:
    """A FeedGenerator holding the document, its links and rel=self in `feed_format`."""
    publication = document.publication
    extension = feed_format.extension
    feed = FeedGenerator()
    feed.register_extension("history", History, atom=True, rss=True)
    feed.id(document.id)
    feed.title(document.title)
    # RSS's channel <description>, like an item's, is taken as HTML: the text is escaped.
    feed.subtitle(escape(publication.subtitle) if rss else publication.subtitle)
    feed.updated(document.updated)
    feed.language(publication.language)
    feed.rights(publication.rights)
    feed.author(person(publication.author))
    feed.generator(GENERATOR)
    if publication.author.email:
        feed.managingEditor(f"{publication.author.email} ({publication.author.name})")
    if publication.icon:
        feed.icon(publication.icon)
    if publication.logo:
        feed.logo(publication.logo)
    feed.link(href=document.self_url(extension), rel="self", type=feed_format.media_type)
    feed.link(href=document.home, rel="alternate", type="text/html")
    feed.history.links = document.history_links(extension)
    feed.history.marker = document.marker
    for entry in document.entries:
        feed.add_entry(feed_entry(entry, rss), order="append")
    return feed


def feed_entry(entry: Entry, rss: bool) -> FeedEntry:
    item = FeedEntry()
    item.id(entry.id)  # also the RSS guid, isPermaLink="false"
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate", type="text/html")
    item.published(entry.published)
    item.updated(entry.updated)
    item.content(entry.content_html, type="html")
    # Atom's summary is declared text; RSS's description is HTML, so the text is escaped.
    item.summary(escape(entry.summary) if rss else entry.summary)
    if entry.categories:
        item.category([{"term": tag} for tag in entry.categories])
    if entry.authors:
        item.author([person(author) for author in entry.authors])
    return item


def person(who: Person) -> dict[str, str]:
    fields = {"name": who.name, "email": who.email, "uri": who.url}
    return {key: value for key, value in fields.items() if value}
