"""Broken copies of a good store, the way a failed copy or a bad disk leaves them."""

from __future__ import annotations

import shutil
from pathlib import Path

PAGE = 4096  # SQLite's default page size, which `briefing build` keeps


def truncated_copy(store: Path, to: Path) -> Path:
    """The first half of the store, as an interrupted copy leaves it."""
    data = store.read_bytes()
    to.write_bytes(data[: len(data) // PAGE // 2 * PAGE])
    return to


def damaged_copy(store: Path, to: Path) -> Path:
    """The whole store with one page in the middle overwritten: its size and header look right."""
    shutil.copyfile(store, to)
    pages = to.stat().st_size // PAGE
    with to.open("r+b") as file:
        file.seek(pages // 2 * PAGE)
        file.write(b"\xa5" * PAGE)
    return to


def garbage(store: Path, to: Path) -> Path:
    """A file that is no store at all, put where the store belongs by mistake."""
    to.write_bytes(b"this is not a briefing store\n" * 512)
    return to


def truncated_in_place(store: Path) -> Path:
    """The store cut to its first half where it lies, as a `cp` over it leaves it midway."""
    with store.open("r+b") as file:
        file.truncate(store.stat().st_size // PAGE // 2 * PAGE)
    return store
