"""Figures under abuse: a reader's answers beside held-open hostile connections, and a worker's
memory after a flood of URLs no cache has seen (the clients are tests/abuse.py's)."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from tests.abuse import Abuse, HostileClients, NormalClient, flood, unique_search_paths

READER_PATHS = ["/feeds/issues.atom", "/api/v1/issues", "/", "/api/v1/tags"]
SETTLE_SECONDS = 3.0
# Each kind of DESIGN's budget alone, then all of them at once.
ABUSES = {
    "100 idle connections": Abuse(idle=100, slowloris=0, slow_readers=0),
    "80 slowloris connections": Abuse(idle=0, slowloris=80, slow_readers=0),
    "20 slow readers": Abuse(idle=0, slowloris=0, slow_readers=20),
    "all three at once": Abuse(),
}
ALL_AT_ONCE = "all three at once"


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


def abuse_table(results: dict[tuple[str, str], UnderAbuse], places: list[str]) -> list[str]:
    """A markdown table: each abuse a row, each place a column of answered and first bytes."""
    lines = [
        f"| held open | {' | '.join(places)} |",
        f"| --- |{' ---: |' * len(places)}",
    ]
    for name in ABUSES:
        cells = [results[name, place] for place in places]
        figures = [
            f"{c.answered} of {c.asked}, median {c.median_first_byte_ms:.1f} ms,"
            f" worst {c.worst_first_byte_ms:.0f} ms"
            for c in cells
        ]
        lines.append(f"| {name} | {' | '.join(figures)} |")
    return lines
