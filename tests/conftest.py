"""Fixtures: content trees written by small factories, and real stores built from them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from service import create_app
from service.cli import main
from service.store import Store, open_store
from tests.factories import ContentTree
from tests.servers import StartServer, serving


@pytest.fixture
def content(tmp_path: Path) -> ContentTree:
    """A valid content tree with a publication and no issues yet."""
    tree = ContentTree(tmp_path / "content")
    tree.publication()
    return tree


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run `briefing ARGS...` in-process, as a user would from the shell."""

    def run(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(arg) for arg in args])

    return run


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "briefing.sqlite3"


@pytest.fixture
def build_store(store_path: Path, run_cli: Callable[..., Result]) -> Callable[[ContentTree], Store]:
    """Build a real store at store_path with `briefing build`, and open it."""

    def build(tree: ContentTree) -> Store:
        result = run_cli("build", tree.root, "--store", store_path)
        assert result.exit_code == 0, result.output
        return open_store(store_path)

    return build


@pytest.fixture
def app(store_path: Path) -> Any:
    return create_app({"TESTING": True, "STORE": str(store_path), "STORE_CHECK_INTERVAL": 0})


@pytest.fixture
def start_server(tmp_path: Path, store_path: Path) -> Iterator[StartServer]:
    """Start `briefing serve` on a free port with two workers; stopped when the test ends."""
    yield from serving(tmp_path, store_path)
