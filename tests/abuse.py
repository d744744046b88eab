"""Hostile clients held open against a real server, and a normal client measured beside them.

Three kinds, as an attacker on the open internet would hold them: idle connections that never
send a byte, slowloris connections that send one header line every couple of seconds and never
finish their request, and slow readers that ask for a large document and read it a byte a
second through a tiny receive window. A connection the server closes is opened again at once,
so the pressure never lets up. Everything runs on loopback, for a bounded time.
"""

from __future__ import annotations

import http.client
import selectors
import socket
import statistics
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

IDLE, SLOWLORIS, SLOW_READER = "idle", "slowloris", "slow reader"
SLOWLORIS_LINE_EVERY = 2.0  # seconds between the header lines of a slowloris connection
SLOW_READ_EVERY = 1.0  # seconds between the single bytes a slow reader takes
TINY_WINDOW = 4096  # bytes: a slow reader's receive buffer


@dataclass
class Hostile:
    kind: str
    sock: socket.socket | None = None
    due: float = 0.0


@dataclass
class Abuse:
    """Counts of hostile connections to hold open, and what the slow readers ask for."""

    idle: int = 100
    slowloris: int = 80
    slow_readers: int = 20
    reader_path: str = "/feeds/issues.atom"


class HostileClients:
    """Holds an Abuse's connections open from one thread until the block ends."""

    def __init__(self, host: str, port: int, abuse: Abuse) -> None:
        self.address = (host, port)
        self.abuse = abuse
        kinds = [IDLE] * abuse.idle + [SLOWLORIS] * abuse.slowloris
        self.clients = [Hostile(kind) for kind in kinds + [SLOW_READER] * abuse.slow_readers]
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HostileClients:
        for client in self.clients:
            self._open(client)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for client in self.clients:
            if client.sock is not None:
                client.sock.close()

    def held(self) -> int:
        """How many of the connections are open right now."""
        return sum(client.sock is not None for client in self.clients)

    def _open(self, client: Hostile) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if client.kind == SLOW_READER:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, TINY_WINDOW)
        sock.settimeout(5)
        try:
            sock.connect(self.address)
            if client.kind == SLOWLORIS:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            elif client.kind == SLOW_READER:
                request = f"GET {self.abuse.reader_path} HTTP/1.1\r\nHost: localhost\r\n\r\n"
                sock.sendall(request.encode())
        except OSError:
            sock.close()
            client.sock = None
            return
        sock.setblocking(False)
        client.sock = sock
        client.due = time.monotonic() + (
            SLOWLORIS_LINE_EVERY if client.kind == SLOWLORIS else SLOW_READ_EVERY
        )

    def _run(self) -> None:
        with selectors.DefaultSelector() as closed:
            while not self._stop.wait(0.05):
                self._tick(closed)

    def _tick(self, selector: selectors.BaseSelector) -> None:
        now = time.monotonic()
        for client in self.clients:
            if client.sock is None or self._closed_by_server(client):
                self.reopened += 1
                self._open(client)
            elif client.kind != IDLE and now >= client.due:
                self._step(client, now)

    def _step(self, client: Hostile, now: float) -> None:
        assert client.sock is not None
        try:
            if client.kind == SLOWLORIS:
                client.sock.send(b"X-Padding: %d\r\n" % int(now))
                client.due = now + SLOWLORIS_LINE_EVERY
            else:
                if client.sock.recv(1) == b"":
                    raise ConnectionResetError
                client.due = now + SLOW_READ_EVERY
        except BlockingIOError:
            client.due = now + SLOW_READ_EVERY
        except OSError:
            client.sock.close()
            client.sock = None

    @staticmethod
    def _closed_by_server(client: Hostile) -> bool:
        """Whether an idle or slowloris connection was closed at the other end (what the
        server may have answered before closing is read by nobody, as an attacker would)."""
        sock = client.sock
        assert sock is not None
        if client.kind == SLOW_READER:
            return False  # its reads find out
        try:
            closed = sock.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            closed = True
        if closed:
            sock.close()
            client.sock = None
        return closed


@dataclass(frozen=True)
class Visit:
    path: str
    status: int  # 0: no answer within the timeout
    first_byte_ms: float
    error: str = ""


@dataclass
class NormalClient:
    """A reader's requests, each on a new connection, timed to the first byte of the answer."""

    host: str
    port: int
    timeout: float = 10.0
    visits: list[Visit] = field(default_factory=list)

    def visit(self, path: str) -> Visit:
        started = time.monotonic()
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                sock.sendall(request.encode())
                first = sock.recv(65536)
                first_byte = time.monotonic() - started
                answer = first
                while chunk := sock.recv(65536):
                    answer += chunk
        except OSError as exc:
            visit = Visit(path, 0, (time.monotonic() - started) * 1000, repr(exc))
        else:
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            visit = Visit(path, status, first_byte * 1000)
        self.visits.append(visit)
        return visit

    def round(self, paths: Sequence[str], times: int, pause: float = 0.05) -> list[Visit]:
        made = []
        for _ in range(times):
            for path in paths:
                made.append(self.visit(path))
                time.sleep(pause)
        return made


def median_first_byte_ms(visits: Sequence[Visit]) -> float:
    return statistics.median(visit.first_byte_ms for visit in visits)


def failures(visits: Sequence[Visit]) -> list[Visit]:
    return [visit for visit in visits if visit.status != 200]


def unique_search_paths(count: int, seed: int = 0) -> list[str]:
    """Search URLs a cache has never seen, each as long as the API allows (about 2 KB once
    percent-encoded): a flood of them tries to fill a worker's memory with kept answers."""
    emoji = quote("\N{GRINNING FACE}" * 180)
    return [f"/api/v1/search?q={emoji}+{seed}x{number}" for number in range(count)]


def flood(host: str, port: int, paths: Sequence[str], connections: int = 4) -> list[int]:
    """GET every path once, over a few kept-alive connections; the statuses, in order."""

    def send(share: Sequence[str]) -> list[int]:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        statuses = []
        for path in share:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()
        return statuses

    shares = [paths[start::connections] for start in range(connections)]
    with ThreadPoolExecutor(max_workers=connections) as pool:
        return [status for statuses in pool.map(send, shares) for status in statuses]
