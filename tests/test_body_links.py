"""Links in a body reach readers whole: relative ones made absolute, scheme-relative refused.

Feed readers and mail clients show a body away from the site, where `/issues/2011-01-12`
would lead to the reader's own host, so a build makes every relative link absolute against
the publication's base URL, from the page the article is shown on. `//host/path` takes its
scheme from wherever it is shown: `briefing check` refuses it at its line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
from click.testing import Result
from flask import Flask

from service import create_app
from service.store import Store
from tests.factories import ContentTree

BODY = (
    "See [the first issue](/issues/2011-01-12), [the next one](2011-02-09) and\n"
    "[the article before](#article-1-of-2011-01-26); ![a chart](/charts/rent.png),\n"
    "[the report](https://example.org/report) and [the desk](mailto:desk@briefing.test).\n"
)
ABSOLUTE = [
    "https://briefing.test/issues/2011-01-12",
    "https://briefing.test/issues/2011-02-09",
    "https://briefing.test/issues/2011-01-26#article-1-of-2011-01-26",
    "https://briefing.test/charts/rent.png",
    "https://example.org/report",
    "mailto:desk@briefing.test",
]


def addresses(body_html: str) -> list[str]:
    """The addresses of a body's links and images, in document order."""
    tree = lxml.html.fragment_fromstring(body_html, create_parent="div")
    return [str(url) for url in tree.xpath("//a/@href | //img/@src")]


@pytest.fixture
def linking(content: ContentTree) -> ContentTree:
    content.issue("2011-01-12")
    content.issue("2011-01-26")
    content.article("2011-01-26", "02-links.md", body=BODY, headline="Links", tags=["linked"])
    return content


def test_relative_links_are_built_absolute_against_the_base_url(
    linking: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    article = build_store(linking).article("2011-01-26", "links")
    assert addresses(article.body_html) == ABSOLUTE


def test_every_output_carries_the_absolute_links(
    linking: ContentTree, build_store: Callable[[ContentTree], Store], app: Flask
) -> None:
    build_store(linking)
    client = app.test_client()
    api = client.get("/api/v1/issues/2011-01-26/articles/links").json["body_html"]
    feed = json.loads(client.get("/feeds/tags/linked.json").data)["items"][0]["content_html"]
    page = lxml.html.fromstring(client.get("/issues/2011-01-26").data)
    (article,) = page.xpath("//*[@id='links']")
    on_page = [str(url) for url in article.xpath(".//p//a/@href | .//p//img/@src")]
    assert addresses(api) == ABSOLUTE
    assert ABSOLUTE[0] in addresses(feed) and ABSOLUTE[3] in addresses(feed)
    assert all(url in on_page for url in ABSOLUTE)


def test_paths_are_read_below_a_base_url_with_a_path(
    linking: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    linking.publication(base_url="https://example.org/briefing/")
    article = build_store(linking).article("2011-01-26", "links")
    assert addresses(article.body_html)[:4] == [
        "https://example.org/briefing/issues/2011-01-12",
        "https://example.org/briefing/issues/2011-02-09",
        "https://example.org/briefing/issues/2011-01-26#article-1-of-2011-01-26",
        "https://example.org/briefing/charts/rent.png",
    ]


def test_body_links_to_the_site_follow_the_served_base_url(
    linking: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    linking.article(
        "2011-01-26",
        "03-look-alike.md",
        body="[Not ours](https://briefing.test.example/issues/2011-01-12).",
        headline="Look-alike",
    )
    build_store(linking)
    client = create_app({"STORE": str(store_path), "BASE_URL": "http://127.0.0.1:9/"}).test_client()
    local = [url.replace("https://briefing.test/", "http://127.0.0.1:9/") for url in ABSOLUTE]
    api = client.get("/api/v1/issues/2011-01-26/articles/links").json["body_html"]
    page = lxml.html.fromstring(client.get("/issues/2011-01-26").data)
    look_alike = client.get("/api/v1/issues/2011-01-26/articles/look-alike").json["body_html"]
    assert addresses(api) == local
    assert all(url in page.xpath("//p//a/@href | //p//img/@src") for url in local)
    assert addresses(look_alike) == ["https://briefing.test.example/issues/2011-01-12"]


def test_incomplete_addresses_are_refused_at_their_line(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    content.issue("2011-01-12", articles=0)
    path = content.article(
        "2011-01-12",
        "01-a.md",
        headline="H",
        body="A paragraph.\n\nA [link](//evil.example/p) here,\n"
        "and ![an image](//evil.example/i.png) there.\n\n"
        "[A reference][r], [no host](https:evil.example).\n\n[r]: //evil.example/r",
    )
    result = run_cli("check", content.root)
    assert result.exit_code == 1
    advice = "is incomplete: write the whole address (https://host/path), or a path on this site"
    assert result.output.splitlines() == [
        f"{path}:8: body: The link '//evil.example/p' {advice} (/issues/2011-01-12).",
        f"{path}:9: body: The link '//evil.example/i.png' {advice} (/issues/2011-01-12).",
        f"{path}:11: body: The link '//evil.example/r' {advice} (/issues/2011-01-12).",
        f"{path}:11: body: The link 'https:evil.example' {advice} (/issues/2011-01-12).",
        "4 error(s); nothing was built.",
    ]


def test_the_sanitiser_drops_a_scheme_relative_address() -> None:
    from service.content.markdown import render_body

    rendered = render_body("[x](//evil.example/p)", "https://b.test", "https://b.test/issues/a")
    assert addresses(rendered.html) == []
