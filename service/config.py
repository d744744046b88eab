"""Defaults, overridden by BRIEFING_* environment variables, overridden by create_app()'s config."""

from __future__ import annotations

import os

CONTENT = "content"
STORE = "var/briefing.sqlite3"
BIND = "127.0.0.1:8000"


def default_workers() -> int:
    """Two workers a core and one more: enough to keep the cores busy while one waits."""
    return (os.cpu_count() or 1) * 2 + 1


class Defaults:
    # The store file the service reads; `briefing build` replaces it.
    STORE = STORE
    # How often, at most, a worker looks at the store file to see whether it was rebuilt.
    STORE_CHECK_INTERVAL = 1.0
    # The public URL every link is built from; None means the publication's own base_url.
    BASE_URL: str | None = None
    # Seconds clients and proxies may keep an API answer or a subscription feed.
    MAX_AGE = 300
    # Seconds for documents that never change once written (closed feed archive pages).
    IMMUTABLE_MAX_AGE = 365 * 24 * 3600
    # Seconds past MAX_AGE a cache may answer with its copy while it revalidates in the
    # background (RFC 5861): a minute, so a new issue reaches a reader at most one poll later.
    STALE_WHILE_REVALIDATE = 60
    # Seconds past MAX_AGE a cache may answer with its copy while the service cannot answer
    # (RFC 5861): a week, to ride out an outage over a long weekend, and as long as
    # deploy/nginx.conf keeps a copy nobody asks for. The store changes only when a build
    # replaces it: until then, the copy is what the service itself would answer.
    STALE_IF_ERROR = 7 * 24 * 3600
    # Bytes of rendered responses each worker keeps in memory.
    CACHE_MAX_BYTES = 32 * 1024 * 1024
    # Set by `briefing preview` alone: the report of its rebuilds, beside its private store.
    # Set, the service is a preview (service.preview.shown); the service proper never is.
    PREVIEW_REPORT: str | None = None
