"""The gunicorn settings of every server: `briefing serve`, `make run`, the image, the benchmark.

A gunicorn configuration module: service.serve hands these names to its embedded gunicorn, and
the top-level gunicorn.conf.py re-exports them for `gunicorn -c gunicorn.conf.py
'service:create_app()'`. The figures behind the choices are in bench/results.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from typing import Any

from gunicorn import glogging

from service.config import BIND, default_workers
from service.telemetry import REQUEST_ID

__all__ = [
    "accesslog",
    "bind",
    "child_exit",
    "control_socket_disable",
    "errorlog",
    "forwarded_allow_ips",
    "graceful_timeout",
    "keepalive",
    "limit_request_field_size",
    "limit_request_fields",
    "limit_request_line",
    "logger_class",
    "max_requests",
    "max_requests_jitter",
    "on_exit",
    "on_starting",
    "proc_name",
    "threads",
    "timeout",
    "worker_class",
    "worker_connections",
    "worker_tmp_dir",
    "workers",
]

METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
SHARED_MEMORY = "/dev/shm"  # a tmpfs: heartbeats and metric files never touch a disk

bind = [os.environ.get("BRIEFING_BIND", BIND)]
workers = int(os.environ.get("BRIEFING_WORKERS", default_workers()))
# Chosen by measurement (bench/worker_class.py, figures in bench/results.md). With 100 idle,
# 80 slowloris and 20 slow-reading connections held open, a normal client got no answer at all
# from gthread (each waiting connection holds one of its threads) and every answer, in a few
# milliseconds, from gevent (each connection a greenlet). For polite clients the service
# answered about as many requests under gevent as under gthread with 4 threads (from 17% fewer
# to 25% more, by request); a bare WSGI hello a fifth fewer. Under gevent one worker may take
# many connections at once, so CPU-bound answers (first renders, searches) spread less evenly.
# gthread and sync are there to measure against. Every class named here answers gunicorn's
# own refusals in plain text (service.worker); any other is handed to gunicorn as named.
WORKER_CLASSES = {
    "gevent": "service.worker.GeventWorker",
    "gthread": "service.worker.ThreadWorker",
    "sync": "service.worker.SyncWorker",
}
worker_class = os.environ.get("BRIEFING_WORKER_CLASS", "gevent")
worker_class = WORKER_CLASSES.get(worker_class, worker_class)
threads = int(os.environ.get("BRIEFING_THREADS", 4))  # gthread only
# Connections one gevent worker holds at once; past it, the kernel's listen queue holds the
# rest. A worker holds a greenlet and a socket for each (a few kilobytes).
worker_connections = 1000
# Seconds an idle kept-alive connection stays open; under gevent, also the time a request has
# to arrive whole (headers and all), counted from the connection's opening or the answer
# before it: a slowloris client is cut off after it. nginx sends a GET again, on a new
# connection, when a kept-alive one was closed meanwhile (proxy_next_upstream error).
keepalive = 5

# Requests take milliseconds (a search of 10,000 issues about 5): a worker whose heartbeat
# stops for this long is stuck, and gunicorn replaces it.
timeout = 30
# In-flight requests take milliseconds; this ends well inside Docker's 10 s stop timeout.
graceful_timeout = 8
# A safety net against slow leaks: a worker answers about this many requests, then is replaced
# (the jitter keeps workers from restarting together). Rare enough that none is replaced
# during `make bench` or a minute at full load (about 140,000 requests a worker), where a new
# worker's cold response cache would skew the figures. 0 turns it off.
max_requests = int(os.environ.get("BRIEFING_MAX_REQUESTS", 500_000))
max_requests_jitter = max_requests // 10

# Deliberate: every API string's maxLength keeps the longest valid request line (q of 200
# four-byte characters, every other string at its maximum) inside it. Longer lines get
# gunicorn's own 414, before the app runs. A GET needs no more headers than this either.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# No proxy is trusted, not even on loopback (gunicorn trusts 127.0.0.1 by default to set the
# scheme with X-Forwarded-Proto, and SCRIPT_NAME or PATH_INFO with headers of those names).
# Every URL comes from the configured base URL, so the service needs none of them; trusted,
# they would let any local client move the routes or get gunicorn's own 500.
forwarded_allow_ips = ""

accesslog = "-"
errorlog = "-"
proc_name = "briefing"
# One fixed socket path per user would make a second instance on the machine clash.
control_socket_disable = True
worker_tmp_dir = SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else None


class JsonAccessLog(glogging.Logger):  # type: ignore[misc]
    """One JSON object a line for each request: what log shippers parse without a grammar."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        line = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": resp.sent,
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "request_id": environ.get(REQUEST_ID),
            "remote": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        self.access_log.info(json.dumps(line))


logger_class = JsonAccessLog


def on_starting(server: Any) -> None:
    """Give the workers of this server start a private directory for their metric files."""
    base = SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else None
    os.environ[METRICS_DIR] = tempfile.mkdtemp(prefix="briefing-metrics-", dir=base)


def child_exit(server: Any, worker: Any) -> None:
    """Forget the live gauges of a worker that exited; its counts stay in the totals."""
    # Imported here, once the directory is set: prometheus_client picks its mode on import.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    if directory := os.environ.pop(METRICS_DIR, None):
        shutil.rmtree(directory, ignore_errors=True)
