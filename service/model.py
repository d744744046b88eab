"""The briefing's own words as frozen, typed values: what the store is asked and returns, and
what renderers take."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    """An author: of the publication (the feeds' author) or of an article."""

    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Source:
    """A link an article cites."""

    title: str
    url: str


@dataclass(frozen=True)
class Mailbox:
    """An email address and, if given, the name shown beside it."""

    address: str
    name: str | None = None


@dataclass(frozen=True)
class EmailEdition:
    """How the email edition is addressed: publication.toml's [email] table."""

    sender: Mailbox  # `from`
    list_id: str  # RFC 2919
    unsubscribe: tuple[str, ...]  # an https URL (RFC 8058 one-click) and/or a mailto: URL
    subscribe: str | None = None  # a URL or a mailto: URL, offered on /subscribe
    reply_to: str | None = None


@dataclass(frozen=True)
class Publication:
    """The publication's settings, from content/publication.toml."""

    title: str
    subtitle: str
    language: str
    author: Person
    rights: str
    base_url: str
    tag_authority: str
    icon: str | None = None
    logo: str | None = None
    hub: str | None = None
    feed_size: int = 20
    synthetic: bool = False
    email: EmailEdition | None = None


@dataclass(frozen=True)
class Correction:
    """A correction to an article after it was published: when, and what it corrects."""

    date: dt.datetime
    text: str


@dataclass(frozen=True, kw_only=True)
class ArticleSummary:
    """An article as a list shows it: where it stands, its headline and standfirst, its
    authors and tags; a list never reads a body.

    `updated` is its issue's `updated`, or its latest correction if that is later. A draft
    is in a store only when the build was asked for drafts (a preview).
    """

    id: str
    issue_id: str
    position: int
    headline: str
    standfirst: str
    updated: dt.datetime
    authors: tuple[Person, ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False


@dataclass(frozen=True, kw_only=True)
class Article(ArticleSummary):
    """One article of an issue whole, its body already rendered and sanitised."""

    body_html: str
    body_text: str
    headings: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    corrections: tuple[Correction, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class IssueSummary:
    """An issue as a list shows it, with its articles in reading order, summarised.

    `published` never changes once it is out; `updated` is the latest of the editor's
    `updated` and its articles' corrections.
    """

    id: str
    date: dt.date
    published: dt.datetime
    updated: dt.datetime
    title: str
    number: int | None = None
    tags: tuple[str, ...] = ()
    articles: tuple[ArticleSummary, ...] = ()
    aliases: tuple[str, ...] = ()
    draft: bool = False


@dataclass(frozen=True, kw_only=True)
class Issue(IssueSummary):
    """One issue of the briefing with its articles whole, in reading order."""

    articles: tuple[Article, ...] = ()


@dataclass(frozen=True)
class Withdrawal:
    """An issue or article that was published and then withdrawn: no text of it is served,
    only where it stood (its feeds' entries keep their places), when it went and why."""

    issue_id: str
    article_id: str | None  # None: the whole issue
    date: dt.date  # its issue's: part of its entry's tag URI
    published: dt.datetime
    reason: str
    withdrawn_at: dt.datetime
    position: int = 0  # an article's place in its issue
    tags: tuple[str, ...] = ()  # an article's, for its place in tag feeds
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagCount:
    """A tag and how many articles carry it."""

    tag: str
    articles: int


@dataclass(frozen=True)
class SearchHit:
    """An article that matched a search, with a snippet whose matches are wrapped in <mark>."""

    article: ArticleSummary
    snippet_html: str
    rank: float


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer, ordered result."""

    items: tuple[T, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Paging:
    """Which page of a list is asked for, and how many items a page holds."""

    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class Query(Paging):
    """What a list asks for: one page, newest first unless told, narrowed by any filter."""

    after: dt.date | None = None
    before: dt.date | None = None
    tag: str | None = None
    q: str | None = None
    order: Literal["newest", "oldest"] = "newest"


def page_of(items: Iterable[T], paging: Paging) -> list[T]:
    """The page asked for of items already in order, reading no further than its end."""
    start = (paging.page - 1) * paging.per_page
    return list(itertools.islice(items, start, start + paging.per_page))


@dataclass(frozen=True)
class Listing:
    """What a list was asked for: the store's query and, if given, the fields to send."""

    query: Query
    only: tuple[str, ...] | None


@dataclass(frozen=True)
class Search:
    """What a search asks for: plain text, and which page of its hits."""

    text: str
    page: int
    per_page: int


@dataclass(frozen=True)
class WithdrawalNote:
    """What an editor says of something published that they withdraw: why, and when."""

    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class ArticleDraft:
    """An article as the editor wrote it: validated, its body still Markdown.

    (`draft` is the editor's flag: an article not to publish yet. Every ArticleDraft is a
    draft in the other sense, not yet rendered.)
    """

    id: str
    headline: str
    standfirst: str
    body_markdown: str
    sources: tuple[Source, ...] = ()
    authors: tuple[Person, ...] = ()
    tags: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    aliases: tuple[str, ...] = ()
    draft: bool = False
    withdrawn: WithdrawalNote | None = None


@dataclass(frozen=True)
class IssueDraft:
    """An issue as the editor wrote it: validated, not yet rendered. No title: the build's
    default is the first headline it publishes."""

    id: str
    date: dt.date
    updated: dt.datetime
    title: str | None
    number: int | None = None
    tags: tuple[str, ...] = ()
    articles: tuple[ArticleDraft, ...] = ()
    aliases: tuple[str, ...] = ()
    draft: bool = False
    withdrawn: WithdrawalNote | None = None
