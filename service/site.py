"""What a request renders from: the store in service, its publication, and absolute URLs."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes, urlencode

from flask import current_app, request

from service.live import current_store
from service.model import Issue, Publication
from service.store import Store

STORE_KEY = "briefing.store"  # the WSGI environ key under which the response cache pins a store
# A percent sign that starts no escape (`%zz`, a `%` at the end): no URL encoder writes one.
BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class Urls:
    """Every public URL, absolute, built from the base URL alone (never the request's Host)."""

    base: str

    def home(self) -> str:
        return f"{self.base}/"

    def issue(self, issue_id: str) -> str:
        return f"{self.base}/issues/{quote(issue_id)}"

    def article(self, issue_id: str, article_id: str) -> str:
        return f"{self.issue(issue_id)}#{quote(article_id)}"

    def tag(self, tag: str) -> str:
        return f"{self.base}/tags/{quote(tag)}"

    def page(self, path: str, **query: object) -> str:
        """Any other page or document of the site, e.g. page('/search', q='x')."""
        present = {key: value for key, value in query.items() if value is not None}
        return f"{self.base}{path}" + (f"?{urlencode(present)}" if present else "")

    def api_issue(self, issue_id: str) -> str:
        return f"{self.base}/api/v1/issues/{quote(issue_id)}"

    def api_article(self, issue_id: str, article_id: str) -> str:
        return f"{self.api_issue(issue_id)}/articles/{quote(article_id)}"

    def feed(self, name: str, extension: str) -> str:
        """A subscription feed: feed('issues', 'atom'), feed('tags/housing', 'rss')."""
        return f"{self.base}/feeds/{quote(name)}.{extension}"


def tag_uri(publication: Publication, issue: Issue, article_id: str | None = None) -> str:
    """The entry id of an issue or article (RFC 4151): stable when the site moves, never reused."""
    specific = f"issue/{issue.id}" + (f"/{article_id}" if article_id else "")
    return f"tag:{publication.tag_authority},{issue.date.isoformat()}:{specific}"


@dataclass(frozen=True)
class Site:
    store: Store
    publication: Publication
    urls: Urls


def current_site() -> Site:
    """The store this request reads (the one the response cache pinned, if any) and its URLs."""
    store: Store = request.environ.get(STORE_KEY) or current_store()
    publication = store.publication
    if base_url := current_app.config.get("BASE_URL"):
        store = store.served_at(base_url.rstrip("/"))
        publication = dataclasses.replace(publication, base_url=base_url.rstrip("/"))
    return Site(store, publication, Urls(publication.base_url))


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
