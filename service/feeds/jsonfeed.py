"""JSON Feed 1.1 documents, written through schemas.jsonfeed.

Pages link with `next_url` to the next older document: the subscription document to the
newest full archive page, archive page k to page k-1. The publication's icon (small, square)
is the favicon; its logo is the icon.
"""

from __future__ import annotations

import json
from typing import Any

from schemas.jsonfeed import VERSION, JsonFeedSchema
from service.feeds.model import Document, Entry, FeedFormat
from service.model import Person

# Escaped so that no "<script" or "&" ever stands in the bytes: the same JSON once decoded.
HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def render_json(document: Document, feed_format: FeedFormat) -> bytes:
    text = json.dumps(
        JsonFeedSchema().dump(json_feed(document, feed_format.extension)),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.translate(HTML_SAFE).encode("utf-8")


def json_feed(document: Document, extension: str) -> dict[str, Any]:
    publication = document.publication
    older = document.prev_archive
    return {
        "version": VERSION,
        "title": document.title,
        "home_page_url": document.home,
        "feed_url": document.self_url(extension),
        "description": publication.subtitle,
        "next_url": document.url(extension, older) if older else None,
        "icon": publication.logo,
        "favicon": publication.icon,
        "authors": [author(publication.author)],
        "language": publication.language,
        "hubs": [{"type": "WebSub", "url": publication.hub}] if publication.hub else [],
        "items": [item(entry) for entry in document.entries],
    }


def item(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "url": entry.link,
        "title": entry.title,
        "content_html": entry.content_html,
        "summary": entry.summary,
        "date_published": entry.published,
        "date_modified": entry.updated,
        "authors": [author(who) for who in entry.authors],
        "tags": list(entry.categories),
    }


def author(who: Person) -> dict[str, Any]:
    return {"name": who.name, "url": who.url or (f"mailto:{who.email}" if who.email else None)}
