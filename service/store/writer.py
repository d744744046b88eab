"""Writing a new store file: the schema, every row, the search index and the content version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from service.model import Article, Correction, Issue, Publication, Withdrawal

# 4: sealed with a checksum (service.store.seal); 5: index_words; 6: drafts, withdrawals,
# aliases and corrections; 7: an article's pk tells its issue (article_pk)
SCHEMA_VERSION = 7
# An issue's articles take the pks from its own pk × ARTICLE_SLOTS on, one a position, so that
# a search match's rowid tells its issue without a join. An issue has fewer articles than this
# (schemas.issue.ISSUE_ARTICLES_MAX).
ARTICLE_SLOTS = 1024
Record = Iterable[Issue | Withdrawal]


def write_store(path: Path, publication: Publication, record: Record) -> str:
    """Write a complete store into the new, empty file at `path`; return its content version.

    The record is every issue published, oldest first, each withdrawn issue in its place,
    each withdrawn article after its issue. The content version hashes every value written,
    so any change to what would be served, whether from content or rendering, changes it.
    """
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;"
            + resources.files(__package__).joinpath("schema.sql").read_text("utf-8")
        )
        publication_json = as_json(dataclasses.asdict(publication))
        digest.update(publication_json.encode())
        last_updated: dt.datetime | None = None
        place = 0
        for item in record:
            if isinstance(item, Issue):
                place += 1
                insert_issue(connection, place, item, digest.update)
                changed = item.updated
            else:
                place += item.article_id is None
                insert_withdrawal(connection, place, item, digest.update)
                changed = item.withdrawn_at
            last_updated = max(last_updated or changed, changed)
        content_version = digest.hexdigest()[:16]
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "content_version": content_version,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "publication": publication_json,
            "last_updated": last_updated.isoformat() if last_updated else "",
        }
        connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        connection.execute(
            "INSERT INTO articles_fts (rowid, headline, standfirst, body_text)"
            " SELECT pk, headline, standfirst, body_text FROM articles"
        )
        connection.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        count_index_words(connection)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return content_version


def count_index_words(connection: sqlite3.Connection) -> None:
    """Record how many articles each word of the search index is in, and how often it occurs."""
    connection.execute(
        "CREATE VIRTUAL TABLE temp.index_vocabulary USING fts5vocab (main, articles_fts, row)"
    )
    connection.execute(
        "INSERT INTO index_words (word, articles, occurrences)"
        " SELECT term, doc, cnt FROM temp.index_vocabulary"
    )


def insert_issue(
    connection: sqlite3.Connection, place: int, issue: Issue, record: Callable[[bytes], None]
) -> None:
    row = (
        place,
        issue.id,
        issue.number,
        issue.date.isoformat(),
        issue.published.isoformat(),
        issue.updated.isoformat(),
        issue.title,
        as_json(issue.tags),
        as_json(issue.aliases),
        int(issue.draft),
    )
    record(as_json(row).encode())
    connection.execute(
        "INSERT INTO issues (pk, id, number, date, published, updated, title, tags, aliases,"
        " draft) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    insert_aliases(connection, issue.aliases, issue.id, "")
    for article in issue.articles:
        insert_article(connection, place, article, record)


def insert_withdrawal(
    connection: sqlite3.Connection,
    place: int,
    withdrawal: Withdrawal,
    record: Callable[[bytes], None],
) -> None:
    """What is left of a withdrawn issue or article: its place, and when and why it went."""
    row = (
        place,
        withdrawal.issue_id,
        withdrawal.article_id or "",
        withdrawal.position,
        withdrawal.date.isoformat(),
        withdrawal.published.isoformat(),
        withdrawal.reason,
        withdrawal.withdrawn_at.isoformat(),
        as_json(withdrawal.tags),
        as_json(withdrawal.aliases),
    )
    record(as_json(row).encode())
    connection.execute(
        "INSERT INTO withdrawn (issue_place, issue_id, article_id, position, date, published,"
        " reason, withdrawn_at, tags, aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    insert_aliases(connection, withdrawal.aliases, withdrawal.issue_id, withdrawal.article_id or "")


def insert_aliases(
    connection: sqlite3.Connection, aliases: Iterable[str], issue_id: str, article_id: str
) -> None:
    """The old ids of an issue (article_id "") or of an article in its issue, each with the
    address it leads to now."""
    connection.executemany(
        "INSERT INTO aliases (old_issue_id, old_article_id, issue_id, article_id)"
        " VALUES (?, ?, ?, ?)",
        [
            (issue_id, alias, issue_id, article_id) if article_id else (alias, "", issue_id, "")
            for alias in aliases
        ],
    )


def insert_article(
    connection: sqlite3.Connection,
    issue_pk: int,
    article: Article,
    record: Callable[[bytes], None],
) -> None:
    row = (
        issue_pk,
        article.id,
        article.position,
        article.headline,
        article.standfirst,
        article.body_html,
        article.body_text,
        as_json(article.headings),
        as_json([dataclasses.asdict(source) for source in article.sources]),
        as_json([dataclasses.asdict(author) for author in article.authors]),
        as_json(article.tags),
        article.updated.isoformat(),
        as_json([correction_json(correction) for correction in article.corrections]),
        as_json(article.aliases),
        int(article.draft),
    )
    record(as_json(row[1:]).encode())
    pk = article_pk(issue_pk, article.position)
    connection.execute(
        "INSERT INTO articles (pk, issue_pk, id, position, headline, standfirst, body_html,"
        " body_text, headings, sources, authors, tags, updated, corrections, aliases, draft)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (pk, *row),
    )
    insert_aliases(connection, article.aliases, article.issue_id, article.id)
    connection.executemany(
        "INSERT INTO article_tags (tag, article_pk, issue_pk) VALUES (?, ?, ?)",
        [(tag, pk, issue_pk) for tag in article.tags],
    )


def article_pk(issue_pk: int, position: int) -> int:
    """The pk of the article at this position (from 1) of this issue: see ARTICLE_SLOTS."""
    if not 0 < position < ARTICLE_SLOTS:
        raise ValueError(f"article position {position}: an issue has {ARTICLE_SLOTS - 1} at most")
    return issue_pk * ARTICLE_SLOTS + position


def correction_json(correction: Correction) -> dict[str, str]:
    return {"date": correction.date.isoformat(), "text": correction.text}


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
