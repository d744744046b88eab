"""A real WebSub hub and subscriber on loopback ports: flask-websub's, each under a threaded
Werkzeug server in the test's process.

flask-websub's hub hands its work to celery tasks; here they run eagerly, in the thread of the
request that asked for them, so that no broker or worker process is needed and each step is done
when its request is answered: a subscription request answers once the hub has verified the
subscriber's intent, and a publish request once the hub has fetched the topic and delivered it
to every subscriber. An error in a task (such as a topic whose answer names no hub or no self)
fails the request that asked for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from celery import Celery
from flask import Flask
from flask_websub.hub import Hub, SQLite3HubStorage
from flask_websub.subscriber import (
    SQLite3SubscriberStorage,
    SQLite3TempSubscriberStorage,
    Subscriber,
    discover,
)
from werkzeug.serving import make_server


@dataclass
class RunningSubscriber:
    """flask-websub's subscriber, and what it was told: verified subscriptions, notifications."""

    subscriber: Subscriber
    app: Flask
    verified: list[tuple[str, str]] = field(default_factory=list)  # (topic, mode)
    denied: list[tuple[str, str]] = field(default_factory=list)  # (topic, reason)
    received: dict[str, list[bytes]] = field(default_factory=dict)  # topic: bodies

    def follow(self, url: str) -> dict[str, str]:
        """Discover the hub and the topic from url's answer, as the subscriber does, and
        subscribe to it there: what it discovered."""
        with self.app.app_context():
            found: dict[str, str] = discover(url)
            self.subscriber.subscribe(**found)
        return found


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """app under a threaded Werkzeug server on a free loopback port, stopped on leaving: its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def running_hub(folder: Path) -> Iterator[str]:
    """flask-websub's hub, publishing allowed, its subscriptions in folder: its URL."""
    tasks = Celery("hub", set_as_current=False)
    tasks.conf.task_always_eager = True
    tasks.conf.task_eager_propagates = True
    hub = Hub(SQLite3HubStorage(str(folder / "hub.sqlite3")), tasks)
    app = Flask("hub")
    app.config["PUBLISH_SUPPORTED"] = True
    app.register_blueprint(hub.build_blueprint(url_prefix="/hub"))
    with serving(app) as url:
        yield f"{url}/hub"


@contextlib.contextmanager
def running_subscriber(folder: Path) -> Iterator[RunningSubscriber]:
    """flask-websub's subscriber, its callbacks under /callbacks/, its subscriptions in folder."""
    database = str(folder / "subscriber.sqlite3")
    subscriber = Subscriber(
        SQLite3SubscriberStorage(database), SQLite3TempSubscriberStorage(database)
    )
    app = Flask("subscriber")
    app.register_blueprint(subscriber.build_blueprint(url_prefix="/callbacks"))
    running = RunningSubscriber(subscriber, app)
    subscriber.add_success_handler(lambda topic, _, mode: running.verified.append((topic, mode)))
    subscriber.add_error_handler(lambda topic, _, reason: running.denied.append((topic, reason)))
    subscriber.add_listener(
        lambda topic, _, body: running.received.setdefault(topic, []).append(body)
    )
    with serving(app) as url:
        app.config["SERVER_NAME"] = url.removeprefix("http://")  # for its callback URLs
        yield running
