"""What one search may cost, counted in SQLite virtual-machine steps (set_progress_handler),
never timed: the rows each statement walks and the index pages FTS5 reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

import pytest
from click.testing import CliRunner

from schemas.query import MAX_PAGE
from service.cli import main
from service.store import Query, Store, open_store


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


def vm_steps(store: Store, call: Callable[..., object], *args: object) -> int:
    """How many virtual-machine steps SQLite takes for the call."""
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    store._db.set_progress_handler(step, 1)
    try:
        call(*args)
    finally:
        store._db.set_progress_handler(None, 1)
    return steps


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
