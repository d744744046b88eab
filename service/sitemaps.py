"""For search engines: the sitemaps.org sitemap of every page, a Google News sitemap of the newest
issue, and robots.txt naming both.

    /sitemap.xml        the home, every issue and every tag page, each with its lastmod; past
                        URLS_PER_SITEMAP of them, a sitemap index of /sitemap-<n>.xml instead
    /sitemap-<n>.xml    the n-th URLS_PER_SITEMAP of them, while /sitemap.xml is an index
    /sitemap-news.xml   the newest issue's articles (Google News)
    /robots.txt         crawl everything but searches; where the sitemaps are (a synthetic
                        publication's: crawl nothing)

A page's lastmod is the Last-Modified its page answers. Issues come first, oldest first, so the
files of older issues keep their bytes as issues are added. Errors are plain text, as feeds'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, render_template

from service import http_errors
from service.feeds.routes import PageNumber
from service.model import Query
from service.pages import ISSUES_PER_PAGE
from service.request import current_site
from service.responses import cacheable
from service.urls import Site

blueprint = Blueprint("sitemaps", __name__)
# The sitemaps.org protocol's limit: a sitemap lists at most 50,000 URLs (and 50 MB, which
# 50,000 of the site's URLs are far from); an index lists the files holding more.
URLS_PER_SITEMAP = 50_000
# Google News reads at most 1,000 articles from a news sitemap.
NEWS_ARTICLES = 1_000
XML = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class Location:
    """One URL of a sitemap, and when what it shows last changed."""

    url: str
    modified: dt.datetime

    @property
    def lastmod(self) -> str:
        """W3C Datetime, in UTC to the second, as Last-Modified has it."""
        return self.modified.astimezone(dt.UTC).isoformat(timespec="seconds")


def init_app(app: Flask) -> None:
    app.url_map.converters["page"] = PageNumber
    app.register_blueprint(blueprint)
    for prefix in ("/sitemap", "/robots.txt"):
        http_errors.register(app, prefix, http_errors.plain_text)


@blueprint.get("/sitemap.xml")
def sitemap() -> Response:
    site = current_site()
    files = sitemap_files(locations(site), URLS_PER_SITEMAP)
    if len(files) == 1:
        return urlset(files[0])
    index = [
        Location(site.urls.page(f"/sitemap-{number}.xml"), newest(listed))
        for number, listed in enumerate(files, start=1)
    ]
    body = render_template("sitemap-index.xml", sitemaps=index)
    return xml(body, newest(index))


@blueprint.get("/sitemap-<page:number>.xml")
def sitemap_file(number: int) -> Response:
    """One file of a sitemap index; none while everything fits in /sitemap.xml."""
    files = sitemap_files(locations(current_site()), URLS_PER_SITEMAP)
    if len(files) == 1 or number > len(files):
        abort(404)
    return urlset(files[number - 1])


@blueprint.get("/sitemap-news.xml")
def news_sitemap() -> Response:
    site = current_site()
    newest_issue = site.store.issues(Query(per_page=1)).items
    issue = newest_issue[0] if newest_issue else None
    body = render_template(
        "sitemap-news.xml",
        publication=site.publication,
        language=news_language(site.publication.language),
        urls=site.urls,
        issue=issue,
        articles=issue.articles[:NEWS_ARTICLES] if issue else (),
    )
    return xml(body, issue.updated if issue else site.store.last_updated)


@blueprint.get("/robots.txt")
def robots() -> Response:
    site = current_site()
    root = urlsplit(site.urls.home()).path
    if site.publication.synthetic:
        lines = [
            f"# {site.publication.title}: generated text for load tests, not to be crawled.",
            "User-agent: *",
            f"Disallow: {root}",
        ]
    else:
        lines = [
            f"# {site.publication.title}: every page may be crawled but searches, each of which",
            "# reads the whole archive. The API holds nothing the pages do not show.",
            "User-agent: *",
            f"Disallow: {root}search",
            f"Disallow: {root}api/",
            "",
            f"Sitemap: {site.urls.page('/sitemap.xml')}",
            f"Sitemap: {site.urls.page('/sitemap-news.xml')}",
        ]
    response = Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    return cacheable(response, site.store.last_updated, ignores_query=True)


def locations(site: Site) -> list[Location]:
    """Every issue page, oldest first, then the home and every tag page."""
    home = Location(site.urls.home(), site.store.last_updated)
    tags = site.store.tag_updates(ISSUES_PER_PAGE)  # the issues a tag's first page shows
    return [*issue_locations(site), home, *(Location(site.urls.tag(t), when) for t, when in tags)]


def issue_locations(site: Site) -> list[Location]:
    """Every issue page, oldest first; each shows its neighbours' titles, so it last changed
    when the latest of the three did (its Last-Modified, service.pages)."""
    issues = site.store.issue_updates()
    updated = [when for _, when in issues]
    return [
        Location(site.urls.issue(issue_id), max(updated[max(0, at - 1) : at + 2]))
        for at, (issue_id, _) in enumerate(issues)
    ]


def sitemap_files(listed: Sequence[Location], per_file: int) -> list[Sequence[Location]]:
    """The locations cut into files of at most per_file each."""
    return [listed[start : start + per_file] for start in range(0, len(listed), per_file)]


def urlset(listed: Sequence[Location]) -> Response:
    return xml(render_template("sitemap.xml", locations=listed), newest(listed))


def xml(body: str, last_modified: dt.datetime) -> Response:
    return cacheable(Response(body, content_type=XML), last_modified, ignores_query=True)


def newest(listed: Sequence[Location]) -> dt.datetime:
    return max(location.modified for location in listed)


def news_language(language: str) -> str:
    """The ISO 639 code Google News asks for: `en` of `en-GB`; Chinese keeps its script's
    region, `zh-cn` or `zh-tw`, as Google News spells them."""
    code = language.lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]
