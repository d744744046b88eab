"""`briefing demo-content`: complete synthetic trees that build, at any size."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from service.content.demo import COMMON_WORDS, demo_vocabulary
from service.model import Query
from service.store import open_store


def test_demo_content_builds_a_synthetic_publication(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    out, store_path = tmp_path / "demo", tmp_path / "demo.sqlite3"
    result = run_cli("demo-content", "--issues", "30", "--out", out)
    assert result.output == f"wrote 30 synthetic issue(s) to {out}\n"
    assert run_cli("check", out).exit_code == 0
    assert run_cli("build", out, "--store", store_path).exit_code == 0

    store = open_store(store_path)
    assert store.publication.synthetic is True
    issues = store.issues(Query(per_page=100, order="oldest")).items
    assert len(issues) == 30
    assert [i.number for i in issues] == list(range(1, 31))
    assert {b.date - a.date for a, b in zip(issues, issues[1:], strict=False)} == {
        dt.timedelta(days=14)
    }
    assert all(2 <= len(issue.articles) <= 4 for issue in issues)
    article = store.issue(issues[0].id).articles[0]
    assert article.tags and article.sources and article.authors and article.headings
    assert store.tags()


def test_demo_content_is_the_same_for_the_same_seed(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    for name in ("a", "b"):
        run_cli("demo-content", "--issues", "3", "--out", tmp_path / name)
        run_cli("build", tmp_path / name, "--store", tmp_path / f"{name}.sqlite3")
    versions = {open_store(tmp_path / f"{n}.sqlite3").content_version for n in ("a", "b")}
    assert len(versions) == 1


def test_demo_content_never_writes_into_a_used_folder(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    result = run_cli("demo-content", "--issues", "1", "--out", tmp_path / "used")
    assert result.exit_code == 1
    assert "is not empty: demo content goes into a new folder" in result.output
    assert sorted(p.name for p in (tmp_path / "used").iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_ten_thousand_issues_build_and_open(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    out, store_path = tmp_path / "demo", tmp_path / "demo.sqlite3"
    assert run_cli("demo-content", "--issues", "10000", "--out", out).exit_code == 0
    result = run_cli("build", out, "--store", store_path)
    assert result.exit_code == 0, result.output
    store = open_store(store_path)
    assert store.issue_count == 10_000
    newest = store.issues(Query(per_page=1)).items[0]
    assert newest.number == 10_000
    assert store.issue(newest.id).articles
    assert store.issues(Query(page=500, per_page=20)).items[-1].number == 1
    assert store.search("community").total > 0


def test_demo_vocabulary_is_thousands_of_words_the_same_for_the_same_seed() -> None:
    vocabulary = demo_vocabulary(2011)
    assert len(set(vocabulary)) == len(vocabulary) >= 2000
    assert vocabulary == demo_vocabulary(2011) != demo_vocabulary(2012)
    assert vocabulary[: len(COMMON_WORDS)] == tuple(COMMON_WORDS)


def test_demo_text_has_a_few_words_in_most_articles_and_most_in_few(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    out, store_path = tmp_path / "demo", tmp_path / "demo.sqlite3"
    run_cli("demo-content", "--issues", "100", "--out", out)
    assert run_cli("build", out, "--store", store_path).exit_code == 0
    store = open_store(store_path)
    articles = store.article_count()
    assert store.search("the").total > 0.9 * articles
    assert store.search("community").total > 0.3 * articles
    vocabulary = demo_vocabulary(2011)
    shares = sorted(store.search(word).total / articles for word in vocabulary[::20])
    assert statistics.median(shares) < 0.05
