"""The oEmbed provider: answers for issue and article addresses, refusals for anything else, the
spec's XML, caching and CORS, and a real consumer (pyembed) against a real server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import lxml.etree
import lxml.html
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyembed.core import PyEmbed, consumer
from pyembed.core.discovery import AutoDiscoverer, StaticDiscoverer, StaticDiscoveryEndpoint
from werkzeug.test import TestResponse

from service import create_app
from service.store import Store
from tests.factories import REPO, ContentTree
from tests.servers import Server, one_server

BASE = "https://briefing.test"
ISSUE = f"{BASE}/issues/2024-01-24"
ARTICLE = f"{ISSUE}#rent-caps-the-council"
CARD = f"{BASE}/embed/issues/2024-01-24"
PROBLEM = "application/problem+json"


def write_content(tree: ContentTree) -> None:
    """Two issues; the second has an article by a named author, its headline awkward text."""
    tree.issue("2024-01-10", number=1)
    tree.issue("2024-01-24", number=2, title="Rents and councils")
    tree.article(
        "2024-01-24",
        "02-rent.md",
        headline="Rent caps & <the> council",
        standfirst="A cap on rents, “at last”.",
        authors=[{"name": "Ada Writer", "url": "https://example.org/ada"}],
    )


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    write_content(content)
    build_store(content)
    return app.test_client()


def oembed(client: FlaskClient, url: str, **parameters: str) -> TestResponse:
    return client.get("/oembed?" + urlencode({"url": url, **parameters}))


def answered(client: FlaskClient, url: str, **parameters: str) -> dict[str, Any]:
    response = oembed(client, url, **parameters)
    assert response.status_code == 200, response.data
    assert response.content_type == "application/json; charset=utf-8"
    embed: dict[str, Any] = response.json
    return embed


def frame(embed: dict[str, Any]) -> lxml.html.HtmlElement:
    (iframe,) = lxml.html.fragments_fromstring(embed["html"])
    return iframe


def invalid_params(response: TestResponse) -> list[str]:
    assert response.mimetype == PROBLEM
    return [param["name"] for param in response.json["invalid_params"]]


# Answers


def test_an_issue_address_answers_a_rich_embed_of_its_card(client: FlaskClient) -> None:
    embed = answered(client, ISSUE)
    assert embed["type"] == "rich" and embed["version"] == "1.0"
    assert embed["title"] == "Rents and councils"
    assert (embed["author_name"], embed["provider_name"]) == ("Test Desk", "Test Briefing")
    assert embed["provider_url"] == f"{BASE}/"
    assert embed["cache_age"] == 300
    assert (embed["width"], embed["height"]) == (480, 360)
    iframe = frame(embed)
    assert iframe.tag == "iframe" and iframe.get("src") == CARD
    assert (iframe.get("width"), iframe.get("height")) == ("480", "360")
    assert iframe.get("title") == "Test Briefing: Rents and councils"


def test_an_article_address_embeds_its_issues_card_at_the_article(client: FlaskClient) -> None:
    embed = answered(client, ARTICLE)
    assert embed["title"] == "Rent caps & <the> council"
    assert (embed["author_name"], embed["author_url"]) == ("Ada Writer", "https://example.org/ada")
    assert frame(embed).get("src") == f"{CARD}#rent-caps-the-council"
    assert "<the>" not in embed["html"]  # the headline, in the frame's title, is escaped


def test_maxwidth_and_maxheight_bound_the_frame_and_its_thumbnail(client: FlaskClient) -> None:
    embed = answered(client, ISSUE, maxwidth="300", maxheight="20")
    assert (embed["width"], embed["height"]) == (300, 20)
    assert (frame(embed).get("width"), frame(embed).get("height")) == ("300", "20")
    assert embed["thumbnail_width"] <= 300 and embed["thumbnail_height"] <= 20


def test_a_maximum_larger_than_the_card_leaves_the_card_its_own_size(client: FlaskClient) -> None:
    embed = answered(client, ISSUE, maxwidth="4000", maxheight="4000")
    assert (embed["width"], embed["height"]) == (480, 360)


def test_the_thumbnail_is_the_pages_icon_at_its_drawn_size(client: FlaskClient) -> None:
    embed = answered(client, ISSUE)
    icon = lxml.html.fromstring(client.get("/issues/2024-01-24").data).xpath(
        "//link[@rel='icon']/@href"
    )
    assert [embed["thumbnail_url"]] == icon
    svg = lxml.etree.fromstring((REPO / "service" / "static" / "icon.svg").read_bytes())
    width, height = svg.get("viewBox").split()[2:]
    assert (embed["thumbnail_width"], embed["thumbnail_height"]) == (int(width), int(height))


def test_no_thumbnail_when_the_publications_own_icon_is_of_unknown_size(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.publication(icon="https://briefing.test/icon.png")
    write_content(content)
    build_store(content)
    embed = answered(app.test_client(), ISSUE)
    assert not {"thumbnail_url", "thumbnail_width", "thumbnail_height"} & set(embed)


def test_xml_is_the_specs_oembed_element_holding_the_same_answer(client: FlaskClient) -> None:
    response = oembed(client, ARTICLE, format="xml")
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    root = lxml.etree.fromstring(response.data)
    assert root.tag == "oembed"
    fields = {element.tag: element.text for element in root}
    assert fields == {name: str(value) for name, value in answered(client, ARTICLE).items()}


@pytest.mark.parametrize(
    "address",
    [
        f"{ISSUE}?utm_source=newsletter",  # the page ignores its query
        "HTTPS://BRIEFING.TEST/issues/2024-01-24",  # scheme and host are case-insensitive
        f"{BASE}/issues/2024%2D01-24",  # the same path, percent-encoded
        f"{ISSUE}#",  # an empty fragment names no article
    ],
)
def test_other_spellings_of_an_issues_address_embed_the_issue(
    client: FlaskClient, address: str
) -> None:
    assert frame(answered(client, address)).get("src") == CARD


# Refusals


@pytest.mark.parametrize(
    "address",
    [
        "https://elsewhere.test/issues/2024-01-24",
        "http://briefing.test/issues/2024-01-24",
        f"{ISSUE}/",  # the site serves no page there
        f"{ISSUE}/articles/rent-caps-the-council",
        f"{BASE}/issues/",
        f"{BASE}/",
        f"{BASE}/tags/rent",
        f"{BASE}/embed/issues/2024-01-24",
        f"{BASE}/issues/1999-01-01",
        f"{ISSUE}#no-such-article",
        "https://[::1/issues/2024-01-24",
        "2024-01-24",
    ],
)
def test_an_address_that_is_not_an_issue_or_an_article_here_is_404_naming_url(
    client: FlaskClient, address: str
) -> None:
    response = oembed(client, address)
    assert response.status_code == 404
    assert invalid_params(response) == ["url"]
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_format_other_than_json_or_xml_is_501_as_the_spec_says(client: FlaskClient) -> None:
    response = oembed(client, ISSUE, format="yaml")
    assert response.status_code == 501
    assert invalid_params(response) == ["format"]
    assert "json or xml" in response.json["detail"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("", ["url"]),
        (f"url={quote(ISSUE)}&maxwidth=0", ["maxwidth"]),
        (f"url={quote(ISSUE)}&maxwidth=wide&maxheight=-5", ["maxwidth", "maxheight"]),
        (f"url={quote(ISSUE)}&maxheight=05", ["maxheight"]),
        (f"url={quote(ISSUE)}&url={quote(ARTICLE)}", ["url"]),
        (f"url={quote(ISSUE)}&maxwidth=%zz", ["maxwidth"]),
        ("url=" + "x" * 2001, ["url"]),
    ],
)
def test_bad_parameters_are_400_naming_each(
    client: FlaskClient, query: str, named: list[str]
) -> None:
    response = client.get(f"/oembed?{query}")
    assert response.status_code == 400
    assert invalid_params(response) == named
    assert response.headers["Cache-Control"] == "no-store"


def test_parameters_other_consumers_send_are_ignored(client: FlaskClient) -> None:
    assert answered(client, ISSUE, dnt="1", discover="false") == answered(client, ISSUE)


# HTTP


def test_an_answer_is_cached_and_revalidated_like_the_apis(client: FlaskClient) -> None:
    first = oembed(client, ISSUE)
    assert first.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60, stale-if-error=604800"
    )
    assert first.headers["Vary"] == "Accept-Encoding"
    assert first.headers["Last-Modified"] == "Wed, 24 Jan 2024 00:00:00 GMT"
    again = client.get(first.request.full_path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = client.head(first.request.full_path)
    assert head.headers["ETag"] == first.headers["ETag"] and head.data == b""


def test_any_origin_may_read_answers_and_refusals(client: FlaskClient) -> None:
    origin = {"Origin": "https://partner.example"}
    for response in (
        client.get(f"/oembed?url={quote(ISSUE)}", headers=origin),
        client.get("/oembed?url=nothing", headers=origin),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/oembed", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_the_same_store_answers_the_same_bytes(
    tmp_path: Path, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    write_content(content)
    answers = []
    for name in ("one", "two"):
        store = content.build(tmp_path / name / "briefing.sqlite3")
        app = create_app({"STORE": str(store), "STORE_CHECK_INTERVAL": 0})
        answers.append(oembed(app.test_client(), ARTICLE, format="xml").data)
    assert answers[0] == answers[1]


# Discovery


def test_an_issue_page_links_its_oembed_in_json_and_xml(client: FlaskClient) -> None:
    page = lxml.html.fromstring(client.get("/issues/2024-01-24").data)
    found = {
        link.get("type"): (link.get("href"), link.get("title"))
        for link in page.xpath("//head/link[@rel='alternate'][contains(@type, 'oembed')]")
    }
    assert found == {
        "application/json+oembed": (
            f"{BASE}/oembed?url={quote(ISSUE, safe='')}&format=json",
            "Rents and councils",
        ),
        "text/xml+oembed": (
            f"{BASE}/oembed?url={quote(ISSUE, safe='')}&format=xml",
            "Rents and councils",
        ),
    }


@pytest.mark.parametrize("path", ["/", "/tags/rent", "/subscribe", "/search?q=rent"])
def test_pages_that_are_not_issues_offer_no_oembed(client: FlaskClient, path: str) -> None:
    page = lxml.html.fromstring(client.get(path).data)
    assert page.xpath("//link[contains(@type, 'oembed')]") == []


# A real consumer against a real server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The two issues, served by `briefing serve` with every link pointing at itself."""
    root = tmp_path_factory.mktemp("oembed")
    tree = ContentTree(root / "content")
    tree.publication()
    write_content(tree)
    store = tree.build(root / "var" / "briefing.sqlite3")
    with one_server(store, own_base_url=True) as started:
        yield started


def test_a_real_consumer_turns_an_issue_page_into_its_card_by_discovery(server: Server) -> None:
    embed = PyEmbed(discoverer=AutoDiscoverer()).embed(
        f"{server.url}/issues/2024-01-24", max_width=300
    )
    (iframe,) = lxml.html.fragments_fromstring(embed)
    assert iframe.get("src") == f"{server.url}/embed/issues/2024-01-24"
    assert iframe.get("width") == "300"
    card = requests.get(iframe.get("src"), timeout=5)
    assert card.status_code == 200
    assert "Rents and councils" in card.text


# pyembed reads XML with BeautifulSoup's HTML parser, which BeautifulSoup warns it about.
@pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")
def test_a_real_consumer_reads_the_xml_answer_it_discovers(server: Server) -> None:
    (url,) = AutoDiscoverer().get_oembed_urls(f"{server.url}/issues/2024-01-24", "xml")
    embed = consumer.get_first_oembed_response([url], max_height=200)
    assert (embed.type, embed.title, embed.height) == ("rich", "Rents and councils", 200)
    (iframe,) = lxml.html.fragments_fromstring(embed.html)
    assert iframe.get("src") == f"{server.url}/embed/issues/2024-01-24"


def test_a_consumer_given_the_providers_scheme_embeds_an_article(server: Server) -> None:
    """Discovery reads the issue page, whose fragment no server sees: an article's card comes
    to consumers that know the scheme, as oEmbed's providers list gives it."""
    endpoint = StaticDiscoveryEndpoint(
        {"schemes": [f"{server.url}/issues/*"], "url": f"{server.url}/oembed"}
    )
    article = f"{server.url}/issues/2024-01-24#rent-caps-the-council"
    embed = PyEmbed(discoverer=StaticDiscoverer([endpoint])).embed(article)
    (iframe,) = lxml.html.fragments_fromstring(embed)
    assert iframe.get("src") == f"{server.url}/embed/issues/2024-01-24#rent-caps-the-council"


# Whatever the query


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("oembed-fuzz")
    tree = ContentTree(root / "content")
    tree.publication()
    write_content(tree)
    store = tree.build(root / "var" / "briefing.sqlite3")
    return create_app({"STORE": str(store), "STORE_CHECK_INTERVAL": 60})


VALUES = st.one_of(
    st.sampled_from([ISSUE, ARTICLE, f"{ISSUE}/", "https://[::1", "%zz", "%ff", "", "0", "300"]),
    st.text(st.characters(codec="latin-1"), max_size=60),
)
PAIRS = st.lists(
    st.tuples(st.sampled_from(["url", "format", "maxwidth", "maxheight", "x"]), VALUES),
    max_size=5,
)


@given(pairs=PAIRS)
@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_query_answers_an_embed_or_a_problem_never_a_failure(
    fuzzed_app: Flask, pairs: list[tuple[str, str]]
) -> None:
    query = "&".join(f"{name}={value}" for name, value in pairs)
    response = fuzzed_app.test_client().get("/oembed", environ_overrides={"QUERY_STRING": query})
    assert response.status_code in (200, 400, 404, 501), response.data
    expected = (PROBLEM,) if response.status_code != 200 else ("application/json", "text/xml")
    assert response.mimetype in expected


# Renamed and withdrawn


def test_an_old_address_moves_to_the_answer_for_the_new_one(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    """An alias answers a 301 to this endpoint for the new address, the other parameters kept."""
    content.issue("2024-01-10-special", aliases=["2024-01-10"], date=dt.date(2024, 1, 10))
    content.issue("2024-01-24", articles=0)
    content.article("2024-01-24", "01-rent.md", headline="Rent caps", aliases=["rents"])
    build_store(content)
    client = app.test_client()
    for old, new in [
        (f"{BASE}/issues/2024-01-10", f"{BASE}/issues/2024-01-10-special"),
        (f"{ISSUE}#rents", f"{ISSUE}#rent-caps"),
    ]:
        response = oembed(client, old, format="xml", maxwidth="300")
        assert response.status_code == 301, (old, response.data)
        assert response.headers["Location"] == f"{BASE}/oembed?" + urlencode(
            {"url": new, "format": "xml", "maxwidth": "300"}
        )
        followed = client.get(response.headers["Location"].removeprefix(BASE))
        assert followed.status_code == 200, (new, followed.data)


def test_a_withdrawn_issue_is_gone_naming_why(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    write_content(content)
    build_store(content)
    withdrawn_at = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    content.issue("2024-01-10", number=1, withdrawn="Printed in error.", withdrawn_at=withdrawn_at)
    build_store(content)
    response = oembed(app.test_client(), f"{BASE}/issues/2024-01-10")
    assert response.status_code == 410
    assert response.mimetype == PROBLEM
    assert "Printed in error." in response.json["detail"]
