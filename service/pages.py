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

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from service import failures
from service.errors import IssueNotFound, SearchTooBroad
from service.live import StoreUnavailable
from service.model import Issue, Page
from service.responses import cacheable
from service.site import Site, current_site, malformed_parameters
from service.store import Query

blueprint = Blueprint("pages", __name__)
STATIC = Path(__file__).with_name("static")
ISSUES_PER_PAGE = 10
HITS_PER_PAGE = 20
MAX_QUERY_LENGTH = 200


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
class FeedFormat:
    extension: str
    media_type: str
    label: str


FORMATS = (
    FeedFormat("atom", "application/atom+xml", "Atom"),
    FeedFormat("rss", "application/rss+xml", "RSS"),
    FeedFormat("json", "application/feed+json", "JSON Feed"),
)


@dataclass(frozen=True)
class Feed:
    """A subscription feed, offered in every format: its name under /feeds/ and what it holds."""

    name: str
    title: str
    contains: str


ISSUES_FEED = Feed("issues", "Every issue", "One entry per issue, each with the whole issue.")
ARTICLES_FEED = Feed("articles", "Every article", "One entry per article, from every issue.")


def tag_feed(tag: str) -> Feed:
    return Feed(f"tags/{tag}", f"Articles tagged “{tag}”", f"Every article tagged {tag}.")


@dataclass(frozen=True)
class Head:
    """What a page says about itself in <head>: title, description, canonical URL, feeds."""

    title: str
    description: str
    canonical: str | None
    feeds: tuple[Feed, ...] = (ISSUES_FEED,)
    kind: str = "website"
    indexable: bool = True


@dataclass(frozen=True)
class Pager:
    """One page of a list: its own URL and its neighbours' (page n is at `url?page=n`, n > 1)."""

    current: str
    previous: str | None
    next: str | None


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    failures.register(app, "/", render_html_error)


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
    try:
        shown = site.store.issue(issue_id)
    except IssueNotFound:
        abort(404)
    previous, following = site.store.adjacent(issue_id)
    lead = shown.articles[0].standfirst if shown.articles else site.publication.subtitle
    head = Head(shown.title, lead, site.urls.issue(issue_id), kind="article")
    updated = newest((previous, shown, following))
    neighbours = {"previous": previous, "next": following}
    return render_page(
        site, "issue.html", head, updated, ignores_query=True, issue=shown, **neighbours
    )


@blueprint.get("/tags/<tag>")
def tag(tag: str) -> Response:
    site = current_site()
    issues = site.store.issues(Query(page=page_number(), per_page=ISSUES_PER_PAGE, tag=tag))
    if not issues.total:
        abort(404)
    pager = pager_of(site.urls.tag(tag), issues)
    about = f"Articles tagged “{tag}” in {site.publication.title}."
    head = Head(f"Tagged “{tag}”", about, pager.current, feeds=(tag_feed(tag), ISSUES_FEED))
    return render_page(
        site, "tag.html", head, newest(issues.items), tag=tag, issues=issues, pager=pager
    )


@blueprint.get("/search")
def search() -> Response:
    site = current_site()
    text = (query_parameter("q") or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        abort(400, f"Search text is limited to {MAX_QUERY_LENGTH} characters.")
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
    tag_feeds = tuple(tag_feed(count.tag) for count in site.store.tags())
    about = f"Follow {site.publication.title} in any feed reader, or through its JSON API."
    head = Head("Subscribe", about, site.urls.page("/subscribe"))
    feeds = (ISSUES_FEED, ARTICLES_FEED)
    updated = site.store.last_updated
    return render_page(
        site, "subscribe.html", head, updated, ignores_query=True, feeds=feeds, tag_feeds=tag_feeds
    )


@blueprint.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Our own static files: pages link them with a hash of their bytes, so they keep a year."""
    found = ASSETS.get(filename) or abort(404)
    response = Response(found.body, mimetype=found.media_type)
    response.cache_control.immutable = True
    max_age = current_app.config["IMMUTABLE_MAX_AGE"]
    return cacheable(response, max_age, found.modified, ignores_query=True)


def render_html_error(error: HTTPException) -> Response:
    """An error page with a way back, for people; plain text for clients that don't ask HTML."""
    if request.blueprint != blueprint.name and not request.accept_mimetypes.accept_html:
        return failures.plain_text(error)
    try:
        site = current_site()
    except StoreUnavailable:
        return failures.plain_text(error)
    head = Head(error.name, error.description or error.name, canonical=None, indexable=False)
    response = Response(page_html(site, "error.html", head, error=error), status=error.code)
    response.headers.extend(failures.extra_headers(error))
    return response


def render_page(
    site: Site,
    template: str,
    head: Head,
    last_modified: dt.datetime,
    ignores_query: bool = False,
    **context: Any,
) -> Response:
    response = Response(page_html(site, template, head, **context), mimetype="text/html")
    max_age = current_app.config["MAX_AGE"]
    return cacheable(response, max_age, last_modified, ignores_query=ignores_query)


def page_html(site: Site, template: str, head: Head, **context: Any) -> str:
    return render_template(
        template,
        publication=site.publication,
        urls=site.urls,
        head=head,
        formats=FORMATS,
        stylesheet=asset_url(site, "briefing.css"),
        icon=asset_url(site, "icon.svg"),
        locale=site.publication.language.replace("-", "_"),
        **context,
    )


def asset_url(site: Site, name: str) -> str:
    return site.urls.page(f"/assets/{name}", v=ASSETS[name].version)


def page_number() -> int:
    """The `page` query parameter: a whole number from 1 in ASCII digits, 1 when absent; else
    no such page (`?page=２` would be page 2 at a look-alike address)."""
    number = query_parameter("page")
    if number is None:
        return 1
    if not (number.isascii() and number.isdecimal() and len(number) < 7 and int(number) >= 1):
        abort(404)
    return int(number)


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


def newest(issues: Iterable[Issue | None]) -> dt.datetime:
    """When the newest of the issues a page shows was last updated."""
    return max(issue.updated for issue in issues if issue is not None)
