"""Answers repeated GETs from memory, before Flask runs: rendered once per store version.

Every cacheable response (a GET answered 200 with `Cache-Control: public`) is kept whole,
keyed by the store's content version, path and query. From the kept copy this layer alone
answers conditional requests (Werkzeug's `is_resource_modified`), HEAD and gzip, and sets a
strong ETag made of the content version and a hash of the bytes. A rebuilt store has a new
content version, so nothing stale is ever served; the cache is bounded in bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified, parse_accept_header, parse_date

from service.live import LiveStore, StoreUnavailable
from service.site import STORE_KEY

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")
NOT_REPEATED_ON_304 = {"content-length", "content-type", "content-encoding"}
GZIP_MIN_BYTES = 512


@dataclass
class Representation:
    """One kept response and its gzip variant, made on first demand."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: datetime | None = None
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped

    @property
    def size(self) -> int:
        return len(self.body) + len(self._gzipped or b"")


class ResponseCache:
    """WSGI middleware in front of the Flask app; see the module docstring."""

    def __init__(self, app: WSGIApp, live: LiveStore, max_bytes: int) -> None:
        self.app = app
        self.live = live
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str, str], Representation] = OrderedDict()
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
        key = (store.content_version, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
        if kept is None:
            environ[STORE_KEY] = store
            kept, cacheable = self._render(environ, store.content_version)
            if cacheable:
                self._keep(key, kept)
            else:
                return self._replay(kept, environ, start_response)
        return self._answer(kept, environ, start_response)

    def _render(self, environ: dict[str, Any], version: str) -> tuple[Representation, bool]:
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
        etag = f"{version}-{hashlib.blake2b(body, digest_size=8).hexdigest()}"
        last_modified = parse_date(headers.get("Last-Modified"))
        # Kept responses get their ETag and Vary from this layer; others keep the app's Vary.
        for name in ("Content-Length", "ETag", *(("Vary",) if cacheable else ())):
            headers.remove(name)
        return Representation(
            said["status"], headers.to_wsgi_list(), body, etag, last_modified
        ), cacheable

    def _keep(self, key: tuple[str, str, str], kept: Representation) -> None:
        with self._lock:
            if key[0] != self._version:
                self._entries.clear()  # a new store: every kept response is of the old one
                self._bytes, self._version = 0, key[0]
            if key not in self._entries and kept.size <= self.max_bytes // 8:
                self._entries[key] = kept
                self._bytes += kept.size
            while self._bytes > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def _answer(
        self, kept: Representation, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        zipped = accepts_gzip(environ) and len(kept.body) >= GZIP_MIN_BYTES
        etag = f"{kept.etag}-gzip" if zipped else kept.etag
        headers = [*kept.headers, ("ETag", f'"{etag}"'), ("Vary", "Accept-Encoding")]
        if not is_resource_modified(environ, etag=etag, last_modified=kept.last_modified):
            kept_headers = [h for h in headers if h[0].lower() not in NOT_REPEATED_ON_304]
            start_response("304 Not Modified", kept_headers)
            return []
        body = kept.gzipped if zipped else kept.body
        if zipped:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response(kept.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    @staticmethod
    def _replay(
        kept: Representation, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """An answer not worth keeping (an error, say), passed on as the app gave it."""
        headers = [*kept.headers, ("Content-Length", str(len(kept.body)))]
        start_response(kept.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]


def accepts_gzip(environ: dict[str, Any]) -> bool:
    header = environ.get("HTTP_ACCEPT_ENCODING", "")
    return "gzip" in header and parse_accept_header(header)["gzip"] > 0
