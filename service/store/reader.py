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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Concatenate, ParamSpec, TypeVar

from service.errors import ArticleNotFound, IssueNotFound, Moved, NotFound, StoreError, Withdrawn
from service.model import (
    Article,
    ArticleSummary,
    Correction,
    EmailEdition,
    Issue,
    IssueSummary,
    Mailbox,
    Page,
    Person,
    Publication,
    Query,
    SearchHit,
    Source,
    TagCount,
    Withdrawal,
)
from service.store.seal import is_sealed
from service.store.search import (
    RANK_WINDOW,
    Filters,
    Matches,
    fts_query,
    marked_snippets,
    match_count,
    ranked_page,
)
from service.store.writer import SCHEMA_VERSION

# An article as a list shows it (model.ArticleSummary), then the rest of it (model.Article):
# a list reads no body, so none of its long text.
SUMMARY_COLUMNS = (
    "a.issue_pk, a.id, a.position, a.headline, a.standfirst, a.updated, a.authors, a.tags, a.draft"
)
ARTICLE_COLUMNS = (
    f"{SUMMARY_COLUMNS}, a.body_html, a.body_text, a.headings, a.sources, a.corrections, a.aliases"
)
ISSUE_COLUMNS = (
    "i.pk, i.id, i.number, i.date, i.updated, i.title, i.tags, i.published, i.aliases, i.draft"
)
WITHDRAWAL_COLUMNS = (
    "w.issue_id, w.article_id, w.date, w.published, w.reason, w.withdrawn_at, w.position,"
    " w.tags, w.aliases"
)
# Every issue's place, newest first, as (place, 0) for an issue out (its pk is its place:
# schema.sql) and (place, its pk in withdrawn) for a withdrawn one.
ISSUE_PLACES = (
    "SELECT pk, 0 FROM issues UNION ALL"
    " SELECT issue_place, pk FROM withdrawn WHERE article_id = '' ORDER BY 1 DESC"
)
# Every article's place, newest issue first and each issue's in reading order, as (issue's
# place, position, pk, 0) for an article out and (..., 0, its pk in withdrawn) for a withdrawn
# one; of a tag, or of all with `{tagged}` and `{withdrawn_tagged}` "1".
ARTICLE_PLACES = (
    "SELECT a.issue_pk, a.position, a.pk, 0 FROM articles a WHERE {tagged} UNION ALL"
    " SELECT w.issue_place, w.position, 0, w.pk FROM withdrawn w"
    " WHERE w.article_id != '' AND {withdrawn_tagged} ORDER BY 1 DESC, 2 ASC"
)
TAGGED = "a.pk IN (SELECT article_pk FROM article_tags WHERE tag = ?)"
WITHDRAWN_TAGGED = "EXISTS (SELECT 1 FROM json_each(w.tags) WHERE value = ?)"
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
        """The issue; else Withdrawn, Moved (an old id of one) or IssueNotFound."""
        row = self._db.execute(f"SELECT {ISSUE_COLUMNS} FROM issues i WHERE i.id = ?", (issue_id,))
        found = row.fetchone()
        if found is None:
            raise self._missing_issue(issue_id)
        return self._issues([found])[0]

    @reading
    def article(self, issue_id: str, article_id: str) -> Article:
        """The article; else Withdrawn (it or its issue), Moved (an old id of either, or of
        both), IssueNotFound or ArticleNotFound."""
        found = self._db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN issues i ON i.pk = a.issue_pk"
            " WHERE i.id = ? AND a.id = ?",
            (issue_id, article_id),
        ).fetchone()
        if found is None:
            raise self._no_article(issue_id, article_id)
        return self._article(found, issue_id)

    @reading
    def withdrawn_from(self, issue_id: str) -> tuple[Withdrawal, ...]:
        """The articles withdrawn from an issue still published, in their places."""
        rows = self._db.execute(
            f"SELECT {WITHDRAWAL_COLUMNS} FROM withdrawn w"
            " WHERE w.issue_id = ? AND w.article_id != '' ORDER BY w.position",
            (issue_id,),
        ).fetchall()
        return tuple(map(withdrawal_from_row, rows))

    def _no_article(self, issue_id: str, article_id: str) -> NotFound:
        """Why an article is not served: it, or its issue, withdrawn, moved or never there. An
        article of a renamed issue moves with it, to its own new id if it has one too."""
        if self._db.execute("SELECT 1 FROM issues WHERE id = ?", (issue_id,)).fetchone():
            return self._missing_article(issue_id, article_id)
        missing = self._missing_issue(issue_id)
        if not isinstance(missing, Moved):
            return missing
        now = missing.now[0]
        return Moved((issue_id, article_id), self._alias(now, article_id) or (now, article_id))

    def _missing_issue(self, issue_id: str) -> NotFound:
        withdrawn = self._withdrawal(issue_id, "")
        if withdrawn is not None:
            return Withdrawn(withdrawn)
        now = self._alias(issue_id, "")
        return Moved((issue_id, None), now) if now else IssueNotFound(issue_id)

    def _missing_article(self, issue_id: str, article_id: str) -> NotFound:
        withdrawn = self._withdrawal(issue_id, article_id)
        if withdrawn is not None:
            return Withdrawn(withdrawn)
        now = self._alias(issue_id, article_id)
        return Moved((issue_id, article_id), now) if now else ArticleNotFound(issue_id, article_id)

    def _withdrawal(self, issue_id: str, article_id: str) -> Withdrawal | None:
        row = self._db.execute(
            f"SELECT {WITHDRAWAL_COLUMNS} FROM withdrawn w"
            " WHERE w.issue_id = ? AND w.article_id = ?",
            (issue_id, article_id),
        ).fetchone()
        return withdrawal_from_row(row) if row else None

    def _alias(self, issue_id: str, article_id: str) -> tuple[str, str | None] | None:
        """Where what had this old address is now: an issue (article "") or an article."""
        row = self._db.execute(
            "SELECT issue_id, article_id FROM aliases"
            " WHERE old_issue_id = ? AND old_article_id = ?",
            (issue_id, article_id),
        ).fetchone()
        return (row[0], row[1] or None) if row else None

    @reading
    def issues(self, query: Query = Query()) -> Page[IssueSummary]:
        filters = self._filters(query, issue_level=True)
        where, params = filters.where, filters.params
        if match := fts_query(self._db, query.q or ""):
            matches = Matches(self._db, match, filters, query.order)
            total = matches.issue_count()
            pks = matches.issue_page(*window_of(query), total)
        else:
            total = self._count(f"SELECT count(*) FROM issues i WHERE {where}", params)
            pks = self._page_pks(
                f"SELECT i.pk FROM issues i WHERE {where} ORDER BY i.pk {direction(query)}",
                params,
                query,
            )
        return Page(self._issue_summaries(self._issue_rows(pks)), total, query.page, query.per_page)

    @reading
    def adjacent(self, issue_id: str) -> tuple[IssueSummary | None, IssueSummary | None]:
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
            self._issue_summaries([before])[0] if before else None,
            self._issue_summaries([after])[0] if after else None,
        )

    @reading
    def articles(self, query: Query = Query()) -> Page[ArticleSummary]:
        filters = self._filters(query, issue_level=False)
        where, params = filters.where, filters.params
        if match := fts_query(self._db, query.q or ""):
            matches = Matches(self._db, match, filters, query.order)
            total = matches.article_count()
            pks = matches.article_page(*window_of(query), total)
        else:
            # Their issues are joined only for a filter that reads them.
            joined = "FROM articles a" + (
                " JOIN issues i ON i.pk = a.issue_pk" if filters.on_issues else ""
            )
            total = self._count(f"SELECT count(*) {joined} WHERE {where}", params)
            pks = self._page_pks(
                f"SELECT a.pk {joined} WHERE {where}"
                f" ORDER BY a.issue_pk {direction(query)}, a.position ASC",
                params,
                query,
            )
        articles = self._summaries_by_pk(pks)
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
        articles, snippets = self._summaries_by_pk(pks), marked_snippets(self._db, match, pks)
        hits = tuple(SearchHit(articles[pk], snippets[pk], rank) for pk, rank in ranked)
        return Page(hits, total, page, per_page)

    @reading
    def issues_published(self) -> int:
        """How many issues were published, withdrawn ones included: the issue feed's places."""
        return self._count(
            "SELECT (SELECT count(*) FROM issues)"
            " + (SELECT count(*) FROM withdrawn WHERE article_id = '')",
            (),
        )

    @reading
    def issue_window(self, start: int, stop: int) -> tuple[Issue | Withdrawal, ...]:
        """Issues newest first, from the start-th up to the stop-th (0-based): one feed page.
        A withdrawn issue keeps its place, as a Withdrawal."""
        places = self._db.execute(
            f"{ISSUE_PLACES} LIMIT ? OFFSET ?", (max(0, stop - start), start)
        ).fetchall()
        pks = [pk for pk, gone in places if not gone]
        issues = dict(zip(pks, self._issues(self._issue_rows(pks)), strict=True))
        withdrawals = self._withdrawals_by_pk([gone for _, gone in places if gone])
        return tuple(withdrawals[gone] if gone else issues[pk] for pk, gone in places)

    @reading
    def article_count(self, tag: str | None = None) -> int:
        """How many articles were published, or carry `tag`, withdrawn ones included: the
        places in their feed."""
        if tag is None:
            return self._count(
                "SELECT (SELECT count(*) FROM articles)"
                " + (SELECT count(*) FROM withdrawn WHERE article_id != '')",
                (),
            )
        return self._count(
            "SELECT (SELECT count(*) FROM article_tags WHERE tag = ?)"
            " + (SELECT count(*) FROM withdrawn w"
            f" WHERE w.article_id != '' AND {WITHDRAWN_TAGGED})",
            (tag, tag),
        )

    @reading
    def article_window(
        self, start: int, stop: int, tag: str | None = None
    ) -> tuple[tuple[Issue, Article] | Withdrawal, ...]:
        """Articles newest first (an issue's in reading order), each with its issue: a feed page.
        A withdrawn article keeps its place, as a Withdrawal."""
        tagged = (TAGGED, WITHDRAWN_TAGGED) if tag else ("1", "1")
        places = self._db.execute(
            ARTICLE_PLACES.format(tagged=tagged[0], withdrawn_tagged=tagged[1])
            + " LIMIT ? OFFSET ?",
            (*((tag, tag) if tag else ()), max(0, stop - start), start),
        ).fetchall()
        pks = [pk for _, _, pk, gone in places if not gone]
        articles = self._articles_by_pk(pks)
        issue_pks = sorted({issue_pk for issue_pk, _, _, gone in places if not gone})
        issues = dict(zip(issue_pks, self._issues(self._issue_rows(issue_pks)), strict=True))
        withdrawals = self._withdrawals_by_pk([gone for *_, gone in places if gone])
        return tuple(
            withdrawals[gone] if gone else (issues[issue_pk], articles[pk])
            for issue_pk, _, pk, gone in places
        )

    @reading
    def withdrawals(
        self, since: dt.datetime, articles: bool = False, tag: str | None = None
    ) -> tuple[Withdrawal, ...]:
        """Issues (or articles, of every tag or one) withdrawn at `since` or later, the latest
        first: what a subscription feed tells its readers is gone."""
        kind = "w.article_id != ''" if articles else "w.article_id = ''"
        rows = self._db.execute(
            f"SELECT {WITHDRAWAL_COLUMNS} FROM withdrawn w WHERE {kind}"
            f" AND {WITHDRAWN_TAGGED if tag else '1'} ORDER BY w.issue_place DESC, w.position",
            (*((tag,) if tag else ()),),
        ).fetchall()
        found = map(withdrawal_from_row, rows)
        return tuple(withdrawal for withdrawal in found if withdrawal.withdrawn_at >= since)

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
        """The date of the oldest issue published, withdrawn or not: when the publication
        began, for feeds' own ids."""
        first: str | None = self._db.execute(
            "SELECT min(date) FROM (SELECT date FROM issues UNION ALL"
            " SELECT date FROM withdrawn WHERE article_id = '')"
        ).fetchone()[0]
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
        on_articles = bool(query.tag and not issue_level)
        return Filters(" AND ".join(clauses), params, on_issues, on_articles)

    def _page_pks(self, sql: str, params: Sequence[Any], query: Query) -> list[int]:
        """The pks of the query's page of what `sql` lists: its first column, in its order."""
        offset, limit = window_of(query)
        rows = self._db.execute(f"{sql} LIMIT ? OFFSET ?", (*params, limit, offset))
        return [pk for pk, *_ in rows]

    def _withdrawals_by_pk(self, pks: Sequence[int]) -> dict[int, Withdrawal]:
        placeholders = ",".join("?" * len(pks))
        rows = self._db.execute(
            f"SELECT {WITHDRAWAL_COLUMNS}, w.pk FROM withdrawn w WHERE w.pk IN ({placeholders})",
            pks,
        )
        return {row[-1]: withdrawal_from_row(row) for row in rows}

    def _issue_rows(self, pks: Sequence[int]) -> list[Sequence[Any]]:
        """The ISSUE_COLUMNS of these issues, in this order: a lookup by pk each, in the
        order of a JSON array of them."""
        return self._db.execute(
            f"SELECT {ISSUE_COLUMNS} FROM json_each(?) p CROSS JOIN issues i ON i.pk = p.value"
            " ORDER BY p.key",
            (json.dumps(list(pks)),),
        ).fetchall()

    def _articles_by_pk(self, pks: Sequence[int]) -> dict[int, Article]:
        return {
            row[-1]: self._article(row[:-2], row[-2])
            for row in self._rows_by_pk(ARTICLE_COLUMNS, pks)
        }

    def _summaries_by_pk(self, pks: Sequence[int]) -> dict[int, ArticleSummary]:
        return {
            row[-1]: summary_from_row(row[:-2], row[-2])
            for row in self._rows_by_pk(SUMMARY_COLUMNS, pks)
        }

    def _rows_by_pk(self, columns: str, pks: Sequence[int]) -> Iterable[Sequence[Any]]:
        """The columns of these articles, then their issue's id and their pk."""
        placeholders = ",".join("?" * len(pks))
        return self._db.execute(
            f"SELECT {columns}, i.id, a.pk FROM articles a JOIN issues i ON i.pk = a.issue_pk"
            f" WHERE a.pk IN ({placeholders})",
            pks,
        )

    def _article(self, row: Sequence[Any], issue_id: str) -> Article:
        article = article_from_row(row, issue_id)
        if self._served_links is None:
            return article
        return dataclasses.replace(article, body_html=self._served_links.rebase(article.body_html))

    def _count(self, sql: str, params: Sequence[Any]) -> int:
        count: int = self._db.execute(sql, params).fetchone()[0]
        return count

    def _issues(self, rows: Sequence[Any]) -> tuple[Issue, ...]:
        """Issues with their articles whole, in the rows' order."""
        articles = self._articles_of(rows, ARTICLE_COLUMNS)
        return tuple(
            issue_from_row(row, [self._article(article, row[1]) for article in articles[row[0]]])
            for row in rows
        )

    def _issue_summaries(self, rows: Sequence[Any]) -> tuple[IssueSummary, ...]:
        """Issues as a list shows them, in the rows' order."""
        articles = self._articles_of(rows, SUMMARY_COLUMNS)
        return tuple(
            summary_of_issue(
                row, [summary_from_row(article, row[1]) for article in articles[row[0]]]
            )
            for row in rows
        )

    def _articles_of(self, rows: Sequence[Any], columns: str) -> dict[int, list[Sequence[Any]]]:
        """The columns of the articles of these issues, by issue pk, in reading order: one
        query for all of them."""
        articles: dict[int, list[Sequence[Any]]] = {row[0]: [] for row in rows}
        if rows:
            placeholders = ",".join("?" * len(rows))
            for row in self._db.execute(
                f"SELECT {columns} FROM articles a"
                f" WHERE a.issue_pk IN ({placeholders}) ORDER BY a.issue_pk, a.position",
                list(articles),
            ):
                articles[row[0]].append(row)
        return articles


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


def summary_fields(row: Sequence[Any], issue_id: str) -> dict[str, Any]:
    """An article's fields that a list shows, from the SUMMARY_COLUMNS of its row."""
    return {
        "id": row[1],
        "issue_id": issue_id,
        "position": row[2],
        "headline": row[3],
        "standfirst": row[4],
        "updated": dt.datetime.fromisoformat(row[5]),
        "authors": tuple(Person(**author) for author in json.loads(row[6])),
        "tags": tuple(json.loads(row[7])),
        "draft": bool(row[8]),
    }


def summary_from_row(row: Sequence[Any], issue_id: str) -> ArticleSummary:
    return ArticleSummary(**summary_fields(row, issue_id))


def article_from_row(row: Sequence[Any], issue_id: str) -> Article:
    """An article whole, from the ARTICLE_COLUMNS of its row."""
    return Article(
        **summary_fields(row, issue_id),
        body_html=row[9],
        body_text=row[10],
        headings=tuple(json.loads(row[11])),
        sources=tuple(Source(**source) for source in json.loads(row[12])),
        corrections=tuple(
            Correction(dt.datetime.fromisoformat(said["date"]), said["text"])
            for said in json.loads(row[13])
        ),
        aliases=tuple(json.loads(row[14])),
    )


def issue_fields(row: Sequence[Any]) -> dict[str, Any]:
    """An issue's own fields, from the ISSUE_COLUMNS of its row."""
    return {
        "id": row[1],
        "number": row[2],
        "date": dt.date.fromisoformat(row[3]),
        "updated": dt.datetime.fromisoformat(row[4]),
        "title": row[5],
        "tags": tuple(json.loads(row[6])),
        "published": dt.datetime.fromisoformat(row[7]),
        "aliases": tuple(json.loads(row[8])),
        "draft": bool(row[9]),
    }


def issue_from_row(row: Sequence[Any], articles: list[Article]) -> Issue:
    return Issue(**issue_fields(row), articles=tuple(articles))


def summary_of_issue(row: Sequence[Any], articles: list[ArticleSummary]) -> IssueSummary:
    return IssueSummary(**issue_fields(row), articles=tuple(articles))


def withdrawal_from_row(row: Sequence[Any]) -> Withdrawal:
    return Withdrawal(
        issue_id=row[0],
        article_id=row[1] or None,
        date=dt.date.fromisoformat(row[2]),
        published=dt.datetime.fromisoformat(row[3]),
        reason=row[4],
        withdrawn_at=dt.datetime.fromisoformat(row[5]),
        position=row[6],
        tags=tuple(json.loads(row[7])),
        aliases=tuple(json.loads(row[8])),
    )


def publication_from_json(text: str) -> Publication:
    fields = json.loads(text)
    email = fields.get("email") and email_edition_from_json(fields["email"])
    return Publication(**{**fields, "author": Person(**fields["author"]), "email": email})


def email_edition_from_json(fields: dict[str, Any]) -> EmailEdition:
    return EmailEdition(
        **{
            **fields,
            "sender": Mailbox(**fields["sender"]),
            "unsubscribe": tuple(fields["unsubscribe"]),
        }
    )
