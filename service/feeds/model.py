"""Feed documents: described once by a few hooks, written as Atom, RSS 2.0 or JSON Feed.

A feed is a `Feed` subclass (in the spirit of Django's syndication `Feed`): it says what its
items are and, hook by hook, what each item's id, title, link, dates and content are.
`Feed.document(page)` turns one page of it into a `Document`, which knows every URL it links
to; a `FeedFormat`'s writer (`atom_rss` for Atom and RSS, `jsonfeed`) takes a Document only.

Paging follows RFC 5005 archived feeds. Counting from the oldest entry, archive page k holds
entries (k-1)*N+1 ... k*N and exists once it is full; its entries never change. It links
prev-archive to page k-1 and next-archive to page k+1 once that page exists (every link
answers), so the newest archive page changes once, when the next one fills, and is `final`
from then on: every byte fixed. The subscription document holds the newest N entries and
links prev-archive to the newest full page; while every entry fits in it, it is complete.

A withdrawn item keeps its place in this counting, so no page's entries shift; it is no
entry, but a tombstone (RFC 6721) that the Atom writer sends and the others leave out. A
page holds the tombstones of its own places; the subscription document, those of every
withdrawal since the oldest entry of its places came out: news of a withdrawal stays as long
as news of an entry does.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from service.errors import FeedNotFound
from service.model import Person, Publication, Withdrawal
from service.urls import Site, Urls

Item = TypeVar("Item")


@dataclass(frozen=True)
class Entry:
    """One entry, whatever the format: plain-text title and summary, sanitised HTML content."""

    id: str
    title: str
    link: str
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content_html: str
    categories: tuple[str, ...] = ()
    authors: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Tombstone:
    """An entry withdrawn: its id, when, and why (RFC 6721's ref, when and comment)."""

    ref: str
    when: dt.datetime
    comment: str


@dataclass(frozen=True)
class Document:
    """One feed document: the subscription document (page None) or archive page `page`."""

    id: str
    name: str
    title: str
    home: str
    publication: Publication
    urls: Urls
    page: int | None
    total: int
    entries: tuple[Entry, ...]
    updated: dt.datetime
    tombstones: tuple[Tombstone, ...] = ()

    @property
    def marker(self) -> Literal["complete", "archive"] | None:
        """The RFC 5005 element that says what this document is, if any."""
        if self.page is not None:
            return "archive"
        return "complete" if self.total <= self.publication.feed_size else None

    @property
    def archive_pages(self) -> int:
        """How many archive pages the feed has: one for every N entries."""
        return self.total // self.publication.feed_size

    @property
    def final(self) -> bool:
        """An archive page with a newer one after it: it will never change again."""
        return self.page is not None and self.page < self.archive_pages

    @property
    def prev_archive(self) -> int | None:
        """The archive page just older than this document: the newest full one from the top."""
        if self.page is None:
            return None if self.marker == "complete" else self.archive_pages
        return self.page - 1 or None

    @property
    def next_archive(self) -> int | None:
        return self.page + 1 if self.final and self.page is not None else None

    def url(self, extension: str, page: int | None = None) -> str:
        """This feed's subscription document, or one of its archive pages, in a format."""
        name = self.name if page is None else f"{self.name}/archive/{page}"
        return self.urls.feed(name, extension)

    def self_url(self, extension: str) -> str:
        return self.url(extension, self.page)

    def history_links(self, extension: str) -> list[tuple[str, str]]:
        """(rel, href) of the hub and the RFC 5005 links, in the given format."""
        links = [("hub", self.publication.hub)] if self.publication.hub else []
        if self.page is not None:
            links.append(("current", self.url(extension)))
        if self.prev_archive:
            links.append(("prev-archive", self.url(extension, self.prev_archive)))
        if self.next_archive:
            links.append(("next-archive", self.url(extension, self.next_archive)))
        return links


@dataclass(frozen=True)
class FeedFormat:
    """A format every feed comes in: its extension in URLs, media type, name for readers, and
    the writer that turns a document into its bytes (handed this format, to link in it)."""

    extension: str
    media_type: str
    label: str
    writer: Callable[[Document, FeedFormat], bytes]

    def write(self, document: Document) -> bytes:
        return self.writer(document, self)


class Feed(ABC, Generic[Item]):
    """A feed described by hooks; `document()` pages it into Documents."""

    def __init__(self, name: str, site: Site) -> None:
        self.name = name
        self.site = site

    @abstractmethod
    def title(self) -> str: ...

    @abstractmethod
    def link(self) -> str:
        """The HTML page this is the feed of."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def items(self, start: int, stop: int) -> Sequence[Item | Withdrawal]:
        """Items newest first, from the start-th up to the stop-th (0-based); a withdrawn one
        in its place."""

    @abstractmethod
    def withdrawals(self, since: dt.datetime) -> Sequence[Withdrawal]:
        """The feed's items withdrawn at `since` or later."""

    @abstractmethod
    def withdrawal_id(self, withdrawal: Withdrawal) -> str:
        """The id its entry had."""

    @abstractmethod
    def item_id(self, item: Item) -> str: ...

    @abstractmethod
    def item_title(self, item: Item) -> str: ...

    @abstractmethod
    def item_link(self, item: Item) -> str: ...

    @abstractmethod
    def item_published(self, item: Item) -> dt.datetime: ...

    @abstractmethod
    def item_updated(self, item: Item) -> dt.datetime: ...

    @abstractmethod
    def item_summary(self, item: Item) -> str: ...

    @abstractmethod
    def item_content_html(self, item: Item) -> str: ...

    def item_categories(self, item: Item) -> tuple[str, ...]:
        return ()

    def item_authors(self, item: Item) -> tuple[Person, ...]:
        """The item's own authors; none means the publication's author."""
        return ()

    def document(self, page: int | None = None) -> Document:
        """The subscription document (page None) or archive page `page`, or FeedNotFound."""
        total = self.count()
        start, stop = self.window(total, page)
        places = self.items(start, stop)
        entries = tuple(self.entry(item) for item in places if not isinstance(item, Withdrawal))
        tombstones = tuple(map(self.tombstone, self.told_gone(places, page)))
        changes = [entry.updated for entry in entries] + [gone.when for gone in tombstones]
        return Document(
            id=self.id(),
            name=self.name,
            title=self.title(),
            home=self.link(),
            publication=self.site.publication,
            urls=self.site.urls,
            page=page,
            total=total,
            entries=entries,
            updated=max(changes, default=self.site.store.last_updated),
            tombstones=tombstones,
        )

    def told_gone(self, places: Sequence[Item | Withdrawal], page: int | None) -> list[Withdrawal]:
        """The withdrawals a document tells of: an archive page, those in its places; the
        subscription document, every one since the oldest of its places came out."""
        gone = [item for item in places if isinstance(item, Withdrawal)]
        if page is not None or not places:
            return gone
        published = [
            item.published if isinstance(item, Withdrawal) else self.item_published(item)
            for item in places
        ]
        return list(self.withdrawals(min(published)))

    def window(self, total: int, page: int | None) -> tuple[int, int]:
        """Where a document's entries start and stop, counted from the newest."""
        size = self.site.publication.feed_size
        if page is None:
            return 0, size
        if not 1 <= page <= total // size:
            raise FeedNotFound(self.name, page)
        return total - page * size, total - (page - 1) * size

    def id(self) -> str:
        """The feed's own tag URI, dated the year the publication began; the same on every page."""
        began = self.site.store.first_issue_date() or self.site.store.last_updated.date()
        return f"tag:{self.site.publication.tag_authority},{began.year:04d}:feed/{self.name}"

    def tombstone(self, withdrawal: Withdrawal) -> Tombstone:
        return Tombstone(self.withdrawal_id(withdrawal), withdrawal.withdrawn_at, withdrawal.reason)

    def entry(self, item: Item) -> Entry:
        return Entry(
            id=self.item_id(item),
            title=self.item_title(item),
            link=self.item_link(item),
            published=self.item_published(item),
            updated=self.item_updated(item),
            summary=self.item_summary(item),
            content_html=self.item_content_html(item),
            categories=self.item_categories(item),
            authors=self.item_authors(item),
        )
