"""/api/v1: issues, articles, tags and search. Each view reads its arguments, asks the store,
and hands the answer to a representation; errors are raised, never answered here."""

from __future__ import annotations

from typing import Any

from flask import Response

from schemas.fields import SLUG_MAX
from schemas.issue import ISSUE_ID_MAX
from schemas.query import (
    ArticleListingSchema,
    IssueListingSchema,
    NoArgumentsSchema,
    SearchSchema,
    TagListingSchema,
)
from schemas.representation import (
    ArticleDetailSchema,
    ArticlePageSchema,
    IssueDetailSchema,
    IssuePageSchema,
    SearchPageSchema,
    TagPageSchema,
)
from service.api.problems import too_broad
from service.api.rendering import represent, represent_page, schema_of
from service.api.smorest import Blueprint
from service.errors import SearchTooBroad
from service.model import Listing, Page, Paging, Search, page_of
from service.request import current_site
from service.websub import advertise_list

ISSUE = f"/issues/<string(maxlength={ISSUE_ID_MAX}):issue_id>"
ARTICLE = f"{ISSUE}/articles/<string(maxlength={SLUG_MAX}):article_id>"


def header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


CACHE_HEADERS = {
    "ETag": header("A strong validator: send it back as If-None-Match to get a 304."),
    "Last-Modified": header("When the content last changed: If-Modified-Since gets a 304."),
    "Cache-Control": header("public, max-age=…"),
}
LIST_HEADERS = {**CACHE_HEADERS, "Link": header('RFC 8288: rel="first", "prev", "next", "last".')}
TOPIC_HEADERS = {
    **CACHE_HEADERS,
    "Link": header(
        'RFC 8288: rel="first", "prev", "next", "last". Asked for with no query, the list is a'
        ' WebSub topic: with a hub, also rel="hub" and rel="self" (its own address).'
    ),
}


blueprint = Blueprint(
    "v1", __name__, url_prefix="/api/v1", description="The briefing's issues and articles."
)
blueprint.register_error_handler(SearchTooBroad, too_broad)


@blueprint.get("/issues")
@blueprint.query(IssueListingSchema)
@blueprint.ok(IssuePageSchema, TOPIC_HEADERS)
def issues(listing: Listing) -> Response:
    """Issues, newest first, each with its articles named."""
    site = current_site()
    page = site.store.issues(listing.query)
    return advertise_list(represent_page(IssuePageSchema, page, site, listing.only), site)


@blueprint.get(ISSUE)
@blueprint.query(NoArgumentsSchema)
@blueprint.ok(IssueDetailSchema, CACHE_HEADERS, item=True)
def issue(_: object, issue_id: str) -> Response:
    """One issue with its articles whole."""
    site = current_site()
    found = site.store.issue(issue_id)
    return represent(schema_of(IssueDetailSchema), found, site.urls, found.updated)


@blueprint.get(ARTICLE)
@blueprint.query(NoArgumentsSchema)
@blueprint.ok(ArticleDetailSchema, CACHE_HEADERS, item=True)
def article(_: object, issue_id: str, article_id: str) -> Response:
    """One article whole."""
    site = current_site()
    found = site.store.article(issue_id, article_id)
    updated = site.store.issue(issue_id).updated
    return represent(schema_of(ArticleDetailSchema), found, site.urls, updated)


@blueprint.get("/articles")
@blueprint.query(ArticleListingSchema)
@blueprint.ok(ArticlePageSchema, TOPIC_HEADERS)
def articles(listing: Listing) -> Response:
    """Articles across issues, newest issue first, each issue's in reading order."""
    site = current_site()
    page = site.store.articles(listing.query)
    return advertise_list(represent_page(ArticlePageSchema, page, site, listing.only), site)


@blueprint.get("/tags")
@blueprint.query(TagListingSchema)
@blueprint.ok(TagPageSchema, LIST_HEADERS)
def tags(paging: Paging) -> Response:
    """Tags in alphabetical order, with how many articles carry each."""
    site = current_site()
    tags = site.store.tags()
    page = Page(tuple(page_of(tags, paging)), len(tags), paging.page, paging.per_page)
    return represent_page(TagPageSchema, page, site)


@blueprint.get("/search")
@blueprint.query(SearchSchema)
@blueprint.ok(SearchPageSchema, LIST_HEADERS)
def search(search: Search) -> Response:
    """Articles matching plain text, best first (bm25 over the newest 2,000 matches, then newest
    first), with marked snippets."""
    site = current_site()
    page = site.store.search(search.text, search.page, search.per_page)
    return represent_page(SearchPageSchema, page, site)
