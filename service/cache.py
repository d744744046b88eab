"""Answers repeated GETs from memory, before Flask runs: rendered once per store version.

Every cacheable response (a GET answered 200 with `Cache-Control: public`) is kept whole,
keyed by the store's content version, path (as routed: `//feeds/x` is `/feeds/x`) and query.
The answer of a view that reads no query parameter (service.responses.QUERY_IGNORED) is keyed
by path alone and answers the path with any query, so that a reader's `?utm_source=...` costs
no render. No header is part of a key: nothing a view renders depends on one (every URL comes
from the configured base URL, never from Host or X-Forwarded-*). From the kept copy this layer
alone answers conditional requests (Werkzeug's `is_resource_modified`, and If-Match with a 412
that the app renders in its area's format), HEAD and gzip. A rebuilt store has a new content
version, so nothing stale is ever served. The strong ETag is a hash of what is sent (the body,
and the type and links that a 304 leaves to the copy a client keeps; the gzip variant's is
marked as such), not of the version: a document that a rebuild leaves byte for byte as it was
(an archive page, a tag feed the new issue is not in) keeps its ETag, and its pollers keep
getting 304. What else a rebuild may change is control data, which every 304 repeats, not the
representation a strong validator names (RFC 9110, section 8.8.1): a JSON Feed archive page
that a newer page made final keeps its bytes, and its 304 carries its new `immutable`. The
cache is bounded by the memory its entries hold: keys, headers, bodies and their gzip variants,
not the bodies alone, so a flood of unique URLs cannot outgrow it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.http import parse_accept_header, parse_date, parse_etags
from werkzeug.sansio.http import is_resource_modified

from service.errors import StoreUnavailable
from service.live import LiveStore
from service.responses import PRECONDITION_FAILED, QUERY_IGNORED, STORE_KEY

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Key = tuple[str, str, str]  # content version, path, query
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")
# A 304 repeats what a cache must update (Cache-Control, ETag, Vary) and what lets a script
# read it (CORS); the stored copy keeps the rest (RFC 9110, section 15.4.5), so that this
# answer to the commonest request of all stays short.
NOT_REPEATED_ON_304 = {
    "content-length",
    "content-type",
    "content-encoding",
    "last-modified",
    "link",
}
# What a 304 leaves to the kept copy and a body may not say: the ETag names them too, so that
# a copy a 304 revalidates never keeps old ones. Not Last-Modified: an older date kept with the
# same bytes misleads no one, and the pages dated by the whole store would lose their 304s.
NAMED_BY_THE_ETAG = ("Content-Type", "Link")
GZIP_MIN_BYTES = 512
# What a kept response holds besides its strings and bodies, measured with tracemalloc and
# checked by tests/test_cache.py, which counts every object the cache holds: the objects of
# the entry, its two variants and its place in the LRU order, and gzip's framing; and for each
# header, its pair and its places in the five header lists (the entry's, and each variant's
# for 200 and for 304).
ENTRY_BYTES = 2048
HEADER_BYTES = 64 + 5 * 8
VARIANT_HEADERS = ("ETag", "Vary", "Content-Encoding", "Content-Length")


@dataclass(frozen=True)
class Variant:
    """One encoding of a kept response: its quoted ETag, body, and the headers of its 200
    and of its 304, made once and sent as they are."""

    etag: str
    body: bytes
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]


@dataclass
class Representation:
    """One kept response, and its identity and gzip variants, each made on first demand."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: datetime | None = None
    ignores_query: bool = False
    _variants: dict[bool, Variant] = field(default_factory=dict, repr=False)

    def variant(self, zipped: bool) -> Variant:
        made = self._variants.get(zipped)
        if made is None:  # two threads may both make it: the same bytes either way
            made = self._variants[zipped] = self._make(zipped)
        return made

    def _make(self, zipped: bool) -> Variant:
        etag = f'"{self.etag}-gzip"' if zipped else f'"{self.etag}"'
        headers = [*self.headers, ("ETag", etag), ("Vary", "Accept-Encoding")]
        not_modified = [h for h in headers if h[0].lower() not in NOT_REPEATED_ON_304]
        body = gzip.compress(self.body, compresslevel=6, mtime=0) if zipped else self.body
        if zipped:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        return Variant(etag, body, headers, not_modified)

    def footprint(self, key: Key) -> int:
        """The memory this response holds while kept under key, both variants included, which
        may be made after it was kept: the key, every header, the body and room for its gzip
        (never larger than the body but for gzip's framing), and the objects around them.
        Made of what does not change while kept: keeping and evicting add and take away the
        same amount."""
        strings = [*key, self.status, self.etag, *(text for pair in self.headers for text in pair)]
        headers = len(self.headers) + len(VARIANT_HEADERS)
        zipped = len(self.body) if len(self.body) >= GZIP_MIN_BYTES else 0
        return (
            ENTRY_BYTES
            + sum(map(sys.getsizeof, strings))
            + HEADER_BYTES * headers
            + sys.getsizeof(self.body)
            + zipped
        )


class ResponseCache:
    """WSGI middleware in front of the Flask app; see the module docstring."""

    def __init__(self, app: WSGIApp, live: LiveStore, max_bytes: int) -> None:
        self.app = app
        self.live = live
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Representation] = OrderedDict()
        self._bytes = 0
        self._version = ""
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        try:
            store = self.live.current()
        except StoreUnavailable:
            return self.app(environ, start_response)
        path, query = routed_path(environ.get("PATH_INFO", "")), environ.get("QUERY_STRING", "")
        kept = self._find((store.content_version, path, query))
        if kept is None:
            environ[STORE_KEY] = store
            kept, cacheable = self._render(environ)
            if cacheable:
                self._keep((store.content_version, path, "" if kept.ignores_query else query), kept)
            else:
                return self._replay(kept, environ, start_response)
        return self._answer(kept, environ, start_response)

    def _find(self, key: Key) -> Representation | None:
        """The copy kept for this path and query, or for this path when its view ignores queries."""
        with self._lock:
            kept = self._entries.get(key)
            if kept is None and key[2]:
                key = (key[0], key[1], "")
                kept = self._entries.get(key)
                if kept is not None and not kept.ignores_query:
                    return None
            if kept is not None:
                self._entries.move_to_end(key)
        return kept

    def _render(self, environ: dict[str, Any]) -> tuple[Representation, bool]:
        """Run the app for the plain GET behind this request and keep what it said."""
        plain = {k: v for k, v in environ.items() if k not in CONDITIONAL_HEADERS}
        plain["REQUEST_METHOD"] = "GET"
        plain.pop("HTTP_ACCEPT_ENCODING", None)
        said: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            said["status"], said["headers"] = status, headers

        chunks = self.app(plain, capture)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        headers = Headers(said["headers"])
        cacheable = said["status"].startswith("200") and "public" in headers.get(
            "Cache-Control", ""
        )
        etag = entity_tag(body, headers)
        last_modified = parse_date(headers.get("Last-Modified"))
        # Kept responses get their ETag and Vary from this layer; others keep the app's Vary.
        for name in ("Content-Length", "ETag", *(("Vary",) if cacheable else ())):
            headers.remove(name)
        ignores_query = bool(plain.get(QUERY_IGNORED))
        return Representation(
            said["status"], headers.to_wsgi_list(), body, etag, last_modified, ignores_query
        ), cacheable

    def _keep(self, key: Key, kept: Representation) -> None:
        with self._lock:
            if key[0] != self._version:
                self._entries.clear()  # a new store: every kept response is of the old one
                self._bytes, self._version = 0, key[0]
            if key not in self._entries and len(kept.body) <= self.max_bytes // 8:
                self._entries[key] = kept
                self._bytes += kept.footprint(key)
            while self._bytes > self.max_bytes and self._entries:
                evicted_key, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.footprint(evicted_key)

    def _answer(
        self, kept: Representation, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        zipped = len(kept.body) >= GZIP_MIN_BYTES and accepts_gzip(
            environ.get("HTTP_ACCEPT_ENCODING", "")
        )
        variant = kept.variant(zipped)
        if precondition_fails(environ, variant.etag):
            environ[PRECONDITION_FAILED] = True  # the app answers 412 in its area's format
            return self.app(environ, start_response)
        if not is_modified(environ, variant.etag, kept.last_modified):
            start_response("304 Not Modified", variant.not_modified_headers)
            return []
        start_response(kept.status, variant.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [variant.body]

    @staticmethod
    def _replay(
        kept: Representation, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """An answer not worth keeping (an error, say), passed on as the app gave it."""
        headers = [*kept.headers, ("Content-Length", str(len(kept.body)))]
        start_response(kept.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]


def routed_path(path: str) -> str:
    """The path as Werkzeug routes it, `/` for `////` or none at the start, so that every
    spelling of one address is one key (slashes repeated further in route nowhere, since
    service/__init__.py turns merge_slashes off: those are 404s, never kept)."""
    return "/" + path.lstrip("/")


def entity_tag(body: bytes, headers: Headers) -> str:
    """A hash of the body and the headers NAMED_BY_THE_ETAG, written as in a message (no header
    holds a line break): never of the store's version, so that what a rebuild leaves as it was
    keeps its ETag."""
    head = "".join(
        f"{name}: {value}\n" for name in NAMED_BY_THE_ETAG for value in headers.getlist(name)
    )
    return hashlib.blake2b(f"{head}\n".encode() + body, digest_size=8).hexdigest()


def precondition_fails(environ: dict[str, Any], etag: str) -> bool:
    """Whether If-Match names neither `*` nor this (quoted) ETag, compared strongly: a 412
    (RFC 9110, section 13.1.1), whatever the other conditions say (section 13.2.2)."""
    if_match = environ.get("HTTP_IF_MATCH")
    return if_match is not None and not parse_etags(if_match).contains(etag.strip('"'))


def is_modified(environ: dict[str, Any], etag: str, last_modified: datetime | None) -> bool:
    """Werkzeug's is_resource_modified on If-None-Match and If-Modified-Since, with the two
    commonest requests answered before it: one without validators, and one whose If-None-Match
    is exactly this (quoted) ETag. If-Match is not given to it: Werkzeug would read a match as
    a reason to answer 200 over a matching If-None-Match; precondition_fails weighed it."""
    if not any(name in environ for name in CONDITIONAL_HEADERS):
        return True
    if environ.get("HTTP_IF_NONE_MATCH") == etag:
        return False
    return is_resource_modified(
        http_if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
        http_if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
        etag=etag.strip('"'),
        last_modified=last_modified,
    )


@functools.lru_cache(maxsize=256)  # clients send few distinct Accept-Encoding values
def accepts_gzip(header: str) -> bool:
    return "gzip" in header and parse_accept_header(header)["gzip"] > 0
