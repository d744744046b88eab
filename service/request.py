"""What a view reads of its request: the site it is served from (the store the response cache
pinned for it, the publication at the configured base URL), and a query string, checked."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import unquote_to_bytes

from flask import current_app, request

from service.live import current_store
from service.model import Publication
from service.responses import STORE_KEY
from service.store import Store
from service.urls import Site

# A percent sign that starts no escape (`%zz`, a `%` at the end): no URL encoder writes one.
BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def current_site() -> Site:
    """The store this request reads (the one the response cache pinned, if any) and its URLs."""
    store: Store = request.environ.get(STORE_KEY) or current_store()
    publication = as_served(store.publication)
    return Site.of(store.served_at(publication.base_url), publication)


def as_served(publication: Publication) -> Publication:
    """The publication as this service shows it: at BRIEFING_BASE_URL when that is set."""
    if base_url := current_app.config.get("BASE_URL"):
        return dataclasses.replace(publication, base_url=base_url.rstrip("/"))
    return publication


def malformed_parameters(query_string: bytes) -> list[str]:
    """The names of the query parameters that are not percent-encoded UTF-8.

    Werkzeug keeps a broken escape or bytes that are not UTF-8 as text (and cannot parse a
    query holding a raw byte that is not UTF-8); the views that read their query refuse them.
    """
    return [
        unquote_to_bytes(pair.partition(b"=")[0].replace(b"+", b" ")).decode(errors="replace")
        for pair in query_string.split(b"&")
        if BROKEN_ESCAPE.search(pair) or not is_utf8(unquote_to_bytes(pair))
    ]


def is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True
