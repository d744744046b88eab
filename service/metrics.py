"""/metrics for Prometheus: requests by route and status, their latency, the store in service,
and the subscribers hosted feed readers report.

Under gunicorn each worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR, a private
directory made at each server start (service.gunicorn_conf), and /metrics adds up every
worker's. prometheus_client chooses between one process and many when it is first imported,
so create_app imports this module in the worker, after the directory was set.

The 304 ratio is derived from the counts: requests with status="304" over all requests.

Subscriber counts are the latest a reader reported, whichever worker took the report, never a
sum of the workers' latest: each report is kept by feed, reader and subscription (a feed id, in
service.subscribers) in a gauge whose files prometheus_client merges by the most recent write,
and a scrape adds up a reader's subscriptions of each feed, leaving out one it has not reported
for a week while it reported others (a subscription it retired). Nothing forgets a reader that
stops reporting: its last count stays until the server restarts, and the time of its last
report says how old it is.
"""

from __future__ import annotations

import atexit
import bisect
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

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
from prometheus_client.registry import Collector

from service import subscribers
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
# Each report, by feed, reader and subscription: read by SubscriberTotals, never shown as is.
REPORTED_NAME = "briefing_feed_subscription_subscribers"
REPORTED_AT_NAME = "briefing_feed_subscription_reported"
REPORTED = Gauge(
    REPORTED_NAME,
    "Subscribers a reader last reported for one subscription of a feed.",
    ["feed", "fetcher", "feed_id"],
    multiprocess_mode="mostrecent",  # the latest report of any worker
    registry=None,
)
REPORTED_AT = Gauge(
    REPORTED_AT_NAME,
    "When a reader last reported one subscription of a feed.",
    ["feed", "fetcher", "feed_id"],
    multiprocess_mode="max",
    registry=None,
)
# Subscriptions one worker keeps: real ones are a few for each feed, so this is reached only by
# made-up reports, whose series would otherwise grow the worker's metric files without end.
SUBSCRIPTIONS_KEPT = 1024
# A subscription not reported for this long while its reader reports others of the same feed is
# one the reader retired (readers poll a quiet feed about daily).
RETIRED_AFTER = 7 * 24 * 3600
Subscription = tuple[str, str, str]  # feed, fetcher, feed_id

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


class SubscriberCounts:
    """Keeps the latest subscriber count each hosted reader reports for each feed it fetches.

    Written as it comes, not in batches like Tally: a reader reports a feed every half hour or
    so, and the most recent write of any worker must be the most recent report."""

    def __init__(
        self, clock: Callable[[], float] = time.time, kept: int = SUBSCRIPTIONS_KEPT
    ) -> None:
        self.clock = clock
        self.kept = kept
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()

    def record(self, feed: str, user_agent: str) -> None:
        """Keep what user_agent reports, if anything, for feed: the path of a subscription
        document that was answered."""
        report = subscribers.reported(user_agent)
        if report is None:
            return
        subscription = (feed, report.fetcher, report.feed_id)
        if self._keeps(subscription):
            REPORTED.labels(*subscription).set(report.subscribers)
            REPORTED_AT.labels(*subscription).set(self.clock())

    def _keeps(self, subscription: Subscription) -> bool:
        """Each subscription is a series in this worker's metric files, which nothing removes:
        those already kept, and new ones up to `kept`."""
        with self._lock:
            if subscription not in self._subscriptions:
                if len(self._subscriptions) >= self.kept:
                    return False
                self._subscriptions.add(subscription)
        return True


class SubscriberTotals:
    """The sources' metrics, with the reports of each subscription made into one count for
    each feed and reader, and the time of its latest report."""

    def __init__(self, sources: Iterable[Collector]) -> None:
        self.sources = tuple(sources)

    def collect(self) -> Iterator[Metric]:
        reports: dict[str, dict[Subscription, float]] = {REPORTED_NAME: {}, REPORTED_AT_NAME: {}}
        for source in self.sources:
            for family in source.collect():
                if family.name not in reports:
                    yield family
                    continue
                for sample in family.samples:
                    subscription = (
                        sample.labels["feed"],
                        sample.labels["fetcher"],
                        sample.labels["feed_id"],
                    )
                    reports[family.name][subscription] = sample.value
        yield from subscriber_totals(reports[REPORTED_NAME], reports[REPORTED_AT_NAME])


def subscriber_totals(
    counts: dict[Subscription, float], reported_at: dict[Subscription, float]
) -> Iterator[Metric]:
    """Per feed and reader: the sum of its subscriptions' latest counts, those it retired
    left out, and when it last reported."""
    latest: dict[tuple[str, str], float] = {}
    for (feed, fetcher, _), at in reported_at.items():
        latest[feed, fetcher] = max(at, latest.get((feed, fetcher), at))
    totals: defaultdict[tuple[str, str], float] = defaultdict(float)
    for subscription, count in counts.items():
        feed_fetcher = subscription[:2]
        last = latest.get(feed_fetcher)
        if last is not None and reported_at.get(subscription, 0) >= last - RETIRED_AFTER:
            totals[feed_fetcher] += count
    counted = GaugeMetricFamily(
        "briefing_feed_subscribers",
        "Subscribers a hosted feed reader last reported in its User-Agent, by feed and reader.",
        labels=["feed", "fetcher"],
    )
    reported = GaugeMetricFamily(
        "briefing_feed_subscribers_last_report_timestamp_seconds",
        "When that reader last reported subscribers of the feed (Unix time).",
        labels=["feed", "fetcher"],
    )
    for feed, fetcher in sorted(latest):
        counted.add_metric([feed, fetcher], totals[feed, fetcher])
        reported.add_metric([feed, fetcher], latest[feed, fetcher])
    yield counted
    yield reported


def init_app(app: Flask) -> None:
    """Serve /metrics, and count this worker among those serving; create_app hands TALLY every
    request's figures."""
    app.register_blueprint(blueprint)
    WORKERS.set(1)


@blueprint.get("/metrics")
def metrics() -> Response:
    TALLY.flush()
    sources: Iterable[Collector] = (REQUESTS, DURATION, WORKERS, REPORTED, REPORTED_AT)
    if MULTIPROCESS:
        sources = (MultiProcessCollector(None),)  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    registry.register(SubscriberTotals(sources))
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
