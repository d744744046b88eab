"""Figures under abuse: a reader's answers beside held-open hostile connections, and a worker's
memory after a flood of URLs no cache has seen (the clients are tests/abuse.py's)."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from tests.abuse import Abuse, HostileClients, NormalClient, flood, unique_search_paths

READER_PATHS = ["/feeds/issues.atom", "/api/v1/issues", "/", "/api/v1/issues?page=2"]
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class UnderAbuse:
    asked: int
    answered: int  # with a 200
    median_first_byte_ms: float
    worst_first_byte_ms: float

    @property
    def success(self) -> float:
        return self.answered / self.asked


def reader_under_abuse(
    port: int, abuse: Abuse, rounds: int = 10, timeout: float = 10.0
) -> UnderAbuse:
    """A reader's requests, each on a new connection, while `abuse` is held against port."""
    reader = NormalClient("127.0.0.1", port, timeout=timeout)
    with HostileClients("127.0.0.1", port, abuse):
        time.sleep(SETTLE_SECONDS)
        visits = reader.round(READER_PATHS, rounds, pause=0.1)
    first_bytes = [visit.first_byte_ms for visit in visits]
    answered = sum(visit.status == 200 for visit in visits)
    return UnderAbuse(len(visits), answered, statistics.median(first_bytes), max(first_bytes))


def flooded_resident_mb(port: int, master_pid: int, urls: int) -> float:
    """The largest worker's resident memory after `urls` unique search URLs, in MB."""
    statuses = flood("127.0.0.1", port, unique_search_paths(urls, seed=int(time.time())))
    if set(statuses) != {200}:
        raise SystemExit(f"the unique-URL flood was not answered 200: {set(statuses)}")
    return max(resident_mb(master_pid))


def resident_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    sizes = []
    for pid in children.read_text().split():
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes
