"""Atom, RSS 2.0 and JSON Feed documents: /feeds/... (see service.feeds.catalogue for the feeds).

    /feeds/issues.atom                      subscription documents: the newest N entries
    /feeds/articles.rss                     (N is the publication's feed_size)
    /feeds/tags/<tag>.json
    /feeds/issues/archive/<k>.atom          RFC 5005 archive page k: entries (k-1)*N+1 ... k*N
    /feeds/tags/<tag>/archive/<k>.json      counted from the oldest, once full

Archive pages with a newer page after them never change again: they are cached for long.
Subscription documents are WebSub topics, and name the hub and themselves in `Link` headers
(service.websub).

Each document is rendered once per store version by the response cache in front of the app,
which answers ETag, 304, HEAD and gzip; errors are short plain text. A feed takes no query
parameter: one that a reader or an aggregator appends (`?utm_source=...`) is ignored.
"""

from __future__ import annotations

from flask import Blueprint, Response
from werkzeug.routing import IntegerConverter

from service.feeds import catalogue
from service.feeds.formats import EXTENSIONS
from service.request import current_site
from service.responses import cacheable
from service.websub import advertise

blueprint = Blueprint("feeds", __name__, url_prefix="/feeds")
FORMAT = f"<any({', '.join(EXTENSIONS)}):extension>"


class PageNumber(IntegerConverter):
    """An archive page number in ASCII digits without a leading zero: one address a page (the
    built-in int converter also takes `01`, `１` and `٣`)."""

    regex = r"[1-9][0-9]*"


@blueprint.get(f"/<any(issues, articles):name>.{FORMAT}")
@blueprint.get(f"/<any(issues, articles):name>/archive/<page:page>.{FORMAT}")
def feed(name: str, extension: str, page: int | None = None) -> Response:
    return answer(name, extension, page)


@blueprint.get(f"/tags/<tag>.{FORMAT}")
@blueprint.get(f"/tags/<tag>/archive/<page:page>.{FORMAT}")
def tag_feed(tag: str, extension: str, page: int | None = None) -> Response:
    return answer(f"tags/{tag}", extension, page)


def answer(name: str, extension: str, page: int | None) -> Response:
    site = current_site()
    rendered = catalogue.render(site, name, extension, page)
    response = Response(rendered.body, content_type=rendered.content_type)
    if page is None:  # a subscription document: a WebSub topic
        advertise(response, site, site.urls.feed(name, extension))
    return cacheable(response, rendered.updated, ignores_query=True, immutable=rendered.final)
