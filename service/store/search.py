"""Full-text search: plain text as an FTS5 query, and one page of its matches, best first.

Ranking costs time for every match it orders, so a word in most articles would cost time in
proportion to the archive. Only the newest RANK_WINDOW matches are ranked by bm25; older
matches follow them, newest first. A query with no more matches than that is ranked whole.
What a text asks of the index, and what that costs, is service.store.terms.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import operator
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from service.store.terms import refuse_costly, search_terms
from service.store.writer import ARTICLE_SLOTS, article_pk

RANK_WINDOW = 2000
MOST_EXCERPTS = 100  # the most hits a page excerpts: the API's largest page
BM25 = "bm25(articles_fts, 5.0, 2.0, 1.0)"  # headline counts most, then standfirst, then body
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
# Articles matching a search, for a list's filters to narrow: a match's rowid is its article's
# pk, which tells its issue's pk (ISSUE_OF_MATCH, see ARTICLE_SLOTS), so the articles `a` and
# their issues `i` are joined only for a filter that reads them. CROSS JOIN keeps the search index
# outermost, so matches come in rowid order without a sort; the `+` keeps an issue filter
# (`i.pk IN ...`) from becoming a lookup per match and issue.
ISSUE_OF_MATCH = f"(f.rowid / {ARTICLE_SLOTS})"
MATCHES = "FROM articles_fts f"
WITH_ARTICLES = " CROSS JOIN articles a ON a.pk = f.rowid"
WITH_ISSUES = f" CROSS JOIN issues i ON i.pk = +{ISSUE_OF_MATCH}"
MATCHING = " WHERE articles_fts MATCH ?"


def fts_query(db: sqlite3.Connection, text: str) -> str | None:
    """Every word must match; a "quoted phrase" matches as a phrase. None when nothing to match.

    Each term goes to FTS5 as a string literal, so no input is ever read as query syntax; a
    term the index reads as one before it is left out. SearchTooBroad if it would cost too much.
    """
    search = search_terms(text)
    if not search.terms:
        return None
    refuse_costly(db, search, ranked=RANK_WINDOW, excerpted=MOST_EXCERPTS)
    return " ".join('"' + term.replace('"', '""') + '"' for term in search.terms.values())


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
    lose a match, including the page that spans the edge of the window. The newest matches
    are read once, ranked as they are read; older ones only for a page past the window.
    """
    rows: list[tuple[int, float]] = []
    if offset < min(total, window):
        rows += db.execute(
            f"SELECT rowid, rank FROM (SELECT rowid, {BM25} AS rank FROM articles_fts"
            " WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?)"
            " ORDER BY rank, rowid DESC LIMIT ? OFFSET ?",
            (match, window, limit, offset),
        ).fetchall()
    if offset < total and total > window and len(rows) < limit:
        rows += db.execute(
            f"SELECT rowid, {BM25} FROM articles_fts WHERE articles_fts MATCH ? AND rowid < ?"
            " ORDER BY rowid DESC LIMIT ? OFFSET ?",
            (
                match,
                newest_rowids_floor(db, match, window),
                limit - len(rows),
                max(0, offset - window),
            ),
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


class Filters(NamedTuple):
    """A list's filters but full text, as SQL on issues `i` and articles `a`."""

    where: str  # "1" for none
    params: list[Any]
    on_issues: bool  # whether `where` reads issues `i`
    on_articles: bool  # whether it reads articles `a`


@dataclass(frozen=True)
class Matches:
    """The articles matching a search that pass a list's other filters, newest or oldest first.

    Article pks ascend with (issue, position) (see schema.sql), so matches in rowid order,
    which FTS5 reads without sorting, come issue by issue. A page is found by letting SQL skip
    to where it starts, from whichever end of the matches is nearer, then reading its issues
    lazily: a page costs at most a walk over half the matches, never a loop over all of them.
    """

    db: sqlite3.Connection
    match: str
    filters: Filters
    order: str

    def matches(self) -> str:
        """FROM and WHERE of the matches that pass the filters, for a condition to follow; the
        articles `a` and issues `i` joined only if a filter reads them."""
        joins = WITH_ARTICLES if self.filters.on_articles else ""
        joins += WITH_ISSUES if self.filters.on_issues else ""
        return MATCHES + joins + MATCHING + f" AND {self.filters.where}"

    def article_count(self) -> int:
        return self.count(f"SELECT count(*) {self.matches()}")

    def issue_count(self) -> int:
        return self.count(f"SELECT count(DISTINCT {ISSUE_OF_MATCH}) {self.matches()}")

    def issue_page(self, offset: int, limit: int, total: int) -> list[int]:
        """The pks of `limit` issues with matches, from the offset-th on, of `total` issues."""
        first = self.nth(f"DISTINCT {ISSUE_OF_MATCH}", offset, total)
        if first is None:
            return []
        issues = self.by_issue(first)
        return [issue_pk for issue_pk, _ in itertools.islice(issues, limit)]

    def article_page(self, offset: int, limit: int, total: int) -> list[int]:
        """The pks of `limit` matches from the offset-th on, of `total`, each issue's in reading
        order."""
        rowid = self.nth("f.rowid", offset, total)
        if rowid is None:
            return []
        issue_pk = rowid // ARTICLE_SLOTS
        # The offset-th match is as far into its issue's matches in rowid order as the page's
        # first article is in reading order: the issue's matches take the same places in both.
        first, last = issue_rowids(issue_pk)
        low, high = (rowid + 1, last) if self.order == "newest" else (first, rowid - 1)
        ahead = self.count(
            f"SELECT count(*) {self.matches()} AND f.rowid BETWEEN ? AND ?", low, high
        )
        pks = itertools.chain.from_iterable(pks for _, pks in self.by_issue(issue_pk))
        return list(itertools.islice(pks, ahead, ahead + limit))

    def nth(self, column: str, offset: int, total: int) -> int | None:
        """`column` of the offset-th of `total` matches (or distinct values) in order, read from
        the nearer end; None past the last."""
        if offset >= total:
            return None
        newest_first = self.order == "newest"
        if offset > total // 2:
            offset, newest_first = total - 1 - offset, not newest_first
        (found,) = self.db.execute(
            f"SELECT {column} {self.matches()}"
            f" ORDER BY f.rowid {'DESC' if newest_first else 'ASC'} LIMIT 1 OFFSET ?",
            [self.match, *self.filters.params, offset],
        ).fetchone()
        return int(found)

    def by_issue(self, from_issue: int) -> Iterator[tuple[int, list[int]]]:
        """From this issue on, each issue with matches and their pks in reading order, lazily."""
        first, last = issue_rowids(from_issue)
        side, start = ("<=", last) if self.order == "newest" else (">=", first)
        rows = self.db.execute(
            f"SELECT {ISSUE_OF_MATCH}, f.rowid {self.matches()} AND f.rowid {side} ?"
            f" ORDER BY f.rowid {'DESC' if self.order == 'newest' else 'ASC'}",
            [self.match, *self.filters.params, start],
        )
        with contextlib.closing(rows):
            for issue_pk, matches in itertools.groupby(rows, key=operator.itemgetter(0)):
                yield issue_pk, sorted(pk for _, pk in matches)

    def count(self, sql: str, *extra: Any) -> int:
        count: int = self.db.execute(sql, [self.match, *self.filters.params, *extra]).fetchone()[0]
        return count


def issue_rowids(issue_pk: int) -> tuple[int, int]:
    """The lowest and highest pks an issue's articles may have: its matches' rowids lie between."""
    return article_pk(issue_pk, 1), article_pk(issue_pk, ARTICLE_SLOTS - 1)


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
