"""End to end under the real gunicorn settings: access log, request ids, /metrics, restarts."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.store import Store
from tests.factories import REPO, ContentTree
from tests.servers import Server, StartServer, access_log, wait_until

FEED = "/feeds/issues.atom"
FEED_ROUTE = "/feeds/<name>.<extension>"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
COUNTED_WITHIN = 5  # seconds; each worker adds its counts to the series once a second


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(server: Server, path: str, headers: dict[str, str] | None = None) -> Answer:
    """GET path on its own connection, any status, with headers sent exactly as given."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server.url).netloc, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def logged(server: Server, request_id: str) -> dict[str, object]:
    """The access log line of the request with this id, once gunicorn has written it."""
    wait_until(
        lambda: any(line["request_id"] == request_id for line in access_log(server)),
        5,
        f"access log line for {request_id}",
    )
    return next(line for line in access_log(server) if line["request_id"] == request_id)


def samples(server: Server) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """/metrics as {(sample name, labels): value}."""
    answer = request(server, "/metrics")
    assert answer.status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.body.decode())
        for sample in family.samples
    }


def count(server: Server, route: str, status: str) -> float:
    key = ("briefing_http_requests_total", frozenset({("route", route), ("status", status)}))
    return samples(server).get(key, 0.0)


def counted(server: Server) -> dict[str, float]:
    return {status: count(server, FEED_ROUTE, status) for status in ("200", "304")}


def workers_counted(server: Server) -> float:
    return samples(server)["briefing_workers", frozenset()]


def pids_answering(server: Server, path: str) -> set[int]:
    return {line["pid"] for line in access_log(server) if line["path"] == path}


@pytest.fixture
def served(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> Callable[..., tuple[Server, Store]]:
    """A two-issue store served by `briefing serve` (two workers)."""

    def serve(start_server: StartServer, **env: str) -> tuple[Server, Store]:
        content.issue("2011-01-12")
        content.issue("2011-01-26")
        store = build_store(content)
        return start_server(**env), store

    return serve


def test_access_log_is_one_json_line_per_request(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    answer = request(server, f"{FEED}?probe=1", {"X-Request-Id": "log-line-probe"})
    line = logged(server, "log-line-probe")
    assert line["method"] == "GET"
    assert line["path"] == FEED
    assert line["query"] == "probe=1"
    assert line["status"] == answer.status == 200
    assert line["bytes"] == len(answer.body)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_request_id_is_echoed(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    answer = request(server, "/api/v1/issues", {"X-Request-Id": "partner-7:a1b2.C3"})
    assert answer.headers["X-Request-Id"] == "partner-7:a1b2.C3"


def test_request_id_is_generated_for_each_request_without_one(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    first, second = request(server, FEED), request(server, FEED)
    assert GENERATED_ID.fullmatch(first.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert logged(server, first.headers["X-Request-Id"])["status"] == 200


@pytest.mark.parametrize(
    "hostile",
    ['x" , "status": 500', "two words", "a" * 129, "caf\xe9", "<script>", "{}"],
)
def test_hostile_request_id_is_replaced(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer, hostile: str
) -> None:
    server, _ = served(start_server)
    answer = request(server, FEED, {"X-Request-Id": hostile})
    assert answer.status == 200
    assert GENERATED_ID.fullmatch(answer.headers["X-Request-Id"])
    assert logged(server, answer.headers["X-Request-Id"])["path"] == FEED


def test_response_cache_answers_carry_the_request_id(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    etag = request(server, FEED).headers["ETag"]
    answer = request(server, FEED, {"If-None-Match": etag, "X-Request-Id": "poller-304"})
    assert answer.status == 304
    assert answer.headers["X-Request-Id"] == "poller-304"


def test_metrics_add_up_the_requests_of_every_worker(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    etag = request(server, FEED).headers["ETag"]
    made = {"200": 1, "304": 0}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(50):  # until both workers have answered, or a failure after 50 rounds
            headers = [{}, {"If-None-Match": etag}] * 4
            for answer in pool.map(lambda sent: request(server, FEED, sent), headers):
                made[str(answer.status)] += 1
            wait_until(
                lambda: (
                    sum(1 for line in access_log(server) if line["path"] == FEED)
                    == sum(made.values())
                ),
                5,
                "every feed request in the access log",
            )
            if len(pids_answering(server, FEED)) == 2:
                break
    assert len(pids_answering(server, FEED)) == 2, "one worker answered every request"
    wait_until(lambda: counted(server) == made, COUNTED_WITHIN, "every request counted")
    assert made["304"] > 0


def feedly(count: int) -> str:
    return f"Feedly/1.0 (+http://www.feedly.com/fetcher.html; {count} subscribers; )"


def subscribers(server: Server) -> dict[tuple[str, str], float]:
    """/metrics' subscriber counts as {(feed, fetcher): count}."""
    return {
        (dict(labels)["feed"], dict(labels)["fetcher"]): value
        for (name, labels), value in samples(server).items()
        if name == "briefing_feed_subscribers"
    }


def answered_amid_others(
    server: Server, pool: ThreadPoolExecutor, sent: list[tuple[str, dict[str, str]]]
) -> list[int]:
    """GET each (path, headers) at once with as many plain feed requests, so that any worker may
    take any of them: the pids that answered those sent (each has an X-Request-Id)."""
    requests = [*sent, *[(FEED, {})] * len(sent)]
    answers = list(pool.map(lambda sending: request(server, *sending), requests))
    assert {answer.status for answer in answers} <= {200, 304}
    return [int(str(logged(server, headers["X-Request-Id"])["pid"])) for _, headers in sent]


def test_metrics_report_the_latest_subscriber_count_whichever_worker_took_it(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    etag = request(server, FEED).headers["ETag"]
    takers: list[int] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Falling counts: the latest is neither the largest nor a sum of the workers' latest.
        for count in range(200, 100, -1):
            report = {"User-Agent": feedly(count), "X-Request-Id": f"feedly-{count}"}
            if count % 2:
                report["If-None-Match"] = etag  # answered 304 from the response cache
            takers += answered_amid_others(server, pool, [(FEED, report)])
            assert subscribers(server)[FEED, "Feedly"] == count
            if sum(a != b for a, b in zip(takers, takers[1:], strict=False)) >= 4:
                break
    assert len(set(takers)) == 2, "one worker took every report"


OTHER_READERS = [  # feed, fetcher, what it sends, the subscribers that says
    (
        "/feeds/issues.atom",
        "Inoreader",
        "Mozilla/5.0 (compatible; inoreader.com; 7 subscribers)",
        7,
    ),
    (
        "/feeds/issues.rss",
        "NewsBlur",
        "NewsBlur Feed Fetcher - 5 subscribers - https://www.newsblur.com/site/4/test (Mozilla)",
        5,
    ),
    (
        "/feeds/articles.json",
        "The Old Reader",
        "Mozilla/5.0 (compatible; theoldreader.com; 2 subscribers; feed-id=0719795c4d27c784)",
        2,
    ),
]


def test_metrics_add_up_the_subscriptions_each_worker_took(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    started = time.time()
    expected = {(feed, fetcher): float(count) for feed, fetcher, _, count in OTHER_READERS}
    others = [(feed, {"User-Agent": user_agent}) for feed, _, user_agent, _ in OTHER_READERS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for round_ in range(1, 51):  # two new Feedbin subscriptions a round, until split
            feedbin = [
                (FEED, {"User-Agent": f"Feedbin feed-id:{2 * round_ + n} - {count} subscribers"})
                for n, count in enumerate((3, 13))
            ]
            sent = [
                (path, {**headers, "X-Request-Id": f"round-{round_}-{n}"})
                for n, (path, headers) in enumerate([*feedbin, *others])
            ]
            takers = answered_amid_others(server, pool, sent)
            assert subscribers(server) == {**expected, (FEED, "Feedbin"): 16.0 * round_}
            if takers[0] != takers[1]:
                break
    assert takers[0] != takers[1], "one worker took both Feedbin reports of every round"
    last_reports = {
        dict(labels)["fetcher"]: value
        for (name, labels), value in samples(server).items()
        if name == "briefing_feed_subscribers_last_report_timestamp_seconds"
    }
    assert set(last_reports) == {"Feedbin", "Inoreader", "NewsBlur", "The Old Reader"}
    assert all(started <= at <= time.time() for at in last_reports.values())


def test_metrics_histogram_has_every_request_in_its_buckets(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    for _ in range(5):
        request(server, "/api/v1/issues")
    route = frozenset({("route", "/api/v1/issues")})
    count_key = ("briefing_http_request_duration_seconds_count", route)
    wait_until(lambda: samples(server).get(count_key) == 5, COUNTED_WITHIN, "5 in the histogram")
    found = samples(server)
    buckets = sorted(
        (float(dict(labels)["le"]), value)
        for (name, labels), value in found.items()
        if name == "briefing_http_request_duration_seconds_bucket"
        and dict(labels)["route"] == "/api/v1/issues"
    )
    assert found["briefing_http_request_duration_seconds_sum", route] > 0
    assert [value for _, value in buckets] == sorted(value for _, value in buckets)
    assert buckets[-1] == (float("inf"), 5)


def test_metrics_report_the_store_in_service(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, store = served(start_server)
    answer = request(server, "/metrics")
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    assert answer.headers["Cache-Control"] == "no-store"
    found = samples(server)
    version = frozenset({("content_version", store.content_version)})
    assert found["briefing_store_info", version] == 1
    assert found["briefing_store_ready", frozenset()] == 1
    assert found["briefing_store_issues", frozenset()] == 2
    assert 0 <= found["briefing_store_age_seconds", frozenset()] < 600


def test_metrics_count_the_live_workers(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server)
    wait_until(lambda: workers_counted(server) == 2, 10, "both workers counted")

    def scrapers() -> list[int]:  # gunicorn logs a request once its answer is sent
        return [line["pid"] for line in access_log(server) if line["path"] == "/metrics"]

    wait_until(lambda: bool(scrapers()), 5, "the scrape in the access log")
    worker = scrapers()[0]
    os.kill(worker, signal.SIGKILL)

    def replacement_answers() -> bool:
        request(server, "/healthz")
        return len({line["pid"] for line in access_log(server)}) == 3

    wait_until(replacement_answers, 10, "an answer from the replacement worker")
    wait_until(lambda: workers_counted(server) == 2, 5, "the killed worker uncounted")


def test_metrics_say_not_ready_without_a_store(app: Any) -> None:
    # `briefing serve` refuses to start without a store; an app started otherwise may lack one.
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200
    found = {
        sample.name: sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }
    assert found["briefing_store_ready"] == 0
    assert "briefing_store_info" not in found


def test_workers_replaced_after_max_requests_fail_no_request(
    served: Callable[..., tuple[Server, Store]], start_server: StartServer
) -> None:
    server, _ = served(start_server, BRIEFING_MAX_REQUESTS="20")
    paths = [FEED, "/api/v1/issues", "/issues/2011-01-12", "/readyz"] * 10
    statuses: list[int] = []
    deadline = time.monotonic() + 30  # a worker past its count stops within a second or so
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len({line["pid"] for line in access_log(server)}) <= 4:
            assert time.monotonic() < deadline, "no worker was replaced"
            statuses += pool.map(lambda path: request(server, path).status, paths)
    assert statuses == [200] * len(statuses)
    feeds = len(statuses) // 4
    wait_until(lambda: count(server, FEED_ROUTE, "200") == feeds, 5, "the replaced workers' counts")
    wait_until(lambda: samples(server)["briefing_workers", frozenset()] == 2, 5, "two live workers")


def test_gunicorn_conf_gives_gunicorn_the_service_settings() -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    printed = subprocess.run(
        [gunicorn, "-c", "gunicorn.conf.py", "--print-config", "service:create_app()"],
        cwd=REPO,
        env={key: value for key, value in os.environ.items() if not key.startswith("BRIEFING_")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, re.MULTILINE))
    assert settings["limit_request_line"] == "4094"
    assert settings["worker_class"] == "service.worker.GeventWorker"  # gevent, plain errors
    assert settings["forwarded_allow_ips"] == "[]"
    assert "JsonAccessLog" in settings["logger_class"]
    assert "child_exit" in settings["child_exit"]


def test_the_serve_command_leaves_prometheus_client_to_the_workers() -> None:
    """It picks its multiprocess mode on import: the master must not import it early."""
    probe = "import sys, service.cli, service.serve; print('prometheus_client' in sys.modules)"
    imported = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert imported.strip() == "False"
