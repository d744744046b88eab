"""The store in service: reopened when a build renames a new file into place."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from service.errors import StoreError, StoreUnavailable
from service.model import Publication
from service.store import NO_STORE, Store, open_store

log = logging.getLogger(__name__)
EXTENSION = "briefing.store"


class LiveStore:
    """Hands out the newest good store, looking at the file at most once per interval.

    A new file goes into service only once open_store accepts it (a store of this schema,
    sealed by its build); one it refuses is reported and the last good store stays in
    service, unless the refused file is the very file in service, changed in place (a `cp`
    over it): then no store is in service until a good file is renamed into place, and so
    when a request finds the store it reads damaged. Stores replaced while a request still
    reads them are closed by garbage collection afterwards.
    """

    def __init__(
        self,
        path: Path,
        check_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.check_interval = check_interval
        self.problem: str | None = "the store has not been opened yet"
        self._clock = clock
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._file: tuple[int, int] | None = None  # st_dev and st_ino of the store in service
        self._seen: tuple[int, ...] | None = None
        # The last good store's, so that error pages keep the site's look while none is served.
        self.publication: Publication | None = None
        self._next_check = 0.0

    def current(self) -> Store:
        # One thread looks at the file (and checks a new one) while the others go on with
        # the store in service; only while there is none do they wait for it.
        if self._clock() >= self._next_check and self._lock.acquire(self._store is None):
            try:
                if self._clock() >= self._next_check:
                    self._next_check = self._clock() + self.check_interval
                    self._refresh()
            finally:
                self._lock.release()
        store = self._store  # read once: another thread may take it out of service meanwhile
        if store is None:
            raise StoreUnavailable(self.problem or "no store")
        return store

    def _refresh(self) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._report(StoreError(str(self.path), NO_STORE))
            return
        except OSError as exc:
            self._report(StoreError(str(self.path), f"the store cannot be read ({exc.strerror})"))
            return
        seen = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if seen == self._seen:
            return
        self._seen = seen
        try:
            store = open_store(self.path)
        except StoreError as exc:
            if (stat.st_dev, stat.st_ino) == self._file:
                self._withdraw(exc)
            else:
                self._report(exc)
            return
        self._store, self._file, self.problem = store, (stat.st_dev, stat.st_ino), None
        self.publication = store.publication
        log.info("serving store %s, content version %s", self.path, store.content_version)

    def damaged(self, store: Store | None, error: StoreError) -> None:
        """A request found the store it read damaged: if that one is in service, it no longer is,
        and the file is looked at again at the next check."""
        with self._lock:
            if store is not None and store is self._store:
                self._withdraw(error)
                self._seen = None

    def _withdraw(self, error: StoreError) -> None:
        """The store in service is damaged, its file changed in place: none is in service now."""
        self._store = self._file = None
        log.error("%s; it is the store in service, changed in place: none is in service", error)
        self.problem = f"the store in service changed in place: {error.reason}"

    def _report(self, error: StoreError) -> None:
        """Log the problem once, naming the file; `problem`, which readers see (in /readyz and
        503s), says it in words alone: where the server keeps its files is not theirs to know."""
        if error.reason != self.problem:
            kept = "; the last good store stays in service" if self._store else ""
            log.error("%s%s", error, kept)
        self.problem = error.reason


def live_store() -> LiveStore:
    """The app's LiveStore."""
    store: LiveStore = current_app.extensions[EXTENSION]
    return store


def current_store() -> Store:
    """The store this request reads from; StoreUnavailable while none could be opened."""
    return live_store().current()
