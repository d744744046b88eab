"""oEmbed 1.0 provider: given the address of an issue or an article, a partner's CMS gets the
iframe of its card (service.embeds) to paste, as JSON or as XML.

    /oembed?url=<address>&format=json|xml&maxwidth=<px>&maxheight=<px>

The addresses embedded are the site's own, as its pages and feeds link them: an issue's,
`<base URL>/issues/<issue-id>`, with any query (the page ignores it), and an article's, the same
with `#<article-id>`. Anything else is a 404, `/issues/<issue-id>/` too: the site serves no page
there. Issue pages link this endpoint for discovery. Answers are cached like the API's, keyed
by their query, and any origin may read them (CORS); errors are problem+json, as the API's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

from flask import Blueprint, Flask, Response, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, HTTPException

from schemas.oembed import OEmbedQuerySchema, OEmbedSchema
from service import cards, http_errors
from service.api import cors
from service.api.problems import ParameterError, render_problem
from service.errors import ArticleNotFound, IssueNotFound, Moved, NotFound
from service.model import Article, Issue, Person
from service.pages import asset_url
from service.request import current_site, malformed_parameters
from service.responses import cacheable
from service.urls import Site, Urls

blueprint = Blueprint("oembed", __name__)
PREFIX = "/oembed"
QUERY = OEmbedQuerySchema()
ICON = "icon.svg"
ICON_SIZE = 32  # pixels: icon.svg's viewBox; an SVG draws sharp at any size smaller
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    http_errors.register(app, PREFIX, render_problem, not_embeddable, embed_of_new_address)
    cors.init_app(app, PREFIX)


@blueprint.get(PREFIX)
def oembed() -> Response:
    site = current_site()
    asked = arguments()
    write = WRITERS.get(asked["format"])
    if write is None:
        raise ParameterError(501, "query", "format", "Answers come as json or xml.")
    issue, article = embedded(site, asked["url"])
    answer = OEmbedSchema().dump(
        described(site, issue, article, asked.get("maxwidth"), asked.get("maxheight"))
    )
    body, content_type = write(answer)
    return cacheable(Response(body, content_type=content_type), issue.updated)


def arguments() -> dict[str, Any]:
    """The oEmbed parameters, each given at most once and valid; else a 400 naming each."""
    if malformed := malformed_parameters(request.query_string):
        raise invalid({name: ["Not percent-encoded UTF-8."] for name in malformed})
    given = {name: request.args.getlist(name) for name in QUERY.fields if name in request.args}
    if repeated := [name for name, values in given.items() if len(values) > 1]:
        raise invalid({name: ["Given more than once."] for name in repeated})
    try:
        loaded: dict[str, Any] = QUERY.load({name: values[0] for name, values in given.items()})
    except ValidationError as exc:
        raise invalid(exc.messages_dict) from exc
    return loaded


def invalid(messages: dict[str, Any]) -> HTTPException:
    """A 400 naming each query parameter at fault, shaped as the API's problems are."""
    error = BadRequest()
    error.data = {"messages": {"query": messages}}  # type: ignore[attr-defined]
    return error


def embedded(site: Site, url: str) -> tuple[Issue, Article | None]:
    """The issue, and the article if the address names one, at a URL of this site."""
    issue_id, article_id = ids_in(site, url)
    issue = site.store.issue(issue_id)
    return issue, site.store.article(issue.id, article_id) if article_id else None


def ids_in(site: Site, url: str) -> tuple[str, str]:
    """The issue id in an issue's address on this site, and its fragment: an article's id, or
    none. Scheme and host are compared as RFC 3986 says, case aside."""
    home = urlsplit(site.urls.home())
    try:
        address = urlsplit(url)  # its scheme in lower case
    except ValueError:  # such as an unclosed IPv6 host
        raise not_ours(site) from None
    prefix = f"{home.path}issues/"
    issue_id = address.path.removeprefix(prefix)
    same_site = (address.scheme, address.netloc.lower()) == (home.scheme, home.netloc.lower())
    if not (same_site and address.path.startswith(prefix) and issue_id) or "/" in issue_id:
        raise not_ours(site)
    return unquote(issue_id), unquote(address.fragment)


def not_ours(site: Site) -> ParameterError:
    reason = (
        "Not the address of an issue or an article here: those are"
        f" {site.urls.page('/issues/')}<issue-id>, and #<article-id> after it."
    )
    return ParameterError(404, "query", "url", reason)


def embed_of_new_address(moved: Moved, urls: Urls) -> str:
    """This answer for the new address of what an old one names (an alias), as asked."""
    new_address = http_errors.page_of(moved, urls)
    return urls.page(request.path, **{**request.args.to_dict(), "url": new_address})


def not_embeddable(error: NotFound) -> ParameterError:
    """An address of this site naming an issue or article the store does not have."""
    if isinstance(error, ArticleNotFound):
        reason = f"Issue {error.issue_id!r} has no article {error.article_id!r}."
    else:
        assert isinstance(error, IssueNotFound)
        reason = f"There is no issue {error.issue_id!r}."
    return ParameterError(404, "query", "url", reason)


def described(
    site: Site, issue: Issue, article: Article | None, maxwidth: int | None, maxheight: int | None
) -> dict[str, Any]:
    """What an oEmbed answer says of the issue or article: its card's frame, no larger than
    maxwidth by maxheight (the card flows to fit), who wrote it and who publishes it."""
    publication = site.publication
    title = article.headline if article else issue.title
    src = cards.card_url(site.urls, issue.id) + (f"#{quote(article.id)}" if article else "")
    width = min(cards.WIDTH, maxwidth or cards.WIDTH)
    height = min(cards.HEIGHT, maxheight or cards.HEIGHT)
    author = byline(article.authors if article else (), publication.author)
    answer: dict[str, Any] = {
        "title": title,
        "author_name": author.name,
        "author_url": author.url,
        "provider_name": publication.title,
        "provider_url": site.urls.home(),
        "cache_age": int(current_app.config["MAX_AGE"]),
        "html": cards.card_frame(src, f"{publication.title}: {title}", width, height),
        "width": width,
        "height": height,
    }
    if publication.icon is None:  # the pages' icon is ours, whose size is known
        side = min(ICON_SIZE, width, height)
        answer |= {
            "thumbnail_url": asset_url(site.urls, ICON),
            "thumbnail_width": side,
            "thumbnail_height": side,
        }
    return answer


def byline(authors: tuple[Person, ...], publisher: Person) -> Person:
    """The article's authors as one name (with a URL when there is one author), or else the
    publication's author."""
    if not authors:
        return publisher
    if len(authors) == 1:
        return authors[0]
    return Person(", ".join(author.name for author in authors))


def as_json(answer: dict[str, Any]) -> tuple[str, str]:
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    return body, "application/json; charset=utf-8"


def as_xml(answer: dict[str, Any]) -> tuple[str, str]:
    """The spec's XML: an <oembed> element holding one element a field."""
    root = ElementTree.Element("oembed")
    for name, value in answer.items():
        ElementTree.SubElement(root, name).text = str(value)
    return XML_DECLARATION + ElementTree.tostring(
        root, encoding="unicode"
    ), "text/xml; charset=utf-8"


WRITERS: dict[str, Callable[[dict[str, Any]], tuple[str, str]]] = {"json": as_json, "xml": as_xml}
