"""Representations as cacheable JSON responses; pages of a list with RFC 8288 Link headers."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from flask import Response, request
from marshmallow import Schema

from schemas.representation import LinksContext
from service.api.problems import ParameterError
from service.model import Page
from service.responses import cacheable
from service.urls import Site, Urls

JSON = "application/json; charset=utf-8"


def represent(schema: Schema, value: Any, urls: Urls, last_modified: dt.datetime) -> Response:
    """`value` dumped by `schema`, its links built from the base URL, marked cacheable."""
    with LinksContext(urls):
        body = json.dumps(schema.dump(value), ensure_ascii=False, separators=(",", ":"))
    response = Response(body, content_type=JSON)
    return cacheable(response, last_modified)


def represent_page(
    schema: type[Schema], page: Page[Any], site: Site, only: tuple[str, ...] | None = None
) -> Response:
    """One page of a list as {items, meta} with Link headers; 404 naming `page` past the end.

    Lists change whenever the store does, so they were last modified when it was.
    """
    if page.page > page.pages:
        reason = f"Past the last page: there are {page.pages}."
        raise ParameterError(404, "query", "page", reason)
    value = {"items": page.items, "meta": page}
    response = represent(page_schema(schema, only), value, site.urls, site.store.last_updated)
    response.headers["Link"] = page_links(site.urls, page)
    return response


@functools.cache
def schema_of(schema: type[Schema]) -> Schema:
    """One instance of a schema for every dump: making one copies each of its fields, which
    costs more than dumping a small page, and a dump changes nothing in it."""
    return schema()


@functools.lru_cache(maxsize=256)
def page_schema(schema: type[Schema], only: tuple[str, ...] | None) -> Schema:
    """One instance of a page's schema for each choice of `fields` (see schema_of); the
    choices kept are bounded, as a client may send any."""
    if only is None:
        return schema_of(schema)
    return schema(only=[*(f"items.{name}" for name in only), "meta"])


def page_links(urls: Urls, page: Page[Any]) -> str:
    """first, prev, next and last, each this request's URL at that page."""
    numbers = {"first": 1, "prev": page.page - 1, "next": page.page + 1, "last": page.pages}
    return ", ".join(
        f'<{page_url(urls, number)}>; rel="{rel}"'
        for rel, number in numbers.items()
        if 1 <= number <= page.pages
    )


def page_url(urls: Urls, number: int) -> str:
    """This request's URL, built from the base URL, at page `number`; other parameters kept."""
    return urls.page(request.path, **{**request.args.to_dict(), "page": number})
