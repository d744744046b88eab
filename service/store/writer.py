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

from service.model import Article, Issue, Publication

SCHEMA_VERSION = 5  # 4: sealed with a checksum (service.store.seal); 5: index_words


def write_store(path: Path, publication: Publication, issues: Iterable[Issue]) -> str:
    """Write a complete store into the new, empty file at `path`; return its content version.

    Issues must come oldest first. The content version hashes every value written, so any
    change to what would be served, whether from content or from rendering, changes it.
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
        for issue in issues:
            insert_issue(connection, issue, digest.update)
            last_updated = max(last_updated or issue.updated, issue.updated)
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
    connection: sqlite3.Connection, issue: Issue, record: Callable[[bytes], None]
) -> None:
    row = (
        issue.id,
        issue.number,
        issue.date.isoformat(),
        issue.updated.isoformat(),
        issue.title,
        as_json(issue.tags),
    )
    record(as_json(row).encode())
    cursor = connection.execute(
        "INSERT INTO issues (id, number, date, updated, title, tags) VALUES (?, ?, ?, ?, ?, ?)", row
    )
    issue_pk = cursor.lastrowid
    for article in issue.articles:
        insert_article(connection, issue_pk, article, record)


def insert_article(
    connection: sqlite3.Connection,
    issue_pk: int | None,
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
    )
    record(as_json(row[1:]).encode())
    cursor = connection.execute(
        "INSERT INTO articles (issue_pk, id, position, headline, standfirst, body_html,"
        " body_text, headings, sources, authors, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    connection.executemany(
        "INSERT INTO article_tags (tag, article_pk, issue_pk) VALUES (?, ?, ?)",
        [(tag, cursor.lastrowid, issue_pk) for tag in article.tags],
    )


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
