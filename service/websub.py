"""WebSub (W3C): which documents are topics, the Link headers that lead subscribers to the hub,
and the publish request that tells the hub a topic changed.

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
`briefing notify` (service.notify, which lists a store's topics) tells the hub which topics
changed; a build never does.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Response, request
from werkzeug.urls import iri_to_uri

from service.errors import HubFailed
from service.urls import Site

API_LISTS = ("/api/v1/issues", "/api/v1/articles")
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


@dataclass(frozen=True)
class Patience:
    """How long to wait on a hub, and how often to try it."""

    timeout: float = TIMEOUT
    attempts: int = ATTEMPTS
    backoff: float = BACKOFF


def publish(hub: str, topic: str, patience: Patience = Patience()) -> None:
    """POST hub.mode=publish for one topic, retrying what may pass: a 5xx, a timeout, no answer.

    WebSub leaves the publish request to each hub: the topic goes as `hub.url`, which the
    PubSubHubbub hubs read, and as `hub.topic`, which hubs that read a publish request like a
    subscription request (flask-websub's) read.
    """
    body = urlencode({"hub.mode": "publish", "hub.url": topic, "hub.topic": topic}).encode()
    problem = ""
    for attempt in range(patience.attempts):
        if attempt:
            time.sleep(patience.backoff * 2 ** (attempt - 1))
        sent = urllib.request.Request(hub, data=body, method="POST")
        sent.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(sent, timeout=patience.timeout):
                return
        except urllib.error.HTTPError as error:
            error.close()
            problem = f"the hub {hub} answered {error.code} {error.reason}"
            if error.code < 500:
                break
        except (urllib.error.URLError, OSError) as error:
            problem = f"the hub {hub} did not answer ({getattr(error, 'reason', error)})"
    raise HubFailed(f"{problem} for {topic}")
