"""The HTML archive: the pages every feed entry and every API `url` link to, for people."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, render_template, request
from marshmallow import ValidationError, validate
from werkzeug.exceptions import HTTPException

from schemas.query import MAX_PAGE, MAX_QUERY_TEXT, WholeNumber
from service import http_errors
from service.cards import card_frame, card_url
from service.errors import SearchTooBroad, StoreUnavailable
from service.feeds.catalogue import ARTICLES_FEED, ISSUES_FEED, Subscription, tag_subscription
from service.feeds.formats import FORMATS
from service.linked_data import issue_graph, script_text
from service.live import live_store
from service.model import IssueSummary, Page, Publication, Query
from service.request import as_served, current_site, malformed_parameters
from service.responses import cacheable
from service.urls import Site, Urls

blueprint = Blueprint("pages", __name__)
STATIC = Path(__file__).with_name("static")
ISSUES_PER_PAGE = 10
HITS_PER_PAGE = 20
PAGE_NUMBER = WholeNumber(validate=validate.Range(1, MAX_PAGE))


@dataclass(frozen=True)
class Asset:
    """A static file, read once: its bytes, type, a hash to version its URL, and its mtime."""

    body: bytes
    media_type: str
    version: str
    modified: dt.datetime

    @classmethod
    def read(cls, path: Path) -> Asset:
        body = path.read_bytes()
        return cls(
            body,
            mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            hashlib.blake2b(body, digest_size=6).hexdigest(),
            dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(microsecond=0),
        )


ASSETS = {path.name: Asset.read(path) for path in STATIC.iterdir() if path.is_file()}


@dataclass(frozen=True)
class Head:
    """What a page says about itself in <head>: title, description, canonical URL, feeds."""

    title: str
    description: str
    canonical: str | None
    feeds: tuple[Subscription, ...] = (ISSUES_FEED,)
    kind: str = "website"
    indexable: bool = True
    embeddable: bool = False  # an oEmbed provider answers for the canonical URL (service.oembed)


@dataclass(frozen=True)
class Pager:
    """One page of a list: its own URL and its neighbours' (page n is at `url?page=n`, n > 1)."""

    current: str
    previous: str | None
    next: str | None


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    http_errors.register(app, "/", render_html_error)


# strict_slashes=False: an empty path (`GET http://host HTTP/1.1`) is home, not a redirect
# whose Location Werkzeug would build from the request's Host header.
@blueprint.get("/", strict_slashes=False)
def home() -> Response:
    site = current_site()
    issues = site.store.issues(Query(page=page_number(), per_page=ISSUES_PER_PAGE))
    pager = pager_of(site.urls.home(), issues)
    head = Head(site.publication.title, site.publication.subtitle, pager.current)
    return render_page(site, "home.html", head, site.store.last_updated, issues=issues, pager=pager)


@blueprint.get("/issues/<issue_id>")
def issue(issue_id: str) -> Response:
    site = current_site()
    shown = site.store.issue(issue_id)
    previous, following = site.store.adjacent(issue_id)
    lead = shown.articles[0].standfirst if shown.articles else site.publication.subtitle
    head = Head(shown.title, lead, site.urls.issue(issue_id), kind="article", embeddable=True)
    updated = newest((previous, shown, following))
    neighbours = {"previous": previous, "next": following}
    withdrawn = site.store.withdrawn_from(issue_id)
    graph = issue_graph(site.publication, site.urls, shown, logo_url(site.publication, site.urls))
    return render_page(
        site,
        "issue.html",
        head,
        updated,
        ignores_query=True,
        issue=shown,
        withdrawn=withdrawn,
        linked_data=script_text(graph),
        **neighbours,
    )


@blueprint.get("/tags/<tag>")
def tag(tag: str) -> Response:
    site = current_site()
    issues = site.store.issues(Query(page=page_number(), per_page=ISSUES_PER_PAGE, tag=tag))
    if not issues.total:
        abort(404)
    pager = pager_of(site.urls.tag(tag), issues)
    about = f"Articles tagged “{tag}” in {site.publication.title}."
    head = Head(f"Tagged “{tag}”", about, pager.current, feeds=(tag_subscription(tag), ISSUES_FEED))
    return render_page(
        site, "tag.html", head, newest(issues.items), tag=tag, issues=issues, pager=pager
    )


@blueprint.get("/search")
def search() -> Response:
    site = current_site()
    text = (query_parameter("q") or "").strip()
    if len(text) > MAX_QUERY_TEXT:
        abort(400, f"Search text is limited to {MAX_QUERY_TEXT} characters.")
    try:
        hits = site.store.search(text, page_number(), HITS_PER_PAGE)
    except SearchTooBroad as refusal:
        abort(400, str(refusal))
    pager = pager_of(site.urls.page("/search"), hits, q=text or None)
    title = f"Search: {text}" if text else "Search"
    head = Head(title, "Search every issue.", pager.current, indexable=False)
    return render_page(
        site, "search.html", head, site.store.last_updated, text=text, hits=hits, pager=pager
    )


@blueprint.get("/subscribe")
def subscribe() -> Response:
    site = current_site()
    tag_feeds = tuple(tag_subscription(count.tag) for count in site.store.tags())
    about = f"Follow {site.publication.title} in any feed reader, or through its JSON API."
    head = Head("Subscribe", about, site.urls.page("/subscribe"))
    feeds = (ISSUES_FEED, ARTICLES_FEED)
    snippet = card_frame(card_url(site.urls), f"{site.publication.title}: the latest issue")
    updated = site.store.last_updated
    return render_page(
        site,
        "subscribe.html",
        head,
        updated,
        ignores_query=True,
        feeds=feeds,
        tag_feeds=tag_feeds,
        snippet=snippet,
    )


@blueprint.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Our own static files: pages link them with a hash of their bytes, so they keep a year."""
    found = ASSETS.get(filename) or abort(404)
    response = Response(found.body, mimetype=found.media_type)
    return cacheable(response, found.modified, ignores_query=True, immutable=True)


def render_html_error(error: HTTPException) -> Response:
    """An error page with a way back, for people; plain text for clients that don't ask HTML,
    and while this worker knows no publication to draw the page for."""
    if request.blueprint != blueprint.name and not request.accept_mimetypes.accept_html:
        return http_errors.plain_text(error)
    publication = publication_shown()
    if publication is None:
        return http_errors.plain_text(error)
    head = Head(error.name, error.description or error.name, canonical=None, indexable=False)
    html = page_html(publication, Urls(publication.base_url), "error.html", head, error=error)
    response = Response(html, status=error.code)
    response.headers.extend(http_errors.extra_headers(error))
    return response


def publication_shown() -> Publication | None:
    """The publication of the store this request reads; while none is in service (its file was
    damaged in place), the last good store's; None if this worker never opened one."""
    try:
        return current_site().publication
    except StoreUnavailable:
        last = live_store().publication
        return as_served(last) if last is not None else None


def render_page(
    site: Site,
    template: str,
    head: Head,
    last_modified: dt.datetime,
    ignores_query: bool = False,
    **context: Any,
) -> Response:
    html = page_html(site.publication, site.urls, template, head, **context)
    response = Response(html, mimetype="text/html")
    return cacheable(response, last_modified, ignores_query=ignores_query)


def page_html(
    publication: Publication, urls: Urls, template: str, head: Head, **context: Any
) -> str:
    return render_template(
        template,
        publication=publication,
        urls=urls,
        head=head,
        formats=FORMATS,
        stylesheet=asset_url(urls, "briefing.css"),
        icon=asset_url(urls, "icon.svg"),
        locale=publication.language.replace("-", "_"),
        search_limit=MAX_QUERY_TEXT,
        **context,
    )


def asset_url(urls: Urls, name: str) -> str:
    return urls.page(f"/assets/{name}", v=ASSETS[name].version)


def logo_url(publication: Publication, urls: Urls) -> str:
    """The publication's logo, else its icon, else ours: what represents it beside its name."""
    return publication.logo or publication.icon or asset_url(urls, "icon.svg")


def page_number() -> int:
    """The `page` query parameter, read as the API reads its own, 1 when absent; else no such
    page (`?page=２` or `?page=02` would be page 2 at another address)."""
    number = query_parameter("page")
    if number is None:
        return 1
    try:
        page: int = PAGE_NUMBER.deserialize(number)
    except ValidationError:
        abort(404)
    return page


def query_parameter(name: str) -> str | None:
    """A query parameter a page reads: given at most once, in a well-formed query; else a 400.

    Parameters no page reads are ignored: shared links carry `utm_source` and the like.
    """
    if malformed_parameters(request.query_string):
        abort(400, "The address's query is not percent-encoded UTF-8.")
    values = request.args.getlist(name)
    if len(values) > 1:
        abort(400, f"The {name} parameter is given more than once.")
    return values[0] if values else None


def pager_of(url: str, page: Page[Any], **query: str | None) -> Pager:
    """Where a page of a list and its neighbours are; a page past the last one is not found."""
    if page.page > page.pages:
        abort(404)

    def at(number: int) -> str:
        present = {key: value for key, value in query.items() if value is not None}
        present |= {"page": str(number)} if number > 1 else {}
        return f"{url}?{urlencode(present)}" if present else url

    return Pager(
        at(page.page),
        at(page.page - 1) if page.page > 1 else None,
        at(page.page + 1) if page.page < page.pages else None,
    )


def newest(issues: Iterable[IssueSummary | None]) -> dt.datetime:
    """When the newest of the issues a page shows was last updated."""
    return max(issue.updated for issue in issues if issue is not None)
