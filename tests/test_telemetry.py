"""Request ids, route labels and /metrics, in process (tests/test_serving.py runs them for real)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from service.store import Store
from service.telemetry import RequestTelemetry, request_id_for
from tests.factories import ContentTree


@pytest.mark.parametrize(
    "incoming",
    [
        "0f8e0c4c1d1f4a6bb0d3c2a1e5f60718",  # nginx's $request_id
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",  # a UUID
        "Root=1-67891233-abcdef012345678912345678",  # a load balancer's trace id
        "a" * 128,
    ],
)
def test_plain_incoming_request_id_is_kept(incoming: str) -> None:
    assert request_id_for({"HTTP_X_REQUEST_ID": incoming}) == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        *("", "a" * 129, "a b", 'a"b', "a\tb", "caf\xe9", "a;b", "{a}"),
        *("a\r\nSet-Cookie: x=1", "a\n", "a\x00b", "\uff41", "a%0d%0ab", "<script>"),
    ],
)
def test_other_incoming_request_id_is_replaced(incoming: str) -> None:
    replaced = request_id_for({"HTTP_X_REQUEST_ID": incoming})
    assert replaced != incoming
    assert len(replaced) == 32 and int(replaced, 16) >= 0


def test_routes_are_url_rules_without_converters(app: Flask) -> None:
    telemetry = app.wsgi_app
    assert isinstance(telemetry, RequestTelemetry)
    assert telemetry.route("/feeds/issues.atom") == "/feeds/<name>.<extension>"
    assert telemetry.route("/api/v1/issues/2011-01-12") == "/api/v1/issues/<issue_id>"
    assert telemetry.route("/metrics") == "/metrics"
    assert telemetry.route("/no/such/page") == "unmatched"
    assert telemetry.route("/" + "x" * 600) == "unmatched"


def requests_counted(app: Flask, route: str, status: str) -> float:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "briefing_http_requests_total" and sample.labels == {
                "route": route,
                "status": status,
            }:
                return sample.value
    return 0.0


def test_answers_from_the_response_cache_are_counted(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    client = app.test_client()
    route = "/feeds/<name>.<extension>"
    before = requests_counted(app, route, "200"), requests_counted(app, route, "304")
    etag = client.get("/feeds/issues.atom").headers["ETag"]
    client.get("/feeds/issues.atom")
    assert client.get("/feeds/issues.atom", headers={"If-None-Match": etag}).status_code == 304
    after = requests_counted(app, route, "200"), requests_counted(app, route, "304")
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)
