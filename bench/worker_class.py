"""`python -m bench.worker_class`: gunicorn's sync, gthread and gevent workers, to choose.

The service over a 100-issue store runs under each worker class with `briefing serve`'s worker
count; wrk loads the feed and an API page, answered 200 and 304, both with keep-alive clients
(wrk's default: sync closes every connection, the others keep them) and with one connection
per request (independent pollers). Rounds are interleaved; each figure is the median of the
rounds, beside the CPU time the server spent per request, which other load on the machine
disturbs less than the rate. Then, for each class, a reader's requests while idle, slowloris
and slow-reading connections are held open (bench/abuse.py). The "Worker class" section of
bench/results.md is rewritten (`make bench` keeps it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import statistics
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.abuse import UnderAbuse, reader_under_abuse
from bench.run import (
    API_PAGE,
    BRIEFING,
    FEED,
    HERE,
    WORKER_CLASS,
    Server,
    etag_of,
    load,
    load_options,
    make_store,
    requests_per_second,
    servers_stopped,
)
from bench.run import start as start_server
from service import gunicorn_conf
from tests.abuse import Abuse

CLASSES = {
    "sync": ("sync", 1),
    "gthread, 4 threads": ("gthread", 4),
    "gevent": ("gevent", 1),
}
ABUSE_ROUNDS = 3
ABUSE_TIMEOUT = 5.0  # seconds a reader waits for an answer


@dataclass
class Load:
    server: Server
    path: str
    headers: dict[str, str]
    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # µs of server CPU time per request


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cpu_seconds(server: Server) -> float:
    """CPU time used so far by the gunicorn master and its workers, those replaced included."""
    master = server.process.pid
    ticks = sum(times(master, "utime", "stime", "cutime", "cstime"))  # c: reaped workers
    for worker in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError):  # exited, and counted once reaped
            ticks += sum(times(int(worker), "utime", "stime"))
    return ticks / os.sysconf("SC_CLK_TCK")


def times(pid: int, *names: str) -> list[int]:
    """Fields of /proc/PID/stat, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    columns = {"utime": 11, "stime": 12, "cutime": 13, "cstime": 14}
    return [int(fields[columns[name]]) for name in names]


def run_wrk(job: Load, seconds: int, connections: int) -> None:
    used = cpu_seconds(job.server)
    what = f"{job.server.name} {job.path}"
    output = load(job.server.url(job.path), job.headers, seconds, connections, what)
    used = cpu_seconds(job.server) - used
    requests = re.search(r"(\d+) requests in", output)
    assert requests, output
    job.rates.append(requests_per_second(output))
    job.cpu.append(used / int(requests.group(1)) * 1e6)


def main() -> None:
    parser = load_options(__doc__)
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as scratch:
        section = measure(args, Path(scratch))
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    kept = previous[: previous.index(WORKER_CLASS)] if WORKER_CLASS in previous else previous
    args.out.write_text(kept.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    print(section)


def measure(args: argparse.Namespace, work: Path) -> str:
    store = make_store(work, 100)
    servers: list[Server] = []
    loads: dict[tuple[str, str], Load] = {}
    with servers_stopped(servers):
        for name, (worker_class, threads) in CLASSES.items():
            with environment(BRIEFING_WORKER_CLASS=worker_class, BRIEFING_THREADS=str(threads)):
                command = [str(BRIEFING), "serve", "--store", str(store)]
                server = start_server(name, command, args.workers, work / "servers.log", FEED)
            servers.append(server)
            for path in (FEED, API_PAGE):
                etag = {"If-None-Match": etag_of(server, path)}
                for clients, close in (
                    ("keep-alive", {}),
                    ("new connection", {"Connection": "close"}),
                ):
                    for status, headers in (("200", {}), ("304", etag)):
                        what = f"{'feed' if path == FEED else 'API page'} {status}, {clients}"
                        loads[name, what] = Load(server, path, {**close, **headers})
        for round_number in range(args.rounds):
            for job in loads.values():
                run_wrk(job, args.seconds, args.connections)
            print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)
        abused = {
            server.name: reader_under_abuse(server.port, Abuse(), ABUSE_ROUNDS, ABUSE_TIMEOUT)
            for server in servers
        }
    return report(args, loads, abused)


def report(
    args: argparse.Namespace, loads: dict[tuple[str, str], Load], abused: dict[str, UnderAbuse]
) -> str:
    names = list(CLASSES)
    requests = list(dict.fromkeys(what for _, what in loads))
    lines = [
        WORKER_CLASS,
        "",
        f"`python -m bench.worker_class`: {os.cpu_count()} cores, {args.workers} workers for each"
        f" class, wrk with {args.connections} connections, {args.rounds} interleaved rounds of"
        f" {args.seconds} s, medians: requests/s, and in brackets the server's CPU time per"
        " request in µs.",
        "",
        f"| request, clients | {' | '.join(names)} |",
        f"| --- |{' ---: |' * len(names)}",
    ]
    for what in requests:
        cells = [loads[name, what] for name in names]
        figures = [
            f"{statistics.median(c.rates):,.0f} ({statistics.median(c.cpu):.0f})" for c in cells
        ]
        lines.append(f"| {what} | {' | '.join(figures)} |")
    abuse = Abuse()
    answers = [
        f"{a.answered} of {a.asked}, {a.median_first_byte_ms:,.0f} ms"
        for a in (abused[name] for name in names)
    ]
    chosen = f"`{gunicorn_conf.worker_class}`, keep-alive {gunicorn_conf.keepalive} s"
    if gunicorn_conf.worker_class == gunicorn_conf.WORKER_CLASSES["gthread"]:
        chosen += f", {gunicorn_conf.threads} threads"
    lines += [
        "",
        f"A reader beside {abuse.idle} idle, {abuse.slowloris} slowloris and"
        f" {abuse.slow_readers} slow-reading connections: requests answered 200 (each given"
        f" {ABUSE_TIMEOUT:.0f} s), median first byte.",
        "",
        f"| | {' | '.join(names)} |",
        f"| --- |{' ---: |' * len(names)}",
        f"| answered, median first byte | {' | '.join(answers)} |",
        "",
        f"Chosen: {chosen}; the reasons are beside it in service/gunicorn_conf.py.",
        "",
        f"Command: `{shlex.join(['python', '-m', 'bench.worker_class', *sys.argv[1:]])}`",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
