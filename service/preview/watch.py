"""Noticing an editor's saves under a content tree by looking at it every POLL_INTERVAL:
portable, needing no library, and blind to how an editor saves (writing the file in place,
or writing a new one and renaming it over the old)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

POLL_INTERVAL = 0.5  # seconds between looks at the tree
# Seconds a changed tree must stay as it is before it is built: a burst of saves (an editor's
# write-and-rename, a `git checkout`) is built once, when it is over.
QUIET = 0.2

TreeState = dict[str, tuple[int, ...]]


def tree_state(root: Path) -> TreeState:
    """Every file under root with its inode, size and modification time (a save changes one of
    them, whether it writes in place or renames a new file over the old), and every folder
    with its inode (what it holds is there on its own).

    Names starting with a dot are left out, as the build leaves them out: editors' swap and
    lock files, and folders such as .git.
    """
    state: TreeState = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in [*folders, *files]:
            if not name.startswith("."):
                path = os.path.join(folder, name)
                state[path] = looked_at(path)
    return state


def looked_at(path: str) -> tuple[int, ...]:
    """A file's inode, size and modification time; a folder's inode; nothing if it went."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return ()
    if stat.S_ISDIR(found.st_mode):
        return (found.st_ino,)
    return (found.st_ino, found.st_size, found.st_mtime_ns)


class Watcher:
    """Waits for the content tree to change from how it was last seen, and settle."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen = tree_state(root)

    def wait_for_change(self, pause: Callable[[float], None] = time.sleep) -> None:
        """Return once the tree has changed and then stayed as it is for QUIET seconds; it is
        seen as it is then, so that a save made while it is built is a change again."""
        while (now := tree_state(self.root)) == self._seen:
            pause(POLL_INTERVAL)
        while True:
            pause(QUIET)
            settled = tree_state(self.root)
            if settled == now:
                break
            now = settled
        self._seen = now
