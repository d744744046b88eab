"""Load on a real server from client threads, every answer kept for the test to judge."""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# A client's headers for its next request to a path, given the last answer it had there.
Headers = Callable[[str, "Answer | None"], dict[str, str]]


@dataclass(frozen=True)
class Answer:
    path: str
    sent: float  # time.monotonic() when the request went out
    status: int  # 0: no HTTP answer (the error says why)
    received: float = 0.0  # time.monotonic() when the whole answer had come
    body: bytes = b""  # after a 304, the copy the client had and goes on showing
    etag: str | None = None
    error: str | None = None


def plain(path: str, last: Answer | None) -> dict[str, str]:
    """A client that asks for everything in full every time."""
    return {}


def revalidating(path: str, last: Answer | None) -> dict[str, str]:
    """A feed reader: asks again with the ETag of what it already has."""
    return {"If-None-Match": last.etag} if last is not None and last.etag else {}


class Load:
    """Client threads, each on its own kept-alive connection, going round `paths` until stopped.

    A connection that fails is opened again for the next request, as a reader would.
    """

    def __init__(self, url: str, paths: Sequence[str], clients: Sequence[Headers]) -> None:
        self.address = urlsplit(url).netloc
        self.paths = paths
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(number, headers), daemon=True)
            for number, headers in enumerate(clients)
        ]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def run_until(self, moment: float) -> None:
        """Wait while the clients go on until time.monotonic() reaches `moment`."""
        while time.monotonic() < moment:
            time.sleep(0.05)

    def since(self, moment: float) -> list[Answer]:
        return [answer for answer in list(self.answers) if answer.sent >= moment]

    def _client(self, number: int, headers: Headers) -> None:
        connection = http.client.HTTPConnection(self.address, timeout=10)
        last: dict[str, Answer] = {}
        start = number * 7 % len(self.paths)  # clients start at different places of the round
        for path in itertools.islice(itertools.cycle(self.paths), start, None):
            if self._stop.is_set():
                break
            answer = self._get(connection, path, headers(path, last.get(path)))
            if answer.status == 0:
                connection.close()  # opened again by the next request
            elif answer.status == 200:
                last[path] = answer
            elif answer.status == 304:  # the client goes on showing the copy it has
                answer = dataclasses.replace(answer, body=last[path].body)
            self.answers.append(answer)
        connection.close()

    @staticmethod
    def _get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> Answer:
        sent = time.monotonic()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            return Answer(path, sent, 0, time.monotonic(), error=repr(exc))
        etag = response.getheader("ETag")
        return Answer(path, sent, response.status, time.monotonic(), body, etag)


def failed(answers: Sequence[Answer], allowed: Sequence[int] = (200, 304)) -> list[Answer]:
    return [answer for answer in answers if answer.status not in allowed]


def summary(answers: Sequence[Answer]) -> str:
    """Answers counted by status, for a failure message or the test's output."""
    counts: dict[int, int] = {}
    for answer in answers:
        counts[answer.status] = counts.get(answer.status, 0) + 1
    return ", ".join(
        f"{count} x {status or 'no answer'}" for status, count in sorted(counts.items())
    )


def workers(master_pid: int) -> list[int]:
    """The process ids of a gunicorn master's workers."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()  # after "pid (command)"
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master_pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def memory_kib(pid: int) -> int:
    """A process's proportional set size (shared pages split among their users), in KiB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise LookupError(f"no Pss in /proc/{pid}/smaps_rollup")
