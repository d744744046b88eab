"""Generated requests to the feed and page routes (hypothesis, through the Flask test client):
whatever the path segments, query string, headers and method, never a 5xx, and always an
answer in the area's own media types, with nosniff.

Paths and queries reach the app as gunicorn hands them on: PATH_INFO is the percent-decoded
bytes of the path read as Latin-1, QUERY_STRING the raw query.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import create_app
from tests.factories import archived_feeds

EXAMPLES = 500  # per test: a few seconds each
FEED_TYPES = {"application/atom+xml", "application/rss+xml", "application/feed+json"}
# What gunicorn lets through in a header value: no CR, LF or NUL.
HEADER_TEXT = st.text(st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=200)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "HTTP_ACCEPT",
            "HTTP_ACCEPT_ENCODING",
            "HTTP_ACCEPT_LANGUAGE",
            "HTTP_IF_NONE_MATCH",
            "HTTP_IF_MODIFIED_SINCE",
            "HTTP_IF_MATCH",
            "HTTP_RANGE",
            "HTTP_HOST",
            "HTTP_X_FORWARDED_HOST",
            "HTTP_X_FORWARDED_PROTO",
            "HTTP_X_REQUEST_ID",
            "HTTP_ORIGIN",
            "HTTP_COOKIE",
        ]
    ),
    st.one_of(
        HEADER_TEXT,
        st.sampled_from(["text/html", "gzip;q=nan", "*/*;q=-1", '"x"', "W/*", "bytes=0-1"]),
    ),
)
# Path segments: anything, as bytes, or often a value that finds a real document.
KNOWN = st.sampled_from([b"localism", b"2011-01-01", b"1", b"2", b"01", b"..", b"%", b""])
SEGMENT = st.one_of(KNOWN, KNOWN, st.binary(max_size=40))
QUERY = st.one_of(
    st.text(st.characters(codec="latin-1"), max_size=80),
    st.lists(
        st.tuples(
            st.sampled_from(["page", "q", "utm_source", "x"]),
            st.sampled_from(["1", "2", "%zz", "%ff%fe", "%", "%EF%BC%92", "a+b", "<b>"]),
        ),
        max_size=4,
    ).map(lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)),
)
METHOD = st.sampled_from(["GET", "GET", "GET", "HEAD", "OPTIONS", "POST", "BREW"])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """Three issues tagged localism, two entries a feed (so archive page 1 exists)."""
    root = tmp_path_factory.mktemp("fuzz")
    store = archived_feeds(root / "content", issues=3).build(root / "var" / "briefing.sqlite3")
    return create_app({"STORE": str(store), "STORE_CHECK_INTERVAL": 60})


def fuzzing(test: Any) -> Any:
    return settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(test)


def answer(
    app: Flask, method: str, path: bytes, query: str, headers: dict[str, str]
) -> tuple[int, str, dict[str, str], bytes]:
    environ = {"PATH_INFO": path.decode("latin-1"), "QUERY_STRING": query, **headers}
    response = app.test_client().open("/", method=method, environ_overrides=environ)
    return response.status_code, response.mimetype, dict(response.headers), response.data


def assert_sound(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status < 500, body[:200]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b"Traceback" not in body


FEED_NAME = st.one_of(
    st.sampled_from([b"issues", b"articles"]), st.builds(b"tags/".__add__, SEGMENT)
)
EXTENSION = st.sampled_from([b"atom", b"rss", b"json"])
FEED_PATHS = st.builds(
    lambda name, archive, extension: b"/feeds/%s%s.%s" % (name, archive, extension),
    FEED_NAME,
    st.one_of(st.just(b""), st.just(b""), st.builds(b"/archive/".__add__, SEGMENT)),
    st.one_of(EXTENSION, EXTENSION, EXTENSION, SEGMENT),
)


@given(method=METHOD, path=FEED_PATHS, query=QUERY, headers=HEADERS)
@fuzzing
def test_feed_routes_never_fail_and_answer_feeds_or_plain_text(
    app: Flask, method: str, path: bytes, query: str, headers: dict[str, str]
) -> None:
    status, mimetype, sent, body = answer(app, method, path, query, headers)
    assert_sound(status, sent, body)
    if status == 200 and method in ("GET", "HEAD"):
        assert mimetype in FEED_TYPES
    elif status not in (204, 304) and method != "OPTIONS":
        assert mimetype == "text/plain", (status, path)


PAGE_PATHS = st.one_of(
    st.just(b"/"),
    st.just(b"/search"),
    st.just(b"/subscribe"),
    st.builds(lambda s: b"/issues/%s" % s, SEGMENT),
    st.builds(lambda s: b"/tags/%s" % s, SEGMENT),
    st.builds(lambda s: b"/assets/%s" % s, SEGMENT),
    st.builds(lambda s, t: b"/%s/%s" % (s, t), SEGMENT, SEGMENT),
)


@given(method=METHOD, path=PAGE_PATHS, query=QUERY, headers=HEADERS)
@fuzzing
def test_page_routes_never_fail_and_answer_html_or_plain_text(
    app: Flask, method: str, path: bytes, query: str, headers: dict[str, str]
) -> None:
    status, mimetype, sent, body = answer(app, method, path, query, headers)
    assert_sound(status, sent, body)
    if status in (204, 304) or method == "OPTIONS":
        return
    if path.startswith(b"/assets/") and status == 200:
        assert mimetype in ("text/css", "image/svg+xml")
    elif path.startswith(b"/api/"):
        assert mimetype in ("application/json", "application/problem+json", "text/html")
    elif path.startswith(b"/feeds/"):
        assert mimetype in (*FEED_TYPES, "text/plain")
    elif path in (b"/healthz", b"/readyz"):
        assert mimetype in ("application/json", "text/plain", "text/html")
    else:
        assert mimetype in ("text/html", "text/plain"), (status, path)
    if mimetype == "text/html":
        assert "frame-ancestors 'none'" in sent["Content-Security-Policy"]
        assert b"<b>" not in body  # what a query carried is escaped wherever a page shows it
