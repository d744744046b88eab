"""WebSub (W3C): which documents are topics, the Link headers that lead subscribers to the hub,
and, after a build, telling the publication's hub which subscription feeds changed.

A topic is a document that a subscriber follows through the hub: each feed's subscription
document (issues, articles, each tag) in each format, and the API's lists of issues and of
articles at their own addresses, `/api/v1/issues` and `/api/v1/articles` with no query (their
first page, in their default order and size). Nothing else is one: not a feed's archive pages,
whose entries never change, nor a list asked for with a query (another page, size, order or
filter), which is another document than the topic and so names neither hub nor self.

With a `hub` in the publication, every topic answers `Link: <hub>; rel="hub"` and exactly one
`<its own URL>; rel="self"` (WebSub section 4), after a list's pagination links in the same
header. The self URL is the topic's canonical address, built from the base URL like every other
link: a feed asked for with `?utm_source=...` still names its address without the query.

The feeds of the store being replaced are compared with the new store's, byte for byte, as
the service would serve them at the publication's base_url; the hub gets one
`hub.mode=publish` request per changed feed. A hub that fails is retried a few times and then
reported: a build never fails because of its hub.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from flask import Response, request
from werkzeug.urls import iri_to_uri

from service.errors import HubFailed, StoreError
from service.store import Store, open_store
from service.urls import Site

TIMEOUT = 10.0  # seconds for one request to the hub
ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the second attempt, doubling after


def advertise(response: Response, site: Site, topic: str) -> Response:
    """With a hub, add it and the topic's own URL to the answer's Link header (section 4)."""
    hub = site.publication.hub
    if hub:
        links = [response.headers.get("Link"), link(hub, "hub"), link(topic, "self")]
        response.headers["Link"] = ", ".join(filter(None, links))
    return response


def advertise_list(response: Response, site: Site) -> Response:
    """An API list is a topic at its own address only: with a query, it is another document."""
    if request.query_string:
        return response
    return advertise(response, site, site.urls.page(request.path))


def link(url: str, rel: str) -> str:
    """One RFC 8288 link, its target URL-encoded so that no `>` in it can end the link."""
    return f'<{iri_to_uri(url)}>; rel="{rel}"'


class Echo(Protocol):
    """Where reports go: click.echo, say (stderr when err)."""

    def __call__(self, message: str, *, err: bool = False) -> None: ...


@dataclass(frozen=True)
class Patience:
    """How long to wait on a hub, and how often to try it."""

    timeout: float = TIMEOUT
    attempts: int = ATTEMPTS
    backoff: float = BACKOFF


def open_previous(store_path: Path) -> Store | None:
    """The store a build is about to replace, if any: kept open, it stays readable after."""
    try:
        return open_store(store_path)
    except StoreError:
        return None


def announce_build(
    previous: Store | None, store_path: Path, echo: Echo, patience: Patience = Patience()
) -> None:
    """Notify the new store's hub, if it has one, of every subscription feed the build changed."""
    try:
        told = announce(previous, open_store(store_path), patience)
    except HubFailed as failure:
        echo(f"websub: {failure}; the build itself succeeded", err=True)
    except Exception as exc:  # a notification must never fail a build that succeeded
        echo(f"websub: hub not notified ({exc!r}); the build itself succeeded", err=True)
    else:
        if told:
            echo(f"websub: {told}")
    finally:
        if previous is not None:
            previous.close()


def announce(previous: Store | None, current: Store, patience: Patience) -> str | None:
    """What was sent to the hub, or None without a hub; HubFailed if it refused."""
    try:
        hub = current.publication.hub
        if not hub:
            return None
        changed = changed_feeds(previous, current)
        publish(hub, changed, patience)
        return f"notified {hub} of {len(changed)} changed feed(s)" if changed else "no feed changed"
    finally:
        current.close()


def changed_feeds(previous: Store | None, current: Store) -> list[str]:
    """URLs of the new store's subscription feeds whose bytes differ from the old store's."""
    before = subscription_documents(previous) if previous else {}
    return [url for url, body in subscription_documents(current).items() if before.get(url) != body]


def subscription_documents(store: Store) -> dict[str, bytes]:
    """Every subscription document of a store, by its public URL."""
    from service.feeds.catalogue import render, subscriptions  # the feeds' routes import this
    from service.feeds.formats import EXTENSIONS

    site = Site.of(store, store.publication)
    return {
        site.urls.feed(feed.name, extension): render(site, feed.name, extension).body
        for feed in subscriptions(store)
        for extension in EXTENSIONS
    }


def publish(hub: str, feeds: Sequence[str], patience: Patience = Patience()) -> None:
    """One hub.mode=publish request per feed; HubFailed at the first feed the hub refuses."""
    for sent, feed in enumerate(feeds):
        try:
            notify(hub, feed, patience)
        except HubFailed as failure:
            left = len(feeds) - sent
            raise HubFailed(f"{failure}; {left} feed(s) not notified") from failure


def notify(hub: str, feed: str, patience: Patience) -> None:
    """POST hub.mode=publish for one feed, retrying what may pass: a 5xx, a timeout, no answer."""
    body = urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
    problem = ""
    for attempt in range(patience.attempts):
        if attempt:
            time.sleep(patience.backoff * 2 ** (attempt - 1))
        request = urllib.request.Request(hub, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=patience.timeout):
                return
        except urllib.error.HTTPError as error:
            error.close()
            problem = f"{hub} answered {error.code} {error.reason}"
            if error.code < 500:
                break
        except (urllib.error.URLError, OSError) as error:
            problem = f"{hub} did not answer ({getattr(error, 'reason', error)})"
    raise HubFailed(f"{problem} for {feed}")
