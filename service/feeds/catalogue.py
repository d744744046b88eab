"""The briefing's feeds: every issue, every article, and the articles of one tag.

Each is a `service.feeds.model.Feed` described by its hooks. `render()` turns a feed's name
("issues", "articles", "tags/<tag>"), a format and an archive page into the bytes the feeds'
routes serve. `subscriptions()` offers every feed to readers, as the pages list them, and to
WebSub subscribers, as `briefing notify` lists its topics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from service.errors import FeedNotFound
from service.feeds.formats import BY_EXTENSION
from service.feeds.model import Feed
from service.model import Article, Issue, Person, Publication, Withdrawal
from service.store import Store
from service.urls import Site


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    content_type: str
    updated: dt.datetime  # the newest `updated` of its entries
    final: bool  # an archive page that will never change again


def render(site: Site, name: str, extension: str, page: int | None = None) -> RenderedFeed:
    """One feed document in one format; FeedNotFound for an unknown feed or page."""
    document = feed_named(site, name).document(page)
    feed_format = BY_EXTENSION[extension]
    return RenderedFeed(
        body=feed_format.write(document),
        content_type=f"{feed_format.media_type}; charset=utf-8",
        updated=document.updated,
        final=document.final,
    )


def feed_named(site: Site, name: str) -> Feed[Any]:
    if name == "issues":
        return IssuesFeed(site)
    if name == "articles":
        return ArticlesFeed(site)
    tag = name.removeprefix("tags/")
    if tag != name and site.store.article_count(tag):
        return ArticlesFeed(site, tag)
    raise FeedNotFound(name)


@dataclass(frozen=True)
class Subscription:
    """A subscription feed as readers are offered it, in every format: its name under /feeds/,
    its title and what it holds."""

    name: str
    title: str
    contains: str


ISSUES_FEED = Subscription(
    "issues", "Every issue", "One entry per issue, each with the whole issue."
)
ARTICLES_FEED = Subscription(
    "articles", "Every article", "One entry per article, from every issue."
)


def tag_subscription(tag: str) -> Subscription:
    return Subscription(f"tags/{tag}", f"Articles tagged “{tag}”", f"Every article tagged {tag}.")


def subscriptions(store: Store) -> list[Subscription]:
    """Every feed the store has, tags included."""
    return [ISSUES_FEED, ARTICLES_FEED, *(tag_subscription(count.tag) for count in store.tags())]


class IssuesFeed(Feed[Issue]):
    """One entry per issue: the whole issue as content, its standfirsts as summary."""

    def __init__(self, site: Site) -> None:
        super().__init__("issues", site)

    def title(self) -> str:
        return self.site.publication.title

    def link(self) -> str:
        return self.site.urls.home()

    def count(self) -> int:
        return self.site.store.issues_published()

    def items(self, start: int, stop: int) -> Sequence[Issue | Withdrawal]:
        return self.site.store.issue_window(start, stop)

    def withdrawals(self, since: dt.datetime) -> Sequence[Withdrawal]:
        return self.site.store.withdrawals(since)

    def withdrawal_id(self, withdrawal: Withdrawal) -> str:
        return withdrawn_tag_uri(self.site.publication, withdrawal)

    def item_id(self, issue: Issue) -> str:
        return tag_uri(self.site.publication, issue)

    def item_title(self, issue: Issue) -> str:
        return issue.title

    def item_link(self, issue: Issue) -> str:
        return self.site.urls.issue(issue.id)

    def item_published(self, issue: Issue) -> dt.datetime:
        return issue.published

    def item_updated(self, issue: Issue) -> dt.datetime:
        return issue.updated

    def item_summary(self, issue: Issue) -> str:
        return "\n\n".join(article.standfirst for article in issue.articles)

    def item_content_html(self, issue: Issue) -> str:
        return "\n<hr>\n".join(article_html(article, headline=True) for article in issue.articles)

    def item_categories(self, issue: Issue) -> tuple[str, ...]:
        return tuple(dict.fromkeys(tag for article in issue.articles for tag in article.tags))


class ArticlesFeed(Feed[tuple[Issue, Article]]):
    """One entry per article, of every issue or only those with a tag."""

    def __init__(self, site: Site, tag: str | None = None) -> None:
        super().__init__("articles" if tag is None else f"tags/{tag}", site)
        self.tag = tag

    def title(self) -> str:
        what = "articles" if self.tag is None else f"articles tagged {self.tag}"
        return f"{self.site.publication.title}: {what}"

    def link(self) -> str:
        return self.site.urls.home() if self.tag is None else self.site.urls.tag(self.tag)

    def count(self) -> int:
        return self.site.store.article_count(self.tag)

    def items(self, start: int, stop: int) -> Sequence[tuple[Issue, Article] | Withdrawal]:
        return self.site.store.article_window(start, stop, self.tag)

    def withdrawals(self, since: dt.datetime) -> Sequence[Withdrawal]:
        return self.site.store.withdrawals(since, articles=True, tag=self.tag)

    def withdrawal_id(self, withdrawal: Withdrawal) -> str:
        return withdrawn_tag_uri(self.site.publication, withdrawal)

    def item_id(self, item: tuple[Issue, Article]) -> str:
        issue, article = item
        return tag_uri(self.site.publication, issue, article.id)

    def item_title(self, item: tuple[Issue, Article]) -> str:
        return item[1].headline

    def item_link(self, item: tuple[Issue, Article]) -> str:
        issue, article = item
        return self.site.urls.article(issue.id, article.id)

    def item_published(self, item: tuple[Issue, Article]) -> dt.datetime:
        return item[0].published

    def item_updated(self, item: tuple[Issue, Article]) -> dt.datetime:
        return item[1].updated

    def item_summary(self, item: tuple[Issue, Article]) -> str:
        return item[1].standfirst

    def item_content_html(self, item: tuple[Issue, Article]) -> str:
        return article_html(item[1])

    def item_categories(self, item: tuple[Issue, Article]) -> tuple[str, ...]:
        return item[1].tags

    def item_authors(self, item: tuple[Issue, Article]) -> tuple[Person, ...]:
        return item[1].authors


def tag_uri(publication: Publication, issue: Issue, article_id: str | None = None) -> str:
    """The entry id of an issue or article (RFC 4151): stable when the site moves, never reused."""
    return entry_tag(publication, issue.id, issue.date, article_id)


def withdrawn_tag_uri(publication: Publication, withdrawal: Withdrawal) -> str:
    """The entry id that a withdrawn issue or article had, and its tombstone names."""
    return entry_tag(publication, withdrawal.issue_id, withdrawal.date, withdrawal.article_id)


def entry_tag(
    publication: Publication, issue_id: str, date: dt.date, article_id: str | None
) -> str:
    specific = f"issue/{issue_id}" + (f"/{article_id}" if article_id else "")
    return f"tag:{publication.tag_authority},{date.isoformat()}:{specific}"


def article_html(article: Article, headline: bool = False) -> str:
    """An article as HTML: plain text escaped, the body as the build sanitised it, its sources."""
    parts = [f"<h2>{escape(article.headline)}</h2>"] if headline else []
    parts += [f"<p><strong>{escape(article.standfirst)}</strong></p>", article.body_html]
    if article.sources:
        links = "".join(
            f'<li><a href="{escape(source.url)}">{escape(source.title)}</a></li>'
            for source in article.sources
        )
        parts.append(f"<h3>Sources</h3>\n<ul>{links}</ul>")
    if article.corrections:
        said = "".join(
            f"<li>{correction.date.date().isoformat()}: {escape(correction.text)}</li>"
            for correction in article.corrections
        )
        parts.append(f"<h3>Corrections</h3>\n<ul>{said}</ul>")
    return "\n".join(parts)
