"""Nothing published disappears silently: a build that would lose an address the store it
replaces published is refused, naming it, and the old store stays in place."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from service.errors import StoreError
from service.store import open_store
from tests.factories import PUBLICATION, ContentTree

BASE = "https://briefing.test"
WITHDRAWN_AT = dt.datetime(2011, 2, 1, 9, tzinfo=dt.UTC)
# The tables of a store of schema version 5, as `briefing build` wrote them before drafts,
# withdrawals and aliases, with only what the comparison reads filled in.
SCHEMA_5 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE issues (pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, number INTEGER,
    date TEXT NOT NULL, updated TEXT NOT NULL, title TEXT NOT NULL, tags TEXT NOT NULL);
CREATE TABLE articles (pk INTEGER PRIMARY KEY, issue_pk INTEGER NOT NULL REFERENCES issues (pk),
    id TEXT NOT NULL, position INTEGER NOT NULL, headline TEXT NOT NULL,
    standfirst TEXT NOT NULL, body_html TEXT NOT NULL, body_text TEXT NOT NULL,
    headings TEXT NOT NULL, sources TEXT NOT NULL, authors TEXT NOT NULL, tags TEXT NOT NULL,
    UNIQUE (issue_pk, id));
"""

Build = Callable[..., Result]


@pytest.fixture
def build(content: ContentTree, run_cli: Callable[..., Result], store_path: Path) -> Build:
    """`briefing build` of the content tree into store_path, with any further options."""

    def run(*options: str) -> Result:
        return run_cli("build", content.root, "--store", store_path, *options)

    return run


@pytest.fixture
def published(content: ContentTree, build: Build) -> ContentTree:
    """Two issues of two articles each, built once."""
    content.issue("2011-01-12", articles=2)
    content.issue("2011-01-26", articles=2)
    assert build().exit_code == 0
    return content


def refused(result: Result, root: Path) -> list[str]:
    """The error lines of a refused build, paths relative to the content root."""
    assert result.exit_code == 1, result.output
    lines = result.output.replace(f"{root}/", "").splitlines()
    assert lines[-1].endswith(" is unchanged.")
    return lines[:-1]


def test_the_first_build_says_it_has_nothing_to_compare_with(
    content: ContentTree, build: Build, store_path: Path
) -> None:
    content.issue("2011-01-12")
    result = build()
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (
        f"{store_path}: no store here yet, so nothing published to compare with."
    )
    assert "compare" not in build().output


def test_a_missing_issue_is_refused_and_the_old_store_kept(
    published: ContentTree, build: Build, store_path: Path
) -> None:
    before = store_path.read_bytes()
    shutil.rmtree(published.root / "issues" / "2011-01-12")
    assert refused(build(), published.root) == [
        "issues/2011-01-12:1: issue: Issue 2011-01-12, published at"
        f" {BASE}/issues/2011-01-12, is missing: restore it, mark it"
        " `withdrawn = \"reason\"`, or list '2011-01-12' in the `aliases` of its new home.",
        "1 error(s); nothing was built.",
    ]
    assert store_path.read_bytes() == before


def test_an_issue_whose_id_changed_is_refused(published: ContentTree, build: Build) -> None:
    issues = published.root / "issues"
    (issues / "2011-01-26").rename(issues / "2011-01-26-b")
    assert refused(build(), published.root)[0].startswith(
        "issues/2011-01-26:1: issue: Issue 2011-01-26, published at"
    )


def test_an_article_whose_id_changed_is_refused(published: ContentTree, build: Build) -> None:
    published.article("2011-01-12", "02-article.md", headline="A reworded headline")
    assert refused(build(), published.root) == [
        "issues/2011-01-12/issue.toml:1: articles: Article article-2-of-2011-01-12, published"
        f" at {BASE}/issues/2011-01-12#article-2-of-2011-01-12, is missing (an article's id"
        " is its headline's slug unless `id` is set): restore it, mark it"
        " `withdrawn = \"reason\"`, or list 'article-2-of-2011-01-12' in the `aliases` of its"
        " new home.",
        "1 error(s); nothing was built.",
    ]


def test_a_published_issue_cannot_become_a_draft(published: ContentTree, build: Build) -> None:
    published.issue("2011-01-26", articles=2, draft=True)
    assert refused(build(), published.root) == [
        f"issues/2011-01-26/issue.toml:2: draft: Issue 2011-01-26 was published at {BASE}"
        "/issues/2011-01-26: it cannot be a draft again; withdraw it instead"
        ' (`withdrawn = "reason"`).',
        "1 error(s); nothing was built.",
    ]


def test_a_published_article_cannot_become_a_draft(published: ContentTree, build: Build) -> None:
    published.article("2011-01-26", "01-article.md", headline="Article 1 of 2011-01-26", draft=True)
    assert refused(build(), published.root)[0] == (
        "issues/2011-01-26/01-article.md:4: draft: Article article-1-of-2011-01-26 of issue"
        f" 2011-01-26 was published at {BASE}/issues/2011-01-26#article-1-of-2011-01-26: it"
        ' cannot be a draft again; withdraw it instead (`withdrawn = "reason"`).'
    )


def test_every_removal_is_reported_in_one_build(published: ContentTree, build: Build) -> None:
    shutil.rmtree(published.root / "issues" / "2011-01-12")
    (published.root / "issues" / "2011-01-26" / "02-article.md").unlink()
    lines = refused(build(), published.root)
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "issues/2011-01-12",
        "issues/2011-01-26/issue.toml",
    ]
    assert lines[-1] == "2 error(s); nothing was built."


def test_withdrawing_or_renaming_is_no_removal(published: ContentTree, build: Build) -> None:
    published.issue(
        "2011-01-12", articles=2, withdrawn="Published in error.", withdrawn_at=WITHDRAWN_AT
    )
    issues = published.root / "issues"
    (issues / "2011-01-26").rename(issues / "2011-01-26-b")
    published.write(
        "issues/2011-01-26-b/issue.toml", 'date = 2011-01-26\naliases = ["2011-01-26"]\n'
    )
    result = build()
    assert result.exit_code == 0, result.output


def test_allow_removals_builds_and_names_each_removal(
    published: ContentTree, build: Build, store_path: Path
) -> None:
    shutil.rmtree(published.root / "issues" / "2011-01-12")
    (published.root / "issues" / "2011-01-26" / "02-article.md").unlink()
    result = build("--allow-removals")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:3] == [
        f"removed issue 2011-01-12 ({BASE}/issues/2011-01-12), as --allow-removals allows.",
        "removed article article-2-of-2011-01-26 of issue 2011-01-26"
        f" ({BASE}/issues/2011-01-26#article-2-of-2011-01-26), as --allow-removals allows.",
    ]
    assert open_store(store_path).issue_count == 1


def test_a_withdrawn_issue_must_keep_its_files(published: ContentTree, build: Build) -> None:
    published.issue("2011-01-12", articles=2, withdrawn="Wrong.", withdrawn_at=WITHDRAWN_AT)
    assert build().exit_code == 0
    shutil.rmtree(published.root / "issues" / "2011-01-12")
    assert refused(build(), published.root)[0] == (
        f"issues/2011-01-12:1: issue: Issue 2011-01-12 was withdrawn from {BASE}/issues/2011-01-12:"
        " keep its file, marked `withdrawn`, so that its address says so."
    )


def test_a_withdrawn_id_is_never_published_again(published: ContentTree, build: Build) -> None:
    published.issue("2011-01-12", articles=2, withdrawn="Wrong.", withdrawn_at=WITHDRAWN_AT)
    assert build().exit_code == 0
    published.issue("2011-01-12", articles=2)
    message = (
        f"issues/2011-01-12/issue.toml:1: withdrawn: Issue 2011-01-12 was withdrawn from {BASE}"
        "/issues/2011-01-12, and a withdrawn id is never published again: keep `withdrawn`,"
        " and publish anew under another id."
    )
    assert refused(build(), published.root)[0] == message
    assert refused(build("--allow-removals"), published.root)[0] == message


def test_a_draft_that_goes_away_is_no_removal(content: ContentTree, tmp_path: Path) -> None:
    from service.build import build as build_store

    content.issue("2011-01-12")
    content.issue("2011-01-26", draft=True)
    preview = tmp_path / "preview.sqlite3"
    build_store(content.root, preview, include_drafts=True)
    shutil.rmtree(content.root / "issues" / "2011-01-26")
    assert build_store(content.root, preview, include_drafts=True).issues == 1


def test_a_store_of_schema_version_5_is_compared_with(
    content: ContentTree, build: Build, store_path: Path
) -> None:
    """A store built before drafts and withdrawals: refused in service, read for its ids."""
    store_path.parent.mkdir(parents=True)
    with sqlite3.connect(store_path) as db:
        db.executescript(SCHEMA_5)
        meta = {"schema_version": "5", "publication": json.dumps(PUBLICATION)}
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.execute("INSERT INTO issues VALUES (1, '2011-01-12', NULL, '2011-01-12', '', '', '[]')")
        db.execute(
            "INSERT INTO articles VALUES (1, 1, 'gone', 1, '', '', '', '', '[]', '[]', '[]', '[]')"
        )
    db.close()
    with pytest.raises(StoreError, match="this service reads 7: rebuild it with `briefing build`"):
        open_store(store_path)
    content.issue("2011-01-12")
    assert refused(build(), content.root)[0].startswith(
        f"issues/2011-01-12/issue.toml:1: articles: Article gone, published at {BASE}"
    )
    content.article("2011-01-12", "02-gone.md", headline="Gone")
    assert build().exit_code == 0
    assert open_store(store_path).issue("2011-01-12").articles[1].id == "gone"


def test_a_file_that_is_not_a_store_says_why_nothing_is_compared(
    content: ContentTree, build: Build, store_path: Path
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"not a store")
    content.issue("2011-01-12")
    result = build()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        f"{store_path}: not a store this build can read (file is not a database), so nothing"
        " published to compare with."
    )
