"""What a store file published: the ids a build that replaces it must keep answering for.

Read with plain SQL that every schema version answers (issues and articles have had their
ids from the first; drafts and withdrawals came with version 6), so that a build over a store
of an older version still compares with it. The seal is not asked for: a damaged store may
still name what it published, and a build is how it is mended.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from service.errors import Address

FIRST_WITH_DRAFTS = 6


@dataclass(frozen=True)
class Published:
    """Every issue and article a store published, by address, whether still out or withdrawn;
    or, `unread`, why there was nothing to read (no store yet, or none that can be read)."""

    base_url: str | None
    out: frozenset[Address]
    withdrawn: frozenset[Address]
    unread: str | None = None

    @classmethod
    def nothing(cls, why: str) -> Published:
        return cls(None, frozenset(), frozenset(), why)


def published_in(path: Path) -> Published:
    """What the store at path published; nothing, and why, if there is none to read."""
    if not path.exists():
        return Published.nothing("no store here yet")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return read_published(connection)
        finally:
            connection.close()
    except (sqlite3.Error, ValueError, KeyError) as exc:
        return Published.nothing(f"not a store this build can read ({exc})")


def read_published(db: sqlite3.Connection) -> Published:
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    version = int(meta.get("schema_version", "0"))
    publication = json.loads(meta["publication"]) if "publication" in meta else {}
    since_drafts = version >= FIRST_WITH_DRAFTS
    issues = "SELECT id FROM issues" + (" WHERE NOT draft" if since_drafts else "")
    articles = "SELECT i.id, a.id FROM articles a JOIN issues i ON i.pk = a.issue_pk" + (
        " WHERE NOT a.draft" if since_drafts else ""
    )
    out: set[Address] = {(issue_id, None) for (issue_id,) in db.execute(issues)}
    out |= set(db.execute(articles))
    withdrawn: set[Address] = set()
    if since_drafts:
        rows = db.execute("SELECT issue_id, article_id FROM withdrawn")
        withdrawn = {(issue_id, article_id or None) for issue_id, article_id in rows}
    return Published(publication.get("base_url"), frozenset(out), frozenset(withdrawn))
