"""The shipped content/: the real first issue, faithful to the emailed original."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from service.model import Query
from service.store import open_store
from tests.factories import REPO, SEED


def test_shipped_content_checks_clean(run_cli: Callable[..., Result]) -> None:
    result = run_cli("check", REPO / "content")
    assert result.exit_code == 0, result.output


def test_first_issue_is_the_seed_word_for_word(
    run_cli: Callable[..., Result], store_path: Path
) -> None:
    assert run_cli("build", REPO / "content", "--store", store_path).exit_code == 0
    issue = open_store(store_path).issue("2011-01-12")
    seed = [line for line in SEED.read_text("utf-8").split("\n") if line.strip()]
    assert seed[1:3] == ["January 12, 2011", issue.title]
    article = issue.articles[0]
    assert article.headline == "Contradiction at the heart of Big Society"
    assert article.standfirst == seed[3]
    assert article.body_text.split("\n\n") == seed[4:]
    assert "‘Big Society and Public Services’" in html.unescape(article.body_html)
    assert "–\xa0 Complementarity" in html.unescape(article.body_html)


def test_full_text_search_finds_the_first_issue(
    run_cli: Callable[..., Result], store_path: Path
) -> None:
    run_cli("build", REPO / "content", "--store", store_path)
    store = open_store(store_path)
    hits = store.search("Big Society")
    assert [hit.article.issue_id for hit in hits.items] == ["2011-01-12"]
    assert [i.id for i in store.issues(Query(q="Big Society")).items] == ["2011-01-12"]
