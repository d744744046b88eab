"""What the JSON API sends: issues, articles, tags and search hits, each with absolute URLs.

These schemas only dump. Links are built by the `Links` of the current dump, set with
`with LinksContext(urls): schema.dump(value)`, so the schemas never see a request. No field is
`required`: the `fields` parameter of a list may leave any top-level field out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from marshmallow import Schema, fields
from marshmallow.experimental.context import Context

from schemas.issue import CorrectionSchema, SourceSchema
from schemas.publication import PersonSchema


class Links(Protocol):
    """The absolute URLs a representation links to (service.urls.Urls is one)."""

    def issue(self, issue_id: str) -> str: ...
    def article(self, issue_id: str, article_id: str) -> str: ...
    def tag(self, tag: str) -> str: ...
    def page(self, path: str, **query: object) -> str: ...
    def api_issue(self, issue_id: str) -> str: ...
    def api_article(self, issue_id: str, article_id: str) -> str: ...


LinksContext = Context[Links]


class Link(fields.String):
    """An absolute URL for the value being dumped, built from the Links of the current dump."""

    def __init__(self, build: Callable[[Links, Any], str], description: str) -> None:
        super().__init__(dump_only=True, metadata={"format": "uri", "description": description})
        self.build = build

    def get_value(
        self,
        obj: Any,
        attr: str,
        accessor: Callable[[Any, str, Any], Any] | None = None,
        default: Any = None,
    ) -> str:
        return self.build(LinksContext.get(), obj)


def described(text: str) -> dict[str, str]:
    return {"description": text}


def article_url() -> Link:
    return Link(lambda links, a: links.article(a.issue_id, a.id), "The article on the site.")


def article_api_url() -> Link:
    return Link(lambda links, a: links.api_article(a.issue_id, a.id), "The article here.")


class ArticleLinkSchema(Schema):
    """An article as an issue in a list names it."""

    id = fields.String(metadata=described("The article's slug, unique within its issue."))
    headline = fields.String()
    url = article_url()
    api_url = article_api_url()


class ArticleSummarySchema(Schema):
    """An article in a list: what it is about and where it is, without its body."""

    id = fields.String(metadata=described("The article's slug, unique within its issue."))
    issue_id = fields.String()
    headline = fields.String()
    standfirst = fields.String(metadata=described("The summary paragraph, plain text."))
    tags = fields.List(fields.String(), metadata=described("Its own tags and its issue's."))
    url = article_url()
    api_url = article_api_url()
    issue_url = Link(lambda links, a: links.issue(a.issue_id), "Its issue on the site.")
    issue_api_url = Link(lambda links, a: links.api_issue(a.issue_id), "Its issue here.")


class ArticleDetailSchema(ArticleSummarySchema):
    """An article whole."""

    body_html = fields.String(metadata=described("The body as sanitised HTML."))
    body_text = fields.String(metadata=described("The body as plain text, one blank line apart."))
    headings = fields.List(fields.String())
    sources = fields.List(fields.Nested(SourceSchema), metadata=described("Links it cites."))
    authors = fields.List(fields.Nested(PersonSchema))
    corrections = fields.List(
        fields.Nested(CorrectionSchema),
        metadata=described("Corrections since it was published, oldest first, each dated."),
    )


class IssueSummarySchema(Schema):
    """An issue in a list: its articles only named."""

    id = fields.String(metadata=described("The issue's date slug, e.g. 2011-01-12."))
    number = fields.Integer(allow_none=True)
    date = fields.Date(metadata=described("The publication date (RFC 3339 full-date)."))
    updated = fields.AwareDateTime(metadata=described("Last changed (RFC 3339 date-time)."))
    title = fields.String()
    tags = fields.List(fields.String())
    url = Link(lambda links, issue: links.issue(issue.id), "The issue on the site.")
    api_url = Link(lambda links, issue: links.api_issue(issue.id), "The issue here.")
    articles = fields.List(fields.Nested(ArticleLinkSchema), metadata=described("In order."))


class IssueDetailSchema(IssueSummarySchema):
    """An issue with its articles whole, in reading order."""

    articles = fields.List(fields.Nested(ArticleDetailSchema), metadata=described("In order."))


class TagSchema(Schema):
    tag = fields.String()
    articles = fields.Integer(metadata=described("How many articles carry it."))
    url = Link(lambda links, t: links.tag(t.tag), "The tag's page on the site.")
    api_url = Link(lambda links, t: links.page("/api/v1/articles", tag=t.tag), "Its articles here.")


class SearchHitSchema(Schema):
    """An article that matched, best first."""

    issue_id = fields.String(attribute="article.issue_id")
    article_id = fields.String(attribute="article.id")
    headline = fields.String(attribute="article.headline")
    snippet_html = fields.String(metadata=described("An HTML excerpt, matches in <mark>."))
    url = Link(lambda links, h: links.article(h.article.issue_id, h.article.id), "On the site.")
    api_url = Link(
        lambda links, h: links.api_article(h.article.issue_id, h.article.id), "The article here."
    )
    issue_url = Link(lambda links, h: links.issue(h.article.issue_id), "Its issue on the site.")
    issue_api_url = Link(lambda links, h: links.api_issue(h.article.issue_id), "Its issue here.")


class PageMetaSchema(Schema):
    total = fields.Integer(metadata=described("Items in the whole list."))
    page = fields.Integer(metadata=described("This page's number, from 1."))
    per_page = fields.Integer()
    pages = fields.Integer(metadata=described("How many pages there are (at least 1)."))


class IssuePageSchema(Schema):
    items = fields.List(fields.Nested(IssueSummarySchema))
    meta = fields.Nested(PageMetaSchema)


class ArticlePageSchema(Schema):
    items = fields.List(fields.Nested(ArticleSummarySchema))
    meta = fields.Nested(PageMetaSchema)


class TagPageSchema(Schema):
    items = fields.List(fields.Nested(TagSchema))
    meta = fields.Nested(PageMetaSchema)


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema))
    meta = fields.Nested(PageMetaSchema)
