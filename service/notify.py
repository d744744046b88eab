"""`briefing notify`: tell the publication's WebSub hub which topics changed since the last
notification, once every replica serves the store.

Each topic (service.websub) is rendered by the app itself, exactly as the service serves it at
its base URL (`BRIEFING_BASE_URL` when set, as for `briefing serve`), and known by a hash of its
bytes. The record of what the hub was last told, each topic's hash by URL, is kept beside the
store as `<store>.websub.json` and replaced whole. Only the topics whose hash differs from the
record are sent, one `hub.mode=publish` each, and only those the hub took are recorded: one it
refused or could not be told of is changed still at the next run. A first run, or a record of
another hub, finds every topic changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from service import create_app
from service.errors import HubFailed, NotificationRecordError, StoreError
from service.feeds.catalogue import subscriptions
from service.feeds.formats import EXTENSIONS
from service.request import current_site
from service.store import open_store
from service.urls import Site
from service.websub import API_LISTS, Patience, publish

RECORD_SUFFIX = ".websub.json"


def notify(store_path: Path, patience: Patience = Patience()) -> str:
    """Tell the hub of every topic that changed since the last notification; what was done, in a
    line. HubFailed once the hub refused or could not be reached, what it took recorded."""
    site, client = served_site(store_path)
    hub = site.publication.hub
    if hub is None:
        return "no hub configured"
    record = record_path(store_path)
    told = read_record(record, hub)
    served = {topic: served_digest(client, site, topic) for topic in topics(site)}
    notified = {topic: digest for topic, digest in told.items() if topic in served}
    changed = {topic: digest for topic, digest in served.items() if notified.get(topic) != digest}
    if not changed:
        return "no topic changed since the last notification"
    try:
        tell(hub, changed, notified, patience)
    finally:
        write_record(record, hub, notified)
    return f"notified {hub} of {len(changed)} changed topic(s)"


def tell(hub: str, changed: dict[str, str], notified: dict[str, str], patience: Patience) -> None:
    """Publish each changed topic, adding to `notified` each one the hub took."""
    for done, (topic, digest) in enumerate(changed.items()):
        try:
            publish(hub, topic, patience)
        except HubFailed as failure:
            left = f"{len(changed) - done} of {len(changed)} changed topic(s) not notified"
            raise HubFailed(f"{failure}; {left}") from failure
        notified[topic] = digest


def topics(site: Site) -> list[str]:
    """The URL of every topic of a site: each subscription feed in each format, the API lists."""
    feeds = [
        site.urls.feed(feed.name, extension)
        for feed in subscriptions(site.store)
        for extension in EXTENSIONS
    ]
    return feeds + [site.urls.page(path) for path in API_LISTS]


def served_site(store_path: Path) -> tuple[Site, FlaskClient]:
    """The site of the store at store_path as the service serves it, and a client of the app."""
    open_store(store_path).close()  # a StoreError naming the file, rather than the app's log
    app = create_app(
        # One look at the file: every topic is rendered from one store. Nothing kept in memory.
        {"STORE": str(store_path), "STORE_CHECK_INTERVAL": math.inf, "CACHE_MAX_BYTES": 0}
    )
    with app.test_request_context():
        return current_site(), app.test_client()


def served_digest(client: FlaskClient, site: Site, topic: str) -> str:
    """The hash of a topic's bytes as the service answers a GET of it."""
    response = client.get(topic.removeprefix(site.urls.base))
    if response.status_code != 200:
        raise StoreError(str(site.store.path), f"{topic} answered {response.status}")
    return hashlib.sha256(response.data).hexdigest()


def record_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + RECORD_SUFFIX)


def read_record(path: Path, hub: str) -> dict[str, str]:
    """Each topic's hash when `hub` was last told of it: none before the first notification, or
    when the last one went to another hub."""
    try:
        record = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise NotificationRecordError(path, f"cannot be read ({exc.strerror})") from exc
    except ValueError as exc:  # not UTF-8, or not JSON
        raise NotificationRecordError(path, f"is not JSON ({exc})") from exc
    if not is_record(record):
        raise NotificationRecordError(path, 'is not {"hub": URL, "topics": {URL: hash}}')
    told: dict[str, str] = record["topics"]
    return told if record["hub"] == hub else {}


def is_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("hub"), str)
        and isinstance(record.get("topics"), dict)
        and all(isinstance(digest, str) for digest in record["topics"].values())
    )


def write_record(path: Path, hub: str, notified: dict[str, str]) -> None:
    """Replace the record whole, by a new file renamed over it: never half written."""
    text = json.dumps({"hub": hub, "topics": notified}, indent=2, sort_keys=True) + "\n"
    new = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with new.open("w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(new, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            new.unlink(missing_ok=True)
        raise NotificationRecordError(path, f"cannot be written ({exc.strerror})") from exc
