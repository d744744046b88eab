"""The read-only store: frozen domain values out of one SQLite file that never changes."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import html
import json
import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Concatenate, NamedTuple, ParamSpec, TypeVar

from service.errors import ArticleNotFound, IssueNotFound, StoreError
from service.model import (
    Article,
    Issue,
    Page,
    Person,
    Publication,
    Query,
    SearchHit,
    Source,
    TagCount,
)
from service.store.seal import is_sealed
from service.store.search import (
    RANK_WINDOW,
    Matches,
    fts_query,
    marked_snippets,
    match_count,
    ranked_page,
)
from service.store.writer import SCHEMA_VERSION

ARTICLE_COLUMNS = (
    "a.issue_pk, i.id, a.id, a.position, a.headline, a.standfirst, a.body_html, a.body_text,"
    " a.headings, a.sources, a.authors, a.tags"
)
ISSUE_COLUMNS = "i.pk, i.id, i.number, i.date, i.updated, i.title, i.tags"
NO_STORE = "no store file here: run `briefing build` first"
DAMAGED = "damaged store (not byte for byte what `briefing build` wrote): build it again"
T = TypeVar("T")
P = ParamSpec("P")


def open_store(path: str | Path) -> Store:
    """Open a store file read-only; StoreError if it is missing, not a store this code reads,
    or not byte for byte the file `briefing build` wrote (see service.store.seal)."""
    path = Path(path)
    try:
        file = path.open("rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise StoreError(str(path), NO_STORE) from exc
    except OSError as exc:
        raise StoreError(str(path), f"the store cannot be read ({exc.strerror})") from exc
    with file:
        connection = connect(path)
        try:
            meta, issue_count = read_meta(path, connection)
            if not same_file(path, file):
                raise StoreError(str(path), "the store was replaced while it was being opened")
            if not is_sealed(file):
                raise StoreError(str(path), DAMAGED)
        except BaseException:
            connection.close()
            raise
    return Store(path, connection, meta, issue_count)


def connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(
            path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False
        )
        connection.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise StoreError(str(path), f"the store cannot be opened ({exc})") from exc
    return connection


def read_meta(path: Path, connection: sqlite3.Connection) -> tuple[dict[str, str], int]:
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        issue_count = connection.execute("SELECT count(*) FROM issues").fetchone()[0]
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", None) == "SQLITE_CORRUPT":  # a store, cut short
            raise StoreError(str(path), f"damaged store ({exc}): build it again") from exc
        raise StoreError(str(path), f"not a briefing store ({exc})") from exc
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        raise StoreError(
            str(path),
            f"store schema version {meta.get('schema_version')!r}, this service reads"
            f" {SCHEMA_VERSION}: rebuild it with `briefing build`",
        )
    return meta, issue_count


def same_file(path: Path, file: BinaryIO) -> bool:
    """Whether path still names the open file (SQLite opened it by name meanwhile)."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(file.fileno()))
    except FileNotFoundError:
        return False


def reading(method: Callable[Concatenate[Store, P], T]) -> Callable[Concatenate[Store, P], T]:
    """A read of the store, whose SQLite errors mean the file changed under the service (it was
    sealed when opened): raised as the StoreError of that file, which the service answers 503."""

    @functools.wraps(method)
    def read(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(store, *args, **kwargs)
        except sqlite3.ProgrammingError:
            raise  # a mistake in this code, not in the file
        except sqlite3.DatabaseError as exc:
            raise StoreError(str(store.path), f"damaged store ({exc}): build it again") from exc

    return read


class Store:
    """Issues, articles, tags and search over one store file, opened read-only."""

    rank_window = RANK_WINDOW  # how many of a search's newest matches are ranked by bm25

    def __init__(
        self, path: Path, connection: sqlite3.Connection, meta: dict[str, str], issue_count: int
    ) -> None:
        self.path = path
        self._db = connection
        self.content_version = meta["content_version"]
        self.built_at = dt.datetime.fromisoformat(meta["built_at"])
        # The newest `updated` of any issue: what changed last (the build time while empty).
        self.last_updated = (
            dt.datetime.fromisoformat(meta["last_updated"])
            if meta["last_updated"]
            else self.built_at
        )
        self.issue_count: int = issue_count
        self.publication = publication_from_json(meta["publication"])
        self._served_links: BodyLinks | None = None

    def close(self) -> None:
        self._db.close()

    def served_at(self, base_url: str) -> Store:
        """This store as served from another base URL (BRIEFING_BASE_URL): the links of its
        bodies to the publication's own pages lead there too, like every other link served."""
        if base_url == self.publication.base_url:
            return self
        served = copy.copy(self)
        served._served_links = BodyLinks(self.publication.base_url, base_url)
        return served

    @reading
    def issue(self, issue_id: str) -> Issue:
        row = self._db.execute(f"SELECT {ISSUE_COLUMNS} FROM issues i WHERE i.id = ?", (issue_id,))
        found = row.fetchone()
        if found is None:
            raise IssueNotFound(issue_id)
        return self._issues([found])[0]

    @reading
    def article(self, issue_id: str, article_id: str) -> Article:
        found = self._db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN issues i ON i.pk = a.issue_pk"
            " WHERE i.id = ? AND a.id = ?",
            (issue_id, article_id),
        ).fetchone()
        if found is None:
            if not self._db.execute("SELECT 1 FROM issues WHERE id = ?", (issue_id,)).fetchone():
                raise IssueNotFound(issue_id)
            raise ArticleNotFound(issue_id, article_id)
        return self._article(found)

    @reading
    def issues(self, query: Query = Query()) -> Page[Issue]:
        where, params, on_issues = self._filters(query, issue_level=True)
        if match := fts_query(self._db, query.q or ""):
            matches = Matches(self._db, match, where, params, on_issues, query.order)
            total = matches.issue_count()
            pks = matches.issue_page(*window_of(query), total)
        else:
            total = self._count(f"SELECT count(*) FROM issues i WHERE {where}", params)
            pks = self._page_pks(
                f"SELECT i.pk FROM issues i WHERE {where} ORDER BY i.pk {direction(query)}",
                params,
                query,
            )
        return Page(self._issues_by_pk(pks), total, query.page, query.per_page)

    @reading
    def adjacent(self, issue_id: str) -> tuple[Issue | None, Issue | None]:
        """The issues published just before and just after this one; None past either end."""
        before, after = (
            self._db.execute(
                f"SELECT {ISSUE_COLUMNS} FROM issues i"
                f" WHERE i.pk {side} (SELECT pk FROM issues WHERE id = ?)"
                f" ORDER BY i.pk {direction} LIMIT 1",
                (issue_id,),
            ).fetchone()
            for side, direction in (("<", "DESC"), (">", "ASC"))
        )
        return (
            self._issues([before])[0] if before else None,
            self._issues([after])[0] if after else None,
        )

    @reading
    def articles(self, query: Query = Query()) -> Page[Article]:
        where, params, on_issues = self._filters(query, issue_level=False)
        if match := fts_query(self._db, query.q or ""):
            matches = Matches(self._db, match, where, params, on_issues, query.order)
            total = matches.article_count()
            pks = matches.article_page(*window_of(query), total)
        else:
            joined = "FROM articles a JOIN issues i ON i.pk = a.issue_pk"
            total = self._count(f"SELECT count(*) {joined} WHERE {where}", params)
            pks = self._page_pks(
                f"SELECT a.pk {joined} WHERE {where}"
                f" ORDER BY a.issue_pk {direction(query)}, a.position ASC",
                params,
                query,
            )
        articles = self._articles_by_pk(pks)
        return Page(tuple(articles[pk] for pk in pks), total, query.page, query.per_page)

    @reading
    def tags(self) -> tuple[TagCount, ...]:
        rows = self._db.execute(
            "SELECT tag, count(*) FROM article_tags GROUP BY tag ORDER BY tag"
        ).fetchall()
        return tuple(TagCount(tag, count) for tag, count in rows)

    @reading
    def search(self, text: str, page: int = 1, per_page: int = 20) -> Page[SearchHit]:
        """Articles best first by bm25 (headline counts most), each with a marked snippet.

        Best first among the newest `rank_window` matches; any older ones follow, newest
        first, so a word in most articles costs no more than one in a few thousand. `total`
        counts every match, and paging never repeats or loses one (see `ranked_page`).
        """
        match = fts_query(self._db, text)
        if match is None:
            return Page((), 0, page, per_page)
        total = match_count(self._db, match)
        offset = (page - 1) * per_page
        ranked = ranked_page(self._db, match, total, offset, per_page, self.rank_window)
        pks = [pk for pk, _ in ranked]
        articles, snippets = self._articles_by_pk(pks), marked_snippets(self._db, match, pks)
        hits = tuple(SearchHit(articles[pk], snippets[pk], rank) for pk, rank in ranked)
        return Page(hits, total, page, per_page)

    @reading
    def issue_window(self, start: int, stop: int) -> tuple[Issue, ...]:
        """Issues newest first, from the start-th up to the stop-th (0-based): one feed page."""
        rows = self._db.execute(
            f"SELECT {ISSUE_COLUMNS} FROM issues i ORDER BY i.pk DESC LIMIT ? OFFSET ?",
            (max(0, stop - start), start),
        ).fetchall()
        return self._issues(rows)

    @reading
    def article_count(self, tag: str | None = None) -> int:
        """How many articles there are, or how many carry `tag`."""
        if tag is None:
            return self._count("SELECT count(*) FROM articles", ())
        return self._count("SELECT count(*) FROM article_tags WHERE tag = ?", (tag,))

    @reading
    def article_window(
        self, start: int, stop: int, tag: str | None = None
    ) -> tuple[tuple[Issue, Article], ...]:
        """Articles newest first (an issue's in reading order), each with its issue: a feed page."""
        where, params, _ = self._filters(Query(tag=tag), issue_level=False)
        rows = self._db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN issues i ON i.pk = a.issue_pk"
            f" WHERE {where} ORDER BY a.issue_pk DESC, a.position ASC LIMIT ? OFFSET ?",
            (*params, max(0, stop - start), start),
        ).fetchall()
        issue_pks = sorted({row[0] for row in rows})
        placeholders = ",".join("?" * len(issue_pks))
        issue_rows = self._db.execute(
            f"SELECT {ISSUE_COLUMNS} FROM issues i WHERE i.pk IN ({placeholders})", issue_pks
        ).fetchall()
        issues = {
            row[0]: issue for row, issue in zip(issue_rows, self._issues(issue_rows), strict=True)
        }
        return tuple((issues[row[0]], self._article(row)) for row in rows)

    @reading
    def issue_updates(self) -> tuple[tuple[str, dt.datetime], ...]:
        """Every issue's id and when it was last updated, oldest first, without its articles."""
        rows = self._db.execute("SELECT id, updated FROM issues ORDER BY pk").fetchall()
        return tuple((issue_id, dt.datetime.fromisoformat(updated)) for issue_id, updated in rows)

    @reading
    def tag_updates(self, newest: int) -> tuple[tuple[str, dt.datetime], ...]:
        """Each tag, in the order of tags(), and the latest update among the `newest` newest
        issues carrying it: when the first page of the tag's issues last changed."""
        rows = self._db.execute(
            "SELECT tag, updated FROM ("
            " SELECT t.tag, i.updated,"
            "  row_number() OVER (PARTITION BY t.tag ORDER BY i.pk DESC) AS place"
            " FROM (SELECT DISTINCT tag, issue_pk FROM article_tags) t"
            " JOIN issues i ON i.pk = t.issue_pk"
            ") WHERE place <= ? ORDER BY tag",
            (newest,),
        ).fetchall()
        latest: dict[str, dt.datetime] = {}
        for tag, updated in rows:
            when = dt.datetime.fromisoformat(updated)
            latest[tag] = max(latest.get(tag, when), when)
        return tuple(latest.items())

    @reading
    def first_issue_date(self) -> dt.date | None:
        """The date of the oldest issue: when the publication began, for feeds' own ids."""
        first: str | None = self._db.execute("SELECT min(date) FROM issues").fetchone()[0]
        return dt.date.fromisoformat(first) if first else None

    def _filters(self, query: Query, issue_level: bool) -> Filters:
        """Every filter but full text, as SQL on issues `i` and, for articles, articles `a`."""
        clauses, params = ["1"], []
        if query.after:
            clauses.append("i.date >= ?")
            params.append(query.after.isoformat())
        if query.before:
            clauses.append("i.date <= ?")
            params.append(query.before.isoformat())
        if query.tag:
            clauses.append(
                "i.pk IN (SELECT issue_pk FROM article_tags WHERE tag = ?)"
                if issue_level
                else "a.pk IN (SELECT article_pk FROM article_tags WHERE tag = ?)"
            )
            params.append(query.tag)
        on_issues = bool(query.after or query.before or (query.tag and issue_level))
        return Filters(" AND ".join(clauses), params, on_issues)

    def _page_pks(self, sql: str, params: Sequence[Any], query: Query) -> list[int]:
        """The pks of the query's page of what `sql` lists: its first column, in its order."""
        offset, limit = window_of(query)
        rows = self._db.execute(f"{sql} LIMIT ? OFFSET ?", (*params, limit, offset))
        return [pk for pk, *_ in rows]

    def _issues_by_pk(self, pks: Sequence[int]) -> tuple[Issue, ...]:
        placeholders = ",".join("?" * len(pks))
        rows = self._db.execute(
            f"SELECT {ISSUE_COLUMNS} FROM issues i WHERE i.pk IN ({placeholders})", pks
        ).fetchall()
        by_pk = {row[0]: row for row in rows}
        return self._issues([by_pk[pk] for pk in pks])

    def _articles_by_pk(self, pks: Sequence[int]) -> dict[int, Article]:
        placeholders = ",".join("?" * len(pks))
        rows = self._db.execute(
            f"SELECT {ARTICLE_COLUMNS}, a.pk FROM articles a JOIN issues i ON i.pk = a.issue_pk"
            f" WHERE a.pk IN ({placeholders})",
            pks,
        )
        return {row[12]: self._article(row) for row in rows}

    def _article(self, row: Sequence[Any]) -> Article:
        article = article_from_row(row)
        if self._served_links is None:
            return article
        return dataclasses.replace(article, body_html=self._served_links.rebase(article.body_html))

    def _count(self, sql: str, params: Sequence[Any]) -> int:
        count: int = self._db.execute(sql, params).fetchone()[0]
        return count

    def _issues(self, rows: Sequence[Any]) -> tuple[Issue, ...]:
        """Issues with their articles, in the rows' order, in one query for all their articles."""
        articles: dict[int, list[Article]] = {row[0]: [] for row in rows}
        if rows:
            placeholders = ",".join("?" * len(rows))
            for row in self._db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN issues i ON i.pk = a.issue_pk"
                f" WHERE a.issue_pk IN ({placeholders}) ORDER BY a.issue_pk, a.position",
                list(articles),
            ):
                articles[row[0]].append(self._article(row))
        return tuple(issue_from_row(row, articles[row[0]]) for row in rows)


class Filters(NamedTuple):
    where: str  # SQL, "1" for none
    params: list[Any]
    on_issues: bool  # whether `where` reads issues `i`


class BodyLinks:
    """Moves the links and images of a body from the base URL it was built with to another."""

    def __init__(self, built: str, served: str) -> None:
        # markdown-it writes the address first in an <a> or <img>, and nh3 keeps it there, quoted.
        self._pattern = re.compile(
            '(<a href="|<img src=")' + re.escape(html.escape(built)) + '(?=[/?#"])'
        )
        self._served = html.escape(served)

    def rebase(self, body_html: str) -> str:
        return self._pattern.sub(lambda found: found.group(1) + self._served, body_html)


def direction(query: Query) -> str:
    return "DESC" if query.order == "newest" else "ASC"


def window_of(query: Query) -> tuple[int, int]:
    """Where the query's page starts among everything listed, and how many it holds."""
    return (query.page - 1) * query.per_page, query.per_page


def article_from_row(row: Sequence[Any]) -> Article:
    return Article(
        id=row[2],
        issue_id=row[1],
        position=row[3],
        headline=row[4],
        standfirst=row[5],
        body_html=row[6],
        body_text=row[7],
        headings=tuple(json.loads(row[8])),
        sources=tuple(Source(**source) for source in json.loads(row[9])),
        authors=tuple(Person(**author) for author in json.loads(row[10])),
        tags=tuple(json.loads(row[11])),
    )


def issue_from_row(row: Sequence[Any], articles: list[Article]) -> Issue:
    return Issue(
        id=row[1],
        number=row[2],
        date=dt.date.fromisoformat(row[3]),
        updated=dt.datetime.fromisoformat(row[4]),
        title=row[5],
        tags=tuple(json.loads(row[6])),
        articles=tuple(articles),
    )


def publication_from_json(text: str) -> Publication:
    fields = json.loads(text)
    return Publication(**{**fields, "author": Person(**fields["author"])})
