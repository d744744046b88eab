"""Full-text search: plain text as an FTS5 query, and one page of its matches, best first.

Ranking costs time for every match it orders, so a word in most articles would cost time in
proportion to the archive. Only the newest RANK_WINDOW matches are ranked by bm25; older
matches follow them, newest first. A query with no more matches than that is ranked whole.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import operator
import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

RANK_WINDOW = 2000
BM25 = "bm25(articles_fts, 5.0, 2.0, 1.0)"  # headline counts most, then standfirst, then body
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
# Articles matching a search, each with its issue, for a list's filters to narrow. CROSS JOIN
# keeps the search index outermost, so matches come in rowid order without a sort; the `+`
# keeps an issue filter (`i.pk IN ...`) from becoming a lookup per match and issue.
MATCHES = (
    "FROM articles_fts f CROSS JOIN articles a ON a.pk = f.rowid"
    " CROSS JOIN issues i ON i.pk = +a.issue_pk WHERE articles_fts MATCH ?"
)
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')


def fts_query(text: str) -> str | None:
    """Every word must match; a "quoted phrase" matches as a phrase. None when nothing to match.

    Each term goes to FTS5 as a string literal, so no input is ever read as query syntax.
    FTS5 ends a literal at a NUL character, so NULs separate words like spaces do.
    """
    terms = [phrase or word for phrase, word in _TERM.findall(text.replace("\x00", " "))]
    literals = ['"' + term.replace('"', '""') + '"' for term in terms if term.strip()]
    return " ".join(literals) or None


def match_count(db: sqlite3.Connection, match: str) -> int:
    count: int = db.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
    ).fetchone()[0]
    return count


def ranked_page(
    db: sqlite3.Connection, match: str, total: int, offset: int, limit: int, window: int
) -> list[tuple[int, float]]:
    """(rowid, bm25) of the matches from offset to offset + limit in search order.

    The order: the newest `window` matches by bm25, ties newest first; then every older
    match, newest first. Both parts have a fixed, total order, so pages neither repeat nor
    lose a match, including the page that spans the edge of the window.
    """
    ranked_count = min(total, window)
    floor = newest_rowids_floor(db, match, window) if total > window else 0
    rows: list[tuple[int, float]] = []
    if offset < ranked_count:
        rows += db.execute(
            f"SELECT rowid, {BM25} AS rank FROM articles_fts"
            " WHERE articles_fts MATCH ? AND rowid >= ?"
            " ORDER BY rank, rowid DESC LIMIT ? OFFSET ?",
            (match, floor, limit, offset),
        ).fetchall()
    if total > ranked_count and len(rows) < limit:
        rows += db.execute(
            f"SELECT rowid, {BM25} FROM articles_fts WHERE articles_fts MATCH ? AND rowid < ?"
            " ORDER BY rowid DESC LIMIT ? OFFSET ?",
            (match, floor, limit - len(rows), max(0, offset - ranked_count)),
        ).fetchall()
    return rows


def newest_rowids_floor(db: sqlite3.Connection, match: str, count: int) -> int:
    """The lowest rowid among the newest `count` matches; there must be at least that many.

    FTS5 walks a match's rowids newest first without sorting, so this reads `count` rowids.
    """
    floor: int = db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        " ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (match, count - 1),
    ).fetchone()[0]
    return floor


def matches_by_issue(
    db: sqlite3.Connection, match: str, where: str, params: Sequence[Any], order: str
) -> Iterator[tuple[int, list[int]]]:
    """Each issue with matches passing `where`, and their pks in reading order, lazily.

    Issues come newest or oldest first, read from the index only as far as they are used.
    Article pks ascend with (issue, position) (see schema.sql), so matches in rowid order,
    which FTS5 reads without sorting, come issue by issue: a page near the start costs the
    matches before it, not all of them.
    """
    direction = "DESC" if order == "newest" else "ASC"
    rows = db.execute(
        f"SELECT a.issue_pk, a.pk {MATCHES} AND {where} ORDER BY f.rowid {direction}",
        [match, *params],
    )
    with contextlib.closing(rows):
        for issue_pk, matches in itertools.groupby(rows, key=operator.itemgetter(0)):
            yield issue_pk, sorted(pk for _, pk in matches)


def marked_snippets(db: sqlite3.Connection, match: str, rowids: Sequence[int]) -> dict[int, str]:
    """The snippet of each of these matches, HTML-escaped, its matched words in <mark>.

    snippet() reads the article's text, so it runs for the rows asked for and no others.
    """
    placeholders = ",".join("?" * len(rowids))
    rows = db.execute(
        "SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 24) FROM articles_fts"
        f" WHERE articles_fts MATCH ? AND rowid IN ({placeholders})",
        (MARK_OPEN, MARK_CLOSE, match, *rowids),
    )
    return {rowid: marked_snippet(snippet) for rowid, snippet in rows}


def marked_snippet(snippet: str) -> str:
    """FTS5's snippet, HTML-escaped, with its match markers turned into <mark> elements."""
    return html.escape(snippet).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
