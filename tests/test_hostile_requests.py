"""Hostile requests against every route family: none crashes, injects, or changes a URL.

In process through the Flask test client (the app and its response cache), and through a real
`briefing serve` where gunicorn answers first (its limits, its own refusals, forwarded headers).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import socket
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service import create_app
from service.cache import ResponseCache
from tests.factories import archived_feeds
from tests.servers import Server, access_log, one_server, wait_until

ISSUE = "2011-01-01"
ARTICLE = "article-1-of-2011-01-01"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
# One address of each route family, each answered 200.
ROUTES = {
    "issues feed": "/feeds/issues.atom",
    "articles feed": "/feeds/articles.rss",
    "feed archive": "/feeds/issues/archive/1.atom",
    "tag feed": "/feeds/tags/localism.json",
    "tag feed archive": "/feeds/tags/localism/archive/1.rss",
    "api list": "/api/v1/issues?per_page=2",
    "api issue": f"/api/v1/issues/{ISSUE}",
    "api article": f"/api/v1/issues/{ISSUE}/articles/{ARTICLE}",
    "api tags": "/api/v1/tags",
    "api search": "/api/v1/search?q=article",
    "openapi": "/api/openapi.json",
    "api docs": "/api/docs",
    "api docs asset": "/api/docs/assets/swagger-ui.css",
    "home": "/",
    "issue page": f"/issues/{ISSUE}",
    "tag page": "/tags/localism",
    "search page": "/search?q=article",
    "subscribe": "/subscribe",
    "asset": "/assets/briefing.css",
    "healthz": "/healthz",
    "readyz": "/readyz",
    "metrics": "/metrics",
}
# The families whose view reads no query parameter: any query is ignored.
IGNORING_QUERIES = [
    "issues feed",
    "articles feed",
    "feed archive",
    "tag feed",
    "tag feed archive",
    "openapi",
    "api docs",
    "api docs asset",
    "issue page",
    "subscribe",
    "asset",
]
HOSTILE_FORWARDING = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "8443",
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Prefix": "/evil",
    "Forwarded": "for=203.0.113.9;host=evil.example;proto=https",
    "X-Original-URL": "/evil",
    "X-Rewrite-URL": "/evil",
}
METHODS = ["POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "BREW"]
TRACEBACK = re.compile(rb"Traceback|File \"|\.py\", line")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eleven issues tagged localism, two entries a feed: archives and a second home page."""
    root = tmp_path_factory.mktemp("hostile")
    return archived_feeds(root / "content", issues=11).build(root / "var" / "briefing.sqlite3")


@pytest.fixture(scope="module")
def new_app(store: Path) -> Callable[[], Flask]:
    """A fresh app, with an empty response cache, over the module's store."""
    return lambda: create_app({"STORE": str(store), "STORE_CHECK_INTERVAL": 60})


@pytest.fixture(scope="module")
def client(new_app: Callable[[], Flask]) -> FlaskClient:
    return new_app().test_client()


def area(path: str) -> str:
    """The media type of an error at `path`, for a browser: each area answers in its own."""
    path = "/" + path.lstrip("/")  # as Werkzeug reads a path
    if path.startswith("/api/"):
        return "application/problem+json"
    if path.startswith("/feeds/"):
        return "text/plain"
    return "text/html"


def assert_refused(response: TestResponse, path: str, status: int) -> None:
    """A 4xx in the area's format: no traceback, no markup reflected, nosniff."""
    assert response.status_code == status, (path, response.status_code)
    assert response.mimetype == area(path), path
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not TRACEBACK.search(response.data), path
    if response.mimetype == "text/html":
        assert b"<script>alert" not in response.data, path


def renders(app: Flask) -> list[str]:
    """Every request the response cache hands on to Flask from now on: each one a render."""
    cache = app.wsgi_app.app  # the request telemetry wraps the response cache
    assert isinstance(cache, ResponseCache)
    handed_on: list[str] = []
    render = cache.app

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        handed_on.append(f"{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}")
        return render(environ, start_response)

    cache.app = counted
    return handed_on


# Host and forwarding headers


@pytest.mark.parametrize("family", [name for name in ROUTES if name != "metrics"])
def test_forwarding_headers_change_no_byte_and_poison_no_cached_copy(
    new_app: Callable[[], Flask], family: str
) -> None:
    path = ROUTES[family]
    poisoned = new_app().test_client()
    hostile = poisoned.get(path, headers=HOSTILE_FORWARDING, base_url="https://evil.example:8443")
    afterwards = poisoned.get(path)  # from the copy the hostile request left, if kept
    clean = new_app().test_client().get(path)
    assert clean.status_code == 200
    for answer in (hostile, afterwards):
        assert answer.status_code == 200
        assert answer.data == clean.data
        for name in ("Link", "ETag", "Location", "Content-Security-Policy"):
            assert answer.headers.get(name) == clean.headers.get(name), name
    assert b"evil" not in hostile.data
    assert "evil" not in str(hostile.headers)


@pytest.mark.parametrize(
    "path", ["//feeds//issues.atom", "/feeds//issues.atom", "/api//v1/issues", "//issues//" + ISSUE]
)
def test_doubled_slashes_are_not_found_never_redirected(client: FlaskClient, path: str) -> None:
    response = client.get(
        path, headers={**BROWSER, "Host": "evil.example"}, environ_overrides={"PATH_INFO": path}
    )
    assert_refused(response, path, 404)
    assert "Location" not in response.headers


def kept_paths(app: Flask) -> list[str]:
    """The paths of the answers the response cache keeps."""
    cache = app.wsgi_app.app  # the request telemetry wraps the response cache
    assert isinstance(cache, ResponseCache)
    return [path for _, path, _ in cache._entries]


@pytest.mark.parametrize(
    ("path", "spellings"),
    [
        ("/feeds/issues.atom", [f"{'/' * n}feeds/issues.atom" for n in range(1, 301)]),
        ("/", ["", "/", "//", "/" * 300]),
    ],
    ids=["feed", "home"],
)
def test_every_spelling_of_a_path_is_one_kept_copy(
    new_app: Callable[[], Flask], path: str, spellings: list[str]
) -> None:
    app = new_app()
    client = app.test_client()
    answers = [client.get(path, environ_overrides={"PATH_INFO": sent}) for sent in spellings]
    assert kept_paths(app) == [path]
    first = answers[0]
    assert {(a.status_code, a.data, a.headers["ETag"]) for a in answers} == {
        (200, first.data, first.headers["ETag"])
    }


def test_an_empty_path_is_home_never_redirected(client: FlaskClient) -> None:
    """`GET http://host HTTP/1.1` reaches the app with an empty path."""
    response = client.get(
        "/", headers={**BROWSER, "Host": "evil.example"}, environ_overrides={"PATH_INFO": ""}
    )
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert response.data == client.get("/").data


# Hostile paths and queries

PATH_SLOTS = {
    "tag feed": "/feeds/tags/{}.atom",
    "tag feed archive": "/feeds/tags/localism/archive/{}.atom",
    "feed archive": "/feeds/issues/archive/{}.json",
    "api issue": "/api/v1/issues/{}",
    "api article": f"/api/v1/issues/{ISSUE}/articles/{{}}",
    "api docs asset": "/api/docs/assets/{}",
    "issue page": "/issues/{}",
    "tag page": "/tags/{}",
    "asset": "/assets/{}",
}
HOSTILE_VALUES = {
    "dot segments": "../../service/__init__.py",
    "encoded dot segments": "..%2F..%2Fservice%2F__init__.py",
    "encoded slash": f"{ISSUE}%2F..",
    "NUL": f"{ISSUE}%00",
    "overlong": "1" * 3000,
    "fullwidth digits": "２０１１-０１-０１",
    "arabic-indic digit": "\u0661",
    "leading zero": "01",
    "cyrillic look-alike": "l\u043e\u0441alism",
    "invalid UTF-8": "%ff%fe",
    "broken escape": "%zz%",
    "markup": "<script>alert(1)</script>",
    "CRLF": "x%0d%0aSet-Cookie:%20evil=1",
}


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
@pytest.mark.parametrize("family", PATH_SLOTS)
def test_hostile_path_parameter_is_not_found_in_the_areas_format(
    client: FlaskClient, family: str, value: str
) -> None:
    path = PATH_SLOTS[family].format(value)
    response = client.get(path, headers=BROWSER)
    assert_refused(response, path, 404)
    assert "Set-Cookie" not in response.headers


REFUSED_QUERIES = [
    ("/api/v1/issues?page=1&page=2", 400),
    ("/api/v1/articles?tag=localism&tag=funding", 400),
    ("/api/v1/search?q=a&q=b", 400),
    ("/api/v1/issues?per_page=1000", 400),
    ("/api/v1/issues?page=%EF%BC%92", 400),  # fullwidth 2
    ("/api/v1/articles?tag=l%D0%BE%D1%81alism", 400),  # Cyrillic о and с
    ("/api/v1/issues?q=%zz", 400),
    ("/api/v1/issues?q=%", 400),
    ("/api/v1/search?q=%ff%fe", 400),
    ("/api/v1/issues?%ff=1", 400),
    ("/api/v1/search?q=" + "x" * 201, 400),
    ("/api/v1/tags?utm_source=feedly", 400),
    (f"/api/v1/issues/{ISSUE}?x=1", 400),
    ("/?page=2&page=2", 400),
    ("/?page=%", 400),
    ("/?page=%EF%BC%92", 404),  # page 2 exists: not at a look-alike address
    ("/?page=%D9%A2", 404),  # Arabic-Indic 2
    ("/?page=02", 404),  # page 2 exists: at one address, as in the API and feed archives
    ("/?page=99999999", 404),
    ("/tags/localism?page=%ff%fe", 400),
    ("/tags/localism?page=1&page=1", 400),
    ("/search?q=a&q=b", 400),
    ("/search?q=%zz", 400),
    ("/search?q=%ff%fe", 400),
    ("/search?q=" + "x" * 201, 400),
]


@pytest.mark.parametrize(("path", "status"), REFUSED_QUERIES)
def test_bad_query_is_refused_where_it_is_read(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path, headers=BROWSER)
    assert_refused(response, path, status)


@pytest.mark.parametrize("path", ["/api/v1/issues", "/api/v1/search", "/", "/search"])
def test_raw_bytes_that_are_not_utf8_in_a_read_query_are_a_400(
    client: FlaskClient, path: str
) -> None:
    """gunicorn refuses such a request line itself; another server might hand it on."""
    response = client.get(path, headers=BROWSER, environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
    assert_refused(response, path, 400)


def test_a_bad_query_parameter_is_named_in_the_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/issues?q=%ff&page=1")
    assert response.json["invalid_params"] == [
        {"name": "q", "in": "query", "reason": "Not percent-encoded UTF-8."}
    ]
    response = client.get("/api/v1/issues?per_page=1&per_page=2")
    assert response.json["invalid_params"] == [
        {"name": "per_page", "in": "query", "reason": "Given more than once."}
    ]


IGNORED_QUERIES = [
    "utm_source=feedly&utm_medium=rss",
    "x=1&x=2",
    "%zz",
    "q=%ff%fe",
    "page=2",
]


@pytest.mark.parametrize("family", IGNORING_QUERIES)
def test_a_route_without_parameters_ignores_any_query_and_renders_once(
    new_app: Callable[[], Flask], family: str
) -> None:
    app = new_app()
    client = app.test_client()
    path = ROUTES[family]
    first = client.get(path)
    handed_on = renders(app)
    for query in IGNORED_QUERIES:
        again = client.get(f"{path}?{query}")
        assert (again.status_code, again.data) == (200, first.data), query
        assert again.headers["ETag"] == first.headers["ETag"]
    assert handed_on == []


def test_a_route_without_parameters_keeps_one_copy_whichever_query_came_first(
    new_app: Callable[[], Flask],
) -> None:
    app = new_app()
    client = app.test_client()
    handed_on = renders(app)
    tracked = client.get("/feeds/issues.atom?utm_source=feedly")
    plain = client.get("/feeds/issues.atom")
    assert plain.data == tracked.data
    assert handed_on == ["/feeds/issues.atom?utm_source=feedly"]


@pytest.mark.parametrize("family", ROUTES)
def test_other_methods_are_a_405_naming_the_allowed_ones(client: FlaskClient, family: str) -> None:
    path = ROUTES[family]
    for method in METHODS:
        response = client.open(path, method=method, headers=BROWSER)
        assert_refused(response, path, 405)
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}, method


UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade"}


@pytest.mark.parametrize("family", [name for name in ROUTES if name != "metrics"])
def test_an_upgrade_to_websocket_is_ignored_whether_the_answer_is_kept_or_not(
    new_app: Callable[[], Flask], family: str
) -> None:
    """An HTTP/1.1 server may ignore Upgrade (RFC 9110, section 7.8): the document it asks."""
    path = ROUTES[family]
    client = new_app().test_client()
    first = client.get(path, headers=UPGRADE)  # rendered: no copy kept yet
    plain = client.get(path)
    again = client.get(path, headers=UPGRADE)  # answered from the kept copy, if kept
    for answer in (first, again):
        assert (answer.status_code, answer.data) == (200, plain.data)
        assert answer.headers.get("ETag") == plain.headers.get("ETag")


@pytest.mark.parametrize("family", ["issues feed", "api list", "home"])
def test_huge_headers_reaching_the_app_change_nothing(client: FlaskClient, family: str) -> None:
    """gunicorn refuses more than its limits; what it lets through is read without trouble."""
    path = ROUTES[family]
    plain = client.get(path)
    many = {f"X-Filler-{number}": "x" * 100 for number in range(300)}
    huge = {"Cookie": "c=" + "x" * 65536, "Accept-Language": "en;q=0.5," * 2000}
    response = client.get(path, headers={**many, **huge})
    assert (response.status_code, response.data) == (200, plain.data)


# Header injection


@pytest.mark.parametrize("family", ROUTES)
def test_no_input_splits_or_adds_a_response_header(client: FlaskClient, family: str) -> None:
    path = ROUTES[family]
    joiner = "&" if "?" in path else "?"
    hostile = "a\r\nSet-Cookie: evil=1\r\nX-Injected: 1"
    response = client.get(
        f"{path}{joiner}%0d%0aSet-Cookie:%20evil=1",
        headers=BROWSER,
        environ_overrides={"HTTP_X_REQUEST_ID": hostile, "HTTP_ORIGIN": hostile},
    )
    assert response.status_code < 500
    assert "Set-Cookie" not in response.headers and "X-Injected" not in response.headers
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, name
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_link_headers_encode_what_the_query_carried(client: FlaskClient) -> None:
    response = client.get("/api/v1/issues?per_page=2&q=article%0d%0aX-Injected:%201")
    assert response.status_code == 200
    assert "q=article%0D%0AX-Injected%3A+1" in response.headers["Link"]
    assert "X-Injected" not in response.headers


# Security headers


def every_kind_of_answer(client: FlaskClient, path: str) -> Iterator[tuple[str, TestResponse]]:
    """GET, HEAD, 304, OPTIONS, a 404 and a 405 at this route family."""
    first = client.get(path, headers=BROWSER)
    yield "GET", first
    yield "HEAD", client.head(path, headers=BROWSER)
    if "ETag" in first.headers:
        yield "304", client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    yield "OPTIONS", client.options(path)
    yield "404", client.get(path.split("?")[0] + "/nothing", headers=BROWSER)
    yield "405", client.post(path, headers=BROWSER)


def is_html(client: FlaskClient, kind: str, response: TestResponse, path: str) -> bool:
    if kind == "304":  # a 304 has no type: it is what the 200 was
        return client.get(path, headers=BROWSER).mimetype == "text/html"
    return response.mimetype == "text/html"


@pytest.mark.parametrize("family", ROUTES)
def test_every_answer_says_nosniff_and_html_has_a_strict_policy(
    client: FlaskClient, family: str
) -> None:
    path = ROUTES[family]
    for kind, response in every_kind_of_answer(client, path):
        assert response.headers.get("X-Content-Type-Options") == "nosniff", kind
        if is_html(client, kind, response, path):
            policy = response.headers["Content-Security-Policy"]
            assert "default-src 'none'" in policy, kind
            assert "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy, kind
            assert "unsafe-" not in policy, kind
            assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", kind


def test_docs_page_runs_only_its_own_scripts(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    inline = re.findall(rb"<script>(.*?)</script>", response.data, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "validator.swagger.io" not in response.get_data(as_text=True)


# Through gunicorn: its limits, its own refusals, forwarded headers


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[Server]:
    with one_server(store) as server:
        yield server


def send(server: Server, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Bytes sent as they are on a new connection: the status, headers and body answered."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def request_line(length: int) -> bytes:
    """`GET /aaa... HTTP/1.1` of exactly `length` bytes."""
    return b"GET /" + b"a" * (length - len(b"GET / HTTP/1.1")) + b" HTTP/1.1"


def fields(count: int) -> bytes:
    return b"".join(b"X-Filler-%d: x\r\n" % number for number in range(count))


def field_line(length: int) -> bytes:
    """One header field line of exactly `length` bytes, its CRLF included."""
    return b"X-Big: " + b"x" * (length - len(b"X-Big: \r\n")) + b"\r\n"


def get(target: bytes, headers: bytes = b"") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n"


REFUSED_BY_GUNICORN = {
    "request line over the limit": (
        request_line(4095) + b"\r\nHost: x\r\nConnection: close\r\n\r\n",
        "414 URI Too Long",
    ),
    "too many header fields": (
        get(b"/healthz", fields(99)),  # with Host and Connection: 101
        "431 Request Header Fields Too Large",
    ),
    "header field over the limit": (
        get(b"/healthz", field_line(8191)),
        "431 Request Header Fields Too Large",
    ),
    "not HTTP": (b"HELLO\r\n\r\n", "400 Bad Request"),
    "bad method": (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", "400 Bad Request"),
    "lowercase method": (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", "400 Bad Request"),
    "bad version": (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", "400 Bad Request"),
    "NUL in the path": (get(b"/issues/a\x00b"), "400 Bad Request"),
    "raw byte in the query": (get(b"/search?q=\xff"), "400 Bad Request"),
    "CR in a header value": (get(b"/", b"X-Request-Id: a\rb\r\n"), "400 Bad Request"),
    "two Host headers": (get(b"/", b"Host: y\r\n"), "400 Bad Request"),
}


@pytest.mark.parametrize("sent", REFUSED_BY_GUNICORN.values(), ids=REFUSED_BY_GUNICORN.keys())
def test_gunicorns_own_refusals_are_plain_text_with_nosniff(
    server: Server, sent: tuple[bytes, str]
) -> None:
    data, expected = sent
    status, headers, body = send(server, data)
    assert status == int(expected[:3])
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == f"{expected}\n".encode()


@pytest.mark.parametrize("sent", REFUSED_BY_GUNICORN.values(), ids=REFUSED_BY_GUNICORN.keys())
def test_gunicorns_own_refusals_are_never_kept_by_a_cache(
    server: Server, sent: tuple[bytes, str]
) -> None:
    status, headers, _ = send(server, sent[0])
    assert status == int(sent[1][:3])
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "data",
    [
        request_line(4094) + b"\r\nHost: x\r\nConnection: close\r\n\r\n",
        get(b"/healthz", fields(98)),  # 100 fields with Host and Connection
        get(b"/healthz", field_line(8190)),
    ],
    ids=["longest request line", "most header fields", "longest header field"],
)
def test_requests_at_gunicorns_limits_reach_the_app(server: Server, data: bytes) -> None:
    """The limits in service/gunicorn_conf.py are what gunicorn applies, to the byte."""
    status, headers, _ = send(server, data)
    assert status in (200, 404)
    assert "X-Request-Id" in headers  # set by the app, which gunicorn's own answers lack


def test_forwarding_headers_through_gunicorn_change_nothing(server: Server) -> None:
    """No proxy is trusted, loopback included: trusted, these would be a 400 and a moved route."""
    clean = send(server, get(b"/feeds/issues.atom"))
    forged = b"".join(
        f"{name}: {value}\r\n".encode()
        for name, value in {
            **{name: value for name, value in HOSTILE_FORWARDING.items() if name != "Host"},
            "X-Forwarded-Ssl": "off",
            "SCRIPT_NAME": "/feeds",
            "PATH_INFO": "/evil",
        }.items()
    )
    status, headers, body = send(server, get(b"/feeds/issues.atom", forged))
    assert (status, body) == (200, clean[2])
    assert headers["ETag"] == clean[1]["ETag"]


def test_every_spelling_of_a_path_through_gunicorn_is_the_same_document(server: Server) -> None:
    """gunicorn hands on `////feeds/issues.atom` as it came (the PATH_INFO that the test above
    gives the app), and Werkzeug routes it."""
    answers = [send(server, get(b"/" * n + b"feeds/issues.atom")) for n in (1, 2, 8, 300)]
    status, headers, body = answers[0]
    assert status == 200
    for again in answers[1:]:
        assert (again[0], again[1]["ETag"], again[2]) == (200, headers["ETag"], body)
    as_it_came = "/" * 300 + "feeds/issues.atom"
    wait_until(
        lambda: any(line["path"] == as_it_came for line in access_log(server)),
        5,
        "access log line with the path as it came",
    )


def test_an_upgrade_to_websocket_through_gunicorn_is_the_document(server: Server) -> None:
    plain = send(server, get(b"/feeds/articles.atom"))
    upgrade = b"".join(f"{name}: {value}\r\n".encode() for name, value in UPGRADE.items())
    for _ in range(2):
        status, headers, body = send(server, get(b"/feeds/articles.atom", upgrade))
        assert (status, headers["ETag"], body) == (200, plain[1]["ETag"], plain[2])
        assert "Upgrade" not in headers


def test_every_route_family_through_gunicorn_says_nosniff(server: Server) -> None:
    netloc = urllib.parse.urlsplit(server.url).netloc
    for family, path in ROUTES.items():
        connection = http.client.HTTPConnection(netloc, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": "evil.example"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        assert response.status == 200, family
        assert response.headers["X-Content-Type-Options"] == "nosniff", family
        assert b"evil.example" not in body, family


def test_sync_workers_for_measuring_refuse_in_plain_text_too(store: Path) -> None:
    with one_server(store, BRIEFING_WORKER_CLASS="sync", BRIEFING_THREADS="1") as server:
        data, expected = REFUSED_BY_GUNICORN["request line over the limit"]
        status, headers, body = send(server, data)
        assert (status, body) == (414, f"{expected}\n".encode())
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Using worker: service.worker.SyncWorker" in server.log.read_text()
