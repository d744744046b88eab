"""What one search may cost: repeated words searched once, too broad a search refused, and the
costliest search accepted at most five times a typical one.

Cost is counted in SQLite virtual-machine steps (set_progress_handler), never timed: the rows
each statement walks and the index pages FTS5 reads. Ranking and snippets work inside FTS5,
out of sight of that count, in proportion to the words searched for; service.store.terms
bounds those (and bench/search.py times them at 10,000 issues).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Literal

import pytest
from click.testing import CliRunner

from schemas.query import MAX_PAGE, MAX_PER_PAGE
from service.cli import main
from service.errors import SearchTooBroad
from service.model import Query
from service.store import Store, open_store
from service.store.search import MOST_EXCERPTS, fts_query
from service.store.terms import TOKENIZER, search_terms

TYPICAL = "community groups council policy funding report survey local grant trust".split()
COSTLIEST = [
    "the",
    " ".join(["the"] * 49),
    " ".join(["The", "THE", "the"] * 16),
    "the of",
    "the of and",
    "community groups council policy",
    '"community groups"',
    "-".join(["the"] * 49),
    " ".join("abcdefghijklmnopqrstuvwxyz0123456789" * 2)[:199],
    "t* c* a* s* " * 16,
    "é" * 200,
    "the of and to",
    '"the of"',
]
PAGES = [(1, 20), (2, 100), (5, 100), (9, 100), (10, 100), (MAX_PAGE, 100)]
Search = Callable[[str, int, int], object]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """300 synthetic issues, 910 articles: a few words in every article, most in few."""
    root = tmp_path_factory.mktemp("demo")
    for args in (
        ["demo-content", "--issues", "300", "--out", str(root / "content")],
        ["build", str(root / "content"), "--store", str(root / "store.sqlite3")],
    ):
        assert CliRunner().invoke(main, args).exit_code == 0
    store = open_store(root / "store.sqlite3")
    yield store
    store.close()


def searches(store: Store) -> dict[str, Search]:
    return {
        "search": lambda text, page, per_page: store.search(text, page, per_page),
        "articles": lambda text, page, per_page: store.articles(
            Query(q=text, page=page, per_page=per_page)
        ),
        "issues": lambda text, page, per_page: store.issues(
            Query(q=text, page=page, per_page=per_page)
        ),
    }


def vm_steps(store: Store, call: Callable[..., object], *args: object) -> int:
    """How many virtual-machine steps SQLite takes for the call; a refusal counts as answered."""
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    store._db.set_progress_handler(step, 1)
    try:
        call(*args)
    except SearchTooBroad:
        pass
    finally:
        store._db.set_progress_handler(None, 1)
    return steps


@pytest.mark.parametrize("kind", ["search", "articles", "issues"])
def test_the_costliest_search_costs_at_most_five_typical_ones(demo: Store, kind: str) -> None:
    """Repeats, common words, phrases, prefix-like text, the longest text, 100 a page and the
    deepest pages, against one-word searches of 1 to 10 a page; refusals count too."""
    search = searches(demo)[kind]
    typical = statistics.median(
        vm_steps(demo, search, word, 1, size) for size, word in enumerate(TYPICAL, start=1)
    )
    # A word in a tenth of the articles beside common ones, and a rare word beside more.
    middling, rare = words_in(demo, 80, 100)[0], words_in(demo, 1, 3)[0]
    texts = [*COSTLIEST, f"{middling} the", f"{middling} the of", f"{rare} the of and to in a"]
    costs = {
        (text, page, per_page): vm_steps(demo, search, text, page, per_page)
        for text in texts
        for page, per_page in PAGES
    }
    costliest = max(costs, key=costs.__getitem__)
    assert costs[costliest] <= 5 * typical, costliest


@pytest.mark.parametrize("kind", ["articles", "issues"])
@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_no_page_of_a_list_costs_much_more_than_its_first(
    demo: Store, kind: str, order: Literal["newest", "oldest"]
) -> None:
    """A page is found by skipping from the nearer end of the matches: the last page costs
    what the first does, the middle one at most half a walk over the matches more."""
    lister = demo.articles if kind == "articles" else demo.issues
    pages = lister(Query(q="the", order=order)).pages
    first = vm_steps(demo, lister, Query(q="the", order=order))
    for number in (2, pages // 2, pages // 2 + 1, pages - 1, pages, pages + 1, MAX_PAGE):
        cost = vm_steps(demo, lister, Query(q="the", page=number, order=order))
        assert cost <= 1.5 * first, number


def test_repeated_words_are_searched_once(demo: Store) -> None:
    assert fts_query(demo._db, "the THE The the") == '"the"'
    assert fts_query(demo._db, 'groups Group "big society" "Big  Society" big') == (
        '"groups" "big society" "big"'
    )
    once, repeated = demo.search("council"), demo.search("council COUNCIL Council council")
    assert repeated == once


def test_ordinary_searches_reach_the_index_as_typed(demo: Store) -> None:
    assert fts_query(demo._db, 'community groups "big society" e-mail') == (
        '"community" "groups" "big society" "e-mail"'
    )
    assert fts_query(demo._db, '" - * ( ) :') is None


def test_words_are_read_as_the_index_reads_them() -> None:
    terms = search_terms('Café cafe CAFES "e-mail" e-mail naïve')
    assert terms.terms == {("cafe",): "Café", ("e", "mail"): "e-mail", ("naiv",): "naïve"}
    assert terms.spellings["cafe"] == "Café"


def test_the_tokenizer_is_the_index_one() -> None:
    schema = resources.files("service.store").joinpath("schema.sql").read_text("utf-8")
    assert f"tokenize = '{TOKENIZER}'" in schema


@pytest.mark.parametrize("kind", ["search", "articles", "issues"])
def test_too_broad_a_search_is_refused_naming_its_commonest_words(demo: Store, kind: str) -> None:
    search = searches(demo)[kind]
    with pytest.raises(SearchTooBroad) as refusal:
        search("the of and to", 1, 20)
    assert refusal.value.commonest == ["the", "of", "and"]
    assert str(refusal.value) == (
        "Too broad to search quickly: “the”, “of” and “and” are in too many articles."
        " Leave some words out, or search for rarer ones."
    )


def test_two_of_the_commonest_words_are_searched_for(demo: Store) -> None:
    assert demo.search("the of").total > 0.9 * demo.article_count()


def test_a_rare_word_is_searched_with_common_ones_beside_it(demo: Store) -> None:
    """Only the rare word's articles are walked, ranked and excerpted: the common words cost a
    pass each, as "the heart of big society" would in a real archive."""
    rare = words_in(demo, 1, 3)[0]
    found = demo.search(f"{rare} the of and to")
    assert 0 < found.total <= demo.search(rare).total
    assert demo.articles(Query(q=f"the {rare} of and to")).total == found.total
    with pytest.raises(SearchTooBroad):
        demo.search("the of and to")


def test_a_word_in_no_article_makes_any_search_cheap(demo: Store) -> None:
    text = "zzzqx the of and to in a for on that with"
    assert demo.search(text).total == 0
    assert vm_steps(demo, demo.search, text, 1, 100) < vm_steps(demo, demo.search, "the", 1, 100)


def test_the_cost_counts_excerpts_of_the_largest_page() -> None:
    assert MOST_EXCERPTS == MAX_PER_PAGE


def words_in(store: Store, least: int, most: int) -> list[str]:
    """Words of the index in from `least` to `most` articles, as the index reads them."""
    rows = store._db.execute(
        "SELECT word FROM index_words WHERE articles BETWEEN ? AND ? ORDER BY word", (least, most)
    )
    return [word for (word,) in rows]


def test_a_phrase_of_common_words_is_refused_but_one_with_a_rarer_word_found(
    demo: Store,
) -> None:
    with pytest.raises(SearchTooBroad):
        demo.search('"the of"')
    with pytest.raises(SearchTooBroad):
        demo.search("-".join(["the"] * 49))
    assert demo.search('"community groups"').total > 0


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_a_list_without_a_search_reads_its_pages_in_index_order(
    demo: Store, order: Literal["newest", "oldest"]
) -> None:
    """A deep page of articles or issues skips index entries: nothing is sorted to find it."""
    statements: list[str] = []
    demo._db.set_trace_callback(statements.append)
    try:
        demo.articles(Query(page=9, per_page=100, order=order))
        demo.issues(Query(page=3, per_page=100, order=order))
    finally:
        demo._db.set_trace_callback(None)
    plans = [
        " ".join(row[3] for row in demo._db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if "OFFSET" in sql
    ]
    assert len(plans) == 2
    assert all("TEMP B-TREE" not in plan for plan in plans), plans
