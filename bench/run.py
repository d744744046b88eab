"""`make bench`: the service's throughput as ratios to baselines measured in the same run.

Every server runs under gunicorn with the service's settings and the same worker count;
wrk loads one at a time, the targets interleaved round by round, and each figure is the
median of the rounds. Past one machine, nginx on deploy/nginx.conf in front of the service is
measured against the same nginx serving the feed's bytes as a static file. Results go to
bench/results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import search
from bench.abuse import (
    ABUSES,
    ALL_AT_ONCE,
    abuse_table,
    flooded_resident_mb,
    reader_under_abuse,
    resident_mb,
)
from service.config import Defaults, default_workers
from tests.nginx import ProxyFiles, launch
from tests.revalidation import feed_documents, record, revalidate, served_after_rename

HERE = Path(__file__).resolve().parent
BRIEFING = Path(sys.executable).with_name("briefing")
FEED = "/feeds/issues.atom"
API_PAGE = "/api/v1/issues"
SETTLE_SECONDS = 1.5
# Headers every baseline sends too, or that gunicorn adds to every answer.
BASELINES_SEND = {"content-type", "content-length", "server", "date", "connection"}
# A bare WSGI hello's requests/s on the machine where the budgets in ms and s hold.
REFERENCE_HELLO = 10_000
WORKER_CLASS = "## Worker class"
Figure = tuple[str, float | str, str]  # what, its value (a ratio, a time or counts), its budget


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    started: float
    first_answer: float | None = None

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass
class Target:
    """One thing to load: a server, a path, the headers a poller would send."""

    name: str
    server: Server
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def start(name: str, command: list[str], workers: int, log: Path, probe: str = "/") -> Server:
    port = free_port()
    command = [*command, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with log.open("ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output, cwd=HERE.parent)
    return answering(Server(name, process, port, time.monotonic()), probe, log)


def answering(server: Server, probe: str, log: Path) -> Server:
    """The server, once it answers probe with a 200 (and when it first did)."""
    deadline = server.started + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if get(server.port, probe).status == 200:
                server.first_answer = time.monotonic() - server.started
                return server
        if server.process.poll() is not None:
            break
        time.sleep(0.01)
    raise SystemExit(f"{server.name} did not answer {probe}: see {log}")


def proxy_and_static(work: Path, origin: Server, feed: bytes) -> tuple[Server, Server]:
    """One nginx: deploy/nginx.conf in front of origin, and beside it a server block that
    serves the feed's bytes as a static file at the same path."""
    static_root = work / "static"
    static_file = static_root / FEED.lstrip("/")
    static_file.parent.mkdir(parents=True)
    static_file.write_bytes(feed)
    proxy_port = free_port()
    static_port = free_port()
    while static_port == proxy_port:
        static_port = free_port()
    static_server = f"""
    server {{
        listen 127.0.0.1:{static_port};
        root {static_root};
        default_type application/atom+xml;
    }}
"""
    files = ProxyFiles(work / "nginx")
    origins = [f"127.0.0.1:{origin.port}"]
    # wrk and the abuse clients are one address, far past the per-client limits: counted, not
    # enforced (tests/nginx.py), so that the figures are the proxy's and not its 429s.
    listen = f"127.0.0.1:{proxy_port}"
    process = launch(files, listen, origins, static_server, enforce_limits=False)
    started = time.monotonic()
    proxy = Server("nginx proxy cache, feed", process, proxy_port, started)
    static = Server("nginx static file, feed's bytes", process, static_port, started)
    answering(proxy, FEED, files.error_log)
    if get(proxy_port, FEED).headers["X-Cache"] != "HIT":
        raise SystemExit(f"nginx did not keep {FEED} in its cache: see {files.root}")
    return proxy, answering(static, FEED, files.error_log)


def baseline(name: str, call: str, workers: int, log: Path) -> Server:
    return start(name, [sys.executable, "-m", "bench.serve", call], workers, log)


def load(url: str, headers: dict[str, str], seconds: int, connections: int, what: str) -> str:
    """Run wrk against url; its report, or exit if any request failed."""
    header_args = [arg for key, value in headers.items() for arg in ("-H", f"{key}: {value}")]
    # A 10 s timeout: the naive baseline renders on every request, and under gevent one
    # worker may hold many of wrk's connections, so its slowest answers take seconds.
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        *header_args,
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise SystemExit(f"errors while loading {what}:\n{output}")
    return output


def requests_per_second(output: str) -> float:
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    return float(match.group(1))


def wrk(target: Target, seconds: int, connections: int) -> float:
    url = target.server.url(target.path)
    return requests_per_second(load(url, target.headers, seconds, connections, target.name))


def etag_of(server: Server, path: str) -> str:
    return get(server.port, path).headers["ETag"]


def own_headers(server: Server, path: str) -> list[tuple[str, str]]:
    """The headers the service sends with a document, but for those every baseline sends
    (Content-Type, Content-Length) and those gunicorn adds."""
    sent = get(server.port, path).getheaders()
    return [(name, value) for name, value in sent if name.lower() not in BASELINES_SEND]


def size_of(server: Server, path: str) -> int:
    return len(fetch(server, path))


def fetch(server: Server, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", path)
    body = connection.getresponse().read()
    connection.close()
    return body


def search_latency_ms(server: Server, words: list[str]) -> float:
    """Median latency of searches the cache has not seen, one at a time, once every worker has
    answered a first search."""
    timings = []
    for index, word in enumerate(words):
        path = f"/api/v1/search?q={word}&per_page={1 + index % 20}"
        started = time.perf_counter()
        assert get(server.port, path).status == 200
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


@contextlib.contextmanager
def servers_stopped(servers: list[Server]) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()


def flood_size(workers: int) -> int:
    """Unique search URLs enough to fill every worker's response cache one and a half times,
    at about 10 KB of key and headers each."""
    return int(1.5 * workers * Defaults.CACHE_MAX_BYTES / 10_000)


def make_store(work: Path, issues: int, store: Path | None = None) -> Path:
    """Demo content of `issues` issues built into store (by default a new one of its own)."""
    content, store = work / f"content-{issues}", store or work / f"store-{issues}.sqlite3"
    for args in (
        ["demo-content", "--issues", str(issues), "--out", str(content)],
        ["build", str(content), "--store", str(store)],
    ):
        subprocess.run([str(BRIEFING), *args], check=True, stdout=subprocess.DEVNULL)
    return store


def revalidated_after_rebuild(work: Path, server: Server, store: Path, issues: int) -> str:
    """A poller reads every feed document of the store that server serves, which is then
    rebuilt in place with one issue more, and asks again with the ETags: how many documents
    kept their bytes, and how many of those answered 304. A changed one answering 304 is
    stale: it stops the run."""
    recorded = record(server.url(""), feed_documents(store), "gzip")
    make_store(work, issues + 1, store)
    served_after_rename(server.url(""), store, Defaults.STORE_CHECK_INTERVAL)
    documents = revalidate(server.url(""), recorded, "gzip")
    stale = [
        document.path
        for document in documents
        if not document.unchanged and document.revalidated.status == 304
    ]
    if stale:
        raise SystemExit(f"changed documents answered 304 after the rebuild: {stale}")
    unchanged = [document for document in documents if document.unchanged]
    answered = sum(document.revalidated.status == 304 for document in unchanged)
    return f"{len(unchanged)}, {answered}"


def load_options(description: str | None) -> argparse.ArgumentParser:
    """The options of every load run: how long, how often, how many connections and workers."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=default_workers())
    return parser


def main() -> None:
    parser = load_options(__doc__)
    parser.add_argument(
        "--issues", type=int, nargs=2, default=[100, 10_000], metavar=("SMALL", "LARGE")
    )
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as scratch:
        measure(args, Path(scratch))
    print(args.out.read_text())


def measure(args: argparse.Namespace, work: Path) -> None:
    small, large = args.issues
    log = work / "servers.log"
    stores = {n: make_store(work, n) for n in (small, large)}
    servers: list[Server] = []
    with servers_stopped(servers):

        def up(server: Server) -> Server:
            servers.append(server)
            return server

        service = {
            n: up(
                start(
                    f"service, {n} issues",
                    [str(BRIEFING), "serve", "--store", str(store)],
                    args.workers,
                    log,
                    probe=FEED,
                )
            )
            for n, store in stores.items()
        }
        feed = fetch(service[small], FEED)
        feed_size, api_size = len(feed), size_of(service[small], API_PAGE)
        feed_headers = own_headers(service[small], FEED)
        base = {
            "bytes-feed": up(
                baseline(
                    "bare WSGI, feed's bytes", f"prepared_bytes({feed_size})", args.workers, log
                )
            ),
            "headers-feed": up(
                baseline(
                    "bare WSGI, feed's bytes and headers",
                    f"prepared_bytes({feed_size}, {feed_headers!r})",
                    args.workers,
                    log,
                )
            ),
            "bytes-api": up(
                baseline(
                    "bare WSGI, API page's bytes", f"prepared_bytes({api_size})", args.workers, log
                )
            ),
            "hello": up(baseline("bare WSGI hello", "hello()", args.workers, log)),
            "flask-feed": up(
                baseline("bare Flask, feed's bytes", f"bare_flask({feed_size})", args.workers, log)
            ),
            "flask-api": up(
                baseline(
                    "bare Flask, API page's bytes", f"bare_flask({api_size})", args.workers, log
                )
            ),
        }
        naive = up(
            start(
                "naive feedgen per request",
                [sys.executable, "-m", "bench.serve", f"naive_feed({str(stores[small])!r})"],
                args.workers,
                log,
                probe=FEED,
            )
        )
        proxy, static = proxy_and_static(work, service[small], feed)
        up(proxy)  # the static server block is the same nginx process
        targets = {}
        for n, server in service.items():
            for name, path in (("feed", FEED), ("api", API_PAGE)):
                targets[f"{name}-200-{n}"] = Target(f"{name} 200, {n} issues", server, path)
                etag = etag_of(server, path)
                targets[f"{name}-304-{n}"] = Target(
                    f"{name} 304, {n} issues", server, path, {"If-None-Match": etag}
                )
        for key, server in base.items():
            targets[key] = Target(server.name, server)
        targets["proxy-feed"] = Target(f"{proxy.name} (HIT), {small} issues", proxy, FEED)
        targets["static-feed"] = Target(static.name, static, FEED)
        # Still last: its server works off queued requests for a moment after wrk stops.
        targets["naive"] = Target(naive.name, naive, FEED)
        for round_number in range(args.rounds):
            for target in targets.values():
                target.rates.append(wrk(target, args.seconds, args.connections))
                # A slow server is still answering wrk's last queued requests after it stops:
                # let that finish, or the next target is measured against its leftovers.
                time.sleep(SETTLE_SECONDS)
            print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)
        memory = max(size for s in service.values() for size in resident_mb(s.process.pid))
        places = {"briefing serve": service[small].port, "behind nginx": proxy.port}
        abused = {
            (name, place): reader_under_abuse(port, abuse)
            for name, abuse in ABUSES.items()
            for place, port in places.items()
        }
        flood_urls = flood_size(args.workers)
        flooded = flooded_resident_mb(service[small].port, service[small].process.pid, flood_urls)
        words = [
            "community",
            "groups",
            "council",
            "policy",
            "funding",
            "report",
            "survey",
            "local",
            "grant",
            "trust",
            "network",
            "support",
            "review",
            "evidence",
        ] * 3
        search.warm_up(service[large].port, "/api/v1/search")
        search_ms = search_latency_ms(service[large], words)
        worst = search.worst_search(service[large].port)
        first_answer = max(server.first_answer or 0.0 for server in service.values())
        # Last: it rebuilds the small store under its service.
        after_rebuild = revalidated_after_rebuild(work, service[small], stores[small], small)
    rate = {key: target.rate for key, target in targets.items()}
    figures: list[Figure] = [
        (
            "feed 200 ÷ bare WSGI, same bytes",
            rate[f"feed-200-{small}"] / rate["bytes-feed"],
            "≥ 0.9",
        ),
        (
            "bare WSGI with the feed's other headers ÷ without them, same bytes",
            rate["headers-feed"] / rate["bytes-feed"],
            "reported",
        ),
        (
            "feed 200 ÷ bare WSGI, same bytes and headers",
            rate[f"feed-200-{small}"] / rate["headers-feed"],
            "reported",
        ),
        ("feed 304 ÷ bare WSGI hello", rate[f"feed-304-{small}"] / rate["hello"], "≥ 0.9"),
        (
            "API page 200 ÷ bare WSGI, same bytes",
            rate[f"api-200-{small}"] / rate["bytes-api"],
            "≥ 0.9",
        ),
        ("API page 304 ÷ bare WSGI hello", rate[f"api-304-{small}"] / rate["hello"], "≥ 0.9"),
        (
            "feed behind the nginx proxy ÷ nginx static file, same bytes",
            rate["proxy-feed"] / rate["static-feed"],
            "≥ 0.8",
        ),
        ("feed 200 ÷ bare Flask view", rate[f"feed-200-{small}"] / rate["flask-feed"], "reported"),
        (
            "API page 200 ÷ bare Flask view",
            rate[f"api-200-{small}"] / rate["flask-api"],
            "reported",
        ),
        (
            "feed 200 ÷ naive feedgen per request",
            rate[f"feed-200-{small}"] / rate["naive"],
            "≈ 3–4 ×",
        ),
        (
            f"feed 200 at {large} ÷ at {small} issues",
            rate[f"feed-200-{large}"] / rate[f"feed-200-{small}"],
            "≥ 0.9",
        ),
        (
            f"API 200 at {large} ÷ at {small} issues",
            rate[f"api-200-{large}"] / rate[f"api-200-{small}"],
            "≥ 0.9",
        ),
    ]
    abuse = ABUSES[ALL_AT_ONCE]
    direct, proxied = abused[ALL_AT_ONCE, "briefing serve"], abused[ALL_AT_ONCE, "behind nginx"]
    held = f"{abuse.idle} idle, {abuse.slowloris} slowloris, {abuse.slow_readers} slow readers"
    scale = max(1.0, REFERENCE_HELLO / rate["hello"])
    extra: list[Figure] = [
        (f"search at {large} issues, median ms", search_ms, time_budget(10, scale)),
        (f"costliest search at {large} issues, ms", worst.ms, time_budget(50, scale)),
        ("costliest search ÷ typical, same endpoint", worst.ratio, "≤ 5 ×"),
        ("first response after start, s", first_answer, time_budget(1.5, scale)),
        ("resident memory per worker, max MB", memory, "< 150"),
        (f"reader beside {held}: share answered 200", direct.success, "1.00"),
        (
            f"reader beside {held}: median first byte, ms",
            direct.median_first_byte_ms,
            time_budget(50, scale),
        ),
        ("the same behind nginx: share answered 200", proxied.success, "1.00"),
        (
            "the same behind nginx: median first byte, ms",
            proxied.median_first_byte_ms,
            time_budget(50, scale),
        ),
        (f"resident memory per worker after {flood_urls:,} unique URLs, max MB", flooded, "< 150"),
        (
            "after a rebuild adding one issue: documents unchanged, of which answered 304",
            after_rebuild,
            "all",
        ),
    ]
    note = (
        f" A bare WSGI hello answered {rate['hello']:,.0f} requests/s here, against the"
        f" {REFERENCE_HELLO:,} for which the budgets in ms and s are set: they are stretched"
        f" × {scale:.2f}."
        if scale > 1
        else ""
    )
    under_abuse = [
        "## Under abuse",
        "",
        "A reader's requests, each on a new connection, while hostile connections are held open"
        " and reopened as soon as they are dropped (bench/abuse.py): answered 200 of asked,"
        " first byte. nginx runs `deploy/nginx.conf` in front of the same service, its"
        " request limits counted but not enforced.",
        "",
        *abuse_table(abused, list(places)),
        "",
        f"## The costliest searches at {large} issues",
        "",
        "Each endpoint's costliest answer to the texts, pages and page sizes of bench/search.py,"
        " and its median typical one-word search, 1 to 14 items a page, neither cached.",
        "",
        "| endpoint | typical, ms | costliest, ms | ÷ typical | costliest search |",
        "| --- | ---: | ---: | ---: | --- |",
        *[
            f"| `{cost.endpoint}` | {cost.typical_ms:.2f} | {cost.ms:.2f} | {cost.ratio:.2f}"
            f" | `{shorter(cost.url)}` |"
            for cost in worst.endpoints
        ],
    ]
    write_results(args, targets, figures + extra, feed_size, api_size, note, under_abuse)


def shorter(url: str, most: int = 120) -> str:
    """A URL cut to `most` characters, the cut marked."""
    return url if len(url) <= most else url[: most - 1] + "…"


def figure(value: float | str) -> str:
    """A ratio or a time to two places; counts as they are."""
    return value if isinstance(value, str) else f"{value:.2f}"


def time_budget(limit: float, scale: float) -> str:
    """A budget in ms or s, stretched on a machine slower than the one it is set for."""
    return f"< {limit:g}" if scale == 1 else f"< {limit * scale:.3g} ({limit:g} × {scale:.2f})"


def write_results(
    args: argparse.Namespace,
    targets: dict[str, Target],
    figures: list[Figure],
    feed_size: int,
    api_size: int,
    note: str,
    sections: list[str],
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` on {dt.date.today().isoformat()}: {os.cpu_count()} cores, {args.workers}"
        f" gunicorn workers for every server, wrk with {args.connections} connections,"
        f" {args.rounds} interleaved rounds of {args.seconds} s, medians. Feed"
        f" `{FEED}` is {feed_size} bytes, API page `{API_PAGE}` {api_size} bytes."
        " nginx runs `deploy/nginx.conf` (worker_processes auto) in front of the"
        f" {args.issues[0]}-issue service, with its per-client request limits counted but not"
        " enforced (`limit_req_dry_run`: wrk is one client, far past them); its static file is"
        " served by the same nginx." + note,
        "",
        "| figure | value | budget |",
        "| --- | ---: | --- |",
        *[f"| {name} | {figure(value)} | {budget} |" for name, value, budget in figures],
        "",
        "| server, request | requests/s (median) | rounds |",
        "| --- | ---: | --- |",
        *[
            f"| {t.name} | {t.rate:,.0f} | {', '.join(f'{r:,.0f}' for r in t.rates)} |"
            for t in targets.values()
        ],
        "",
        *sections,
        "",
        f"Command: `{shlex.join(['python', '-m', 'bench.run', *sys.argv[1:]])}`",
        "",
    ]
    # bench/worker_class.py writes the section from its heading on: keep it.
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    kept = "\n" + previous[previous.index(WORKER_CLASS) :] if WORKER_CLASS in previous else ""
    args.out.write_text("\n".join(lines) + kept, encoding="utf-8")


if __name__ == "__main__":
    main()
