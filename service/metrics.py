"""/metrics for Prometheus: requests by route and status, their latency, the store in service.

Under gunicorn each worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR, a private
directory made at each server start (service.gunicorn_conf), and /metrics adds up every
worker's. prometheus_client chooses between one process and many when it is first imported,
so create_app imports this module in the worker, after the directory was set.

The 304 ratio is derived from the counts: requests with status="304" over all requests.
"""

from __future__ import annotations

import atexit
import bisect
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator

from flask import Blueprint, Flask, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from service.errors import StoreUnavailable
from service.live import LiveStore, live_store
from service.responses import not_cacheable

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ
# From a 304 answered from memory (well under a millisecond) to a first search of a large store.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

REQUESTS = Counter(
    "briefing_http_requests",
    "Requests answered, by URL rule and status, response cache included.",
    ["route", "status"],
    registry=None,
)
DURATION = Histogram(
    "briefing_http_request_duration_seconds",
    "Time from a request reaching the app to its answer being ready, by URL rule.",
    ["route"],
    buckets=BUCKETS,
    registry=None,
)
WORKERS = Gauge(
    "briefing_workers",
    "Worker processes serving (gunicorn replaces those that exit).",
    multiprocess_mode="livesum",
    registry=None,
)

blueprint = Blueprint("metrics", __name__)


class Tally:
    """Answers counted in memory on the request path and added to the series in batches.

    prometheus_client writes each observation through a lock into a file-backed value, three
    for a histogram: on a real server that cost a cached 304 about 5% of its CPU time, where
    these counts in memory cost too little to measure. A thread adds them to the series once a
    second, a scrape first adds those of the worker it reaches, and an exiting worker what is
    left (a worker killed outright loses at most a second's).
    """

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None
        self._reset()
        os.register_at_fork(after_in_child=self._forget)

    def _reset(self) -> None:
        self._answers: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._buckets: defaultdict[tuple[str, int], int] = defaultdict(int)
        self._seconds: defaultdict[str, float] = defaultdict(float)

    def _forget(self) -> None:
        """In a forked child: the parent's counts are the parent's, its thread is not here."""
        self._lock, self._writer = threading.Lock(), None
        self._reset()

    def observe(self, route: str, status: str, seconds: float) -> None:
        bucket = bisect.bisect_left(BUCKETS, seconds)  # le: the first bound not below
        with self._lock:
            self._answers[route, status] += 1
            self._buckets[route, bucket] += 1
            self._seconds[route] += seconds
        if self._writer is None:
            self._start_writer()

    def flush(self) -> None:
        with self._lock:
            answers, buckets, seconds = self._answers, self._buckets, self._seconds
            self._reset()
        for (route, status), count in answers.items():
            REQUESTS.labels(route, status).inc(count)
        for route, total in seconds.items():
            DURATION.labels(route)._sum.inc(total)
        for (route, bucket), count in buckets.items():
            # What Histogram.observe does for one observation, for `count` of them at once.
            DURATION.labels(route)._buckets[bucket].inc(count)

    def _start_writer(self) -> None:
        with self._lock:
            if self._writer is not None:
                return
            self._writer = threading.Thread(target=self._write, name="metrics", daemon=True)
            self._writer.start()
        atexit.register(self.flush)

    def _write(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


TALLY = Tally()


def init_app(app: Flask) -> None:
    """Serve /metrics, and count this worker among those serving; create_app hands TALLY every
    request's figures."""
    app.register_blueprint(blueprint)
    WORKERS.set(1)


@blueprint.get("/metrics")
def metrics() -> Response:
    TALLY.flush()
    registry = CollectorRegistry()
    if MULTIPROCESS:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (REQUESTS, DURATION, WORKERS):
            registry.register(collector)
    registry.register(StoreCollector(live_store()))
    return not_cacheable(Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST))


class StoreCollector:
    """The store this worker serves, read when scraped: readiness, content version, age."""

    def __init__(self, live: LiveStore) -> None:
        self.live = live

    def collect(self) -> Iterator[Metric]:
        try:
            store = self.live.current()
        except StoreUnavailable:
            yield GaugeMetricFamily("briefing_store_ready", "1 while a good store is open.", 0)
            return
        yield GaugeMetricFamily("briefing_store_ready", "1 while a good store is open.", 1)
        yield InfoMetricFamily(
            "briefing_store",
            "The content version of the store in service.",
            {"content_version": store.content_version},
        )
        yield GaugeMetricFamily(
            "briefing_store_age_seconds",
            "Seconds since the store in service was built.",
            time.time() - store.built_at.timestamp(),
        )
        yield GaugeMetricFamily(
            "briefing_store_issues", "Issues in the store in service.", store.issue_count
        )
