"""What machines read of the pages: schema.org JSON-LD on issue pages, read by extruct as search
engines read it, and microformats2 on the home, tag and issue pages, read by mf2py as IndieWeb
readers and Bridgy Fed read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import extruct
import lxml.html
import mf2py
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.pages import ASSETS
from service.store import Store
from tests.factories import ContentTree

BASE = "https://briefing.test"
ISSUE = f"{BASE}/issues/2024-01-24"
HOSTILE = "Rents </script><script>alert(1)</script> & <!-- caps"
CORRECTED_AT = dt.datetime(2024, 1, 30, 9, tzinfo=dt.UTC)
ICON = f"{BASE}/assets/icon.svg?v={ASSETS['icon.svg'].version}"


@pytest.fixture
def client(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> FlaskClient:
    """Two issues; the second numbered, of an authored and corrected article and one by no one."""
    content.issue("2024-01-10")
    content.issue("2024-01-24", articles=0, number=7, title="Housing", tags=["housing"])
    content.article(
        "2024-01-24",
        "01-rent.md",
        body="Rents rose **far**.",
        headline="Rent caps",
        standfirst="A cap on rents, at last.",
        tags=["rent"],
        authors=[{"name": "Ada Writer", "url": "https://example.org/ada"}, {"name": "Bo Li"}],
        corrections=[{"date": CORRECTED_AT, "text": "The cap is 5%, not 10%."}],
    )
    content.article("2024-01-24", "02-halls.md", headline="Village halls")
    build_store(content)
    return app.test_client()


def linked_data(client: FlaskClient, path: str) -> dict[str, dict[str, Any]]:
    """The nodes of the page's JSON-LD, as extruct reads them, by their @id."""
    response = client.get(path)
    assert response.status_code == 200
    (document,) = extruct.extract(response.get_data(as_text=True), syntaxes=["json-ld"])["json-ld"]
    assert document["@context"] == "https://schema.org"
    return {node["@id"]: node for node in document["@graph"]}


def h_feed(client: FlaskClient, path: str) -> dict[str, Any]:
    """The page's one h-feed, as mf2py reads it: its entries are its children."""
    response = client.get(path)
    assert response.status_code == 200
    parsed = mf2py.parse(doc=response.get_data(as_text=True), url=f"{BASE}{path}")
    (feed,) = parsed["items"]
    assert feed["type"] == ["h-feed"]
    assert all(entry["type"] == ["h-entry"] for entry in feed["children"])
    return feed


def entries(client: FlaskClient, path: str) -> dict[str, dict[str, list[Any]]]:
    """The properties of each h-entry of the page's h-feed, by its URL."""
    children = h_feed(client, path)["children"]
    return {entry["properties"]["url"][0]: entry["properties"] for entry in children}


def card(author: dict[str, Any]) -> tuple[str, ...]:
    assert author["type"] == ["h-card"]
    return (*author["properties"]["name"], *author["properties"].get("url", []))


# JSON-LD on issue pages


def test_issue_page_describes_the_issue_as_part_of_the_periodical(client: FlaskClient) -> None:
    nodes = linked_data(client, "/issues/2024-01-24")
    issue = nodes[ISSUE]
    assert issue["@type"] == "PublicationIssue"
    assert (issue["name"], issue["issueNumber"], issue["url"]) == ("Housing", 7, ISSUE)
    assert issue["datePublished"] == "2024-01-24T00:00:00+00:00"
    assert issue["isPartOf"] == {"@id": f"{BASE}/#periodical"}
    assert issue["hasPart"] == [{"@id": f"{ISSUE}#rent-caps"}, {"@id": f"{ISSUE}#village-halls"}]


def test_the_periodical_is_named_with_its_url_and_publisher(client: FlaskClient) -> None:
    periodical = linked_data(client, "/issues/2024-01-24")[f"{BASE}/#periodical"]
    assert periodical["@type"] == "Periodical"
    assert (periodical["name"], periodical["url"]) == ("Test Briefing", f"{BASE}/")
    assert periodical["inLanguage"] == "en-GB"
    assert periodical["publisher"]["name"] == "Test Desk"


def test_each_article_is_a_news_article_of_the_issue(client: FlaskClient) -> None:
    article = linked_data(client, "/issues/2024-01-24")[f"{ISSUE}#rent-caps"]
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Rent caps"
    assert article["description"] == "A cap on rents, at last."
    assert article["url"] == article["mainEntityOfPage"] == f"{ISSUE}#rent-caps"
    assert article["isPartOf"] == {"@id": ISSUE}
    assert article["keywords"] == ["rent", "housing"]


def test_an_articles_authors_are_people(client: FlaskClient) -> None:
    article = linked_data(client, "/issues/2024-01-24")[f"{ISSUE}#rent-caps"]
    assert article["author"] == [
        {"@type": "Person", "name": "Ada Writer", "url": "https://example.org/ada"},
        {"@type": "Person", "name": "Bo Li"},
    ]


def test_an_article_by_no_one_named_is_by_the_publications_author(client: FlaskClient) -> None:
    nodes = linked_data(client, "/issues/2024-01-24")
    (author,) = nodes[f"{ISSUE}#village-halls"]["author"]
    assert author == nodes[f"{ISSUE}#village-halls"]["publisher"]
    assert (author["@type"], author["name"], author["url"]) == (
        "Organization",
        "Test Desk",
        f"{BASE}/",
    )


def test_the_publisher_has_the_sites_icon_as_its_logo_at_an_absolute_url(
    client: FlaskClient,
) -> None:
    publisher = linked_data(client, "/issues/2024-01-24")[f"{ISSUE}#rent-caps"]["publisher"]
    assert publisher["@id"] == f"{BASE}/#publisher"
    assert publisher["logo"] == {"@type": "ImageObject", "url": ICON}
    assert client.get(ICON.removeprefix(BASE)).status_code == 200


def test_the_publications_own_logo_is_the_publishers(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.publication(
        logo="https://cdn.example.org/logo.png", icon="https://cdn.example.org/i.png"
    )
    content.issue("2024-01-10")
    build_store(content)
    nodes = linked_data(app.test_client(), "/issues/2024-01-10")
    publisher = nodes[f"{BASE}/#periodical"]["publisher"]
    assert publisher["logo"]["url"] == "https://cdn.example.org/logo.png"


def test_a_correction_moves_the_articles_date_modified_and_not_its_date_published(
    client: FlaskClient,
) -> None:
    nodes = linked_data(client, "/issues/2024-01-24")
    corrected, untouched = nodes[f"{ISSUE}#rent-caps"], nodes[f"{ISSUE}#village-halls"]
    assert corrected["datePublished"] == untouched["datePublished"] == "2024-01-24T00:00:00+00:00"
    assert corrected["dateModified"] == "2024-01-30T09:00:00+00:00"
    assert untouched["dateModified"] == "2024-01-24T00:00:00+00:00"


def test_a_headline_that_closes_the_script_element_stays_inside_the_json_ld(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2024-01-10", articles=0)
    content.article("2024-01-10", "01-rents.md", headline=HOSTILE, standfirst=f"Also {HOSTILE}")
    build_store(content)
    page = app.test_client().get("/issues/2024-01-10").get_data(as_text=True)
    (script,) = lxml.html.fromstring(page).xpath("//script")
    assert script.get("type") == "application/ld+json"
    assert not {"<", ">", "&"} & set(script.text)
    (article,) = [
        node
        for node in linked_data(app.test_client(), "/issues/2024-01-10").values()
        if node["@type"] == "NewsArticle"
    ]
    assert (article["headline"], article["description"]) == (HOSTILE, f"Also {HOSTILE}")


# Microformats2 on the home, tag and issue pages


def test_home_is_an_h_feed_of_the_articles_of_its_issues(client: FlaskClient) -> None:
    feed = h_feed(client, "/")
    assert feed["properties"]["name"] == ["Test Briefing"]
    shown = entries(client, "/")
    assert list(shown) == [
        f"{ISSUE}#rent-caps",
        f"{ISSUE}#village-halls",
        f"{BASE}/issues/2024-01-10#article-1-of-2024-01-10",
    ]
    rent = shown[f"{ISSUE}#rent-caps"]
    assert (rent["name"], rent["summary"]) == (["Rent caps"], ["A cap on rents, at last."])
    assert rent["published"] == ["2024-01-24T00:00:00+0000"]
    assert "content" not in rent


def test_tag_page_is_an_h_feed_of_the_tagged_articles_only(client: FlaskClient) -> None:
    feed = h_feed(client, "/tags/rent")
    assert feed["properties"]["name"] == ["Tagged “rent”"]
    assert list(entries(client, "/tags/rent")) == [f"{ISSUE}#rent-caps"]


def test_issue_page_is_an_h_feed_of_its_articles_with_their_content(client: FlaskClient) -> None:
    feed = h_feed(client, "/issues/2024-01-24")
    assert feed["properties"]["name"] == ["Housing"]
    rent, halls = entries(client, "/issues/2024-01-24").values()
    assert (rent["name"], rent["url"]) == (["Rent caps"], [f"{ISSUE}#rent-caps"])
    assert rent["summary"] == ["A cap on rents, at last."]
    assert rent["published"] == halls["published"] == ["2024-01-24T00:00:00+0000"]
    ((content,),) = [rent["content"]]
    assert content["html"].strip() == "<p>Rents rose <strong>far</strong>.</p>"
    assert content["value"] == "Rents rose far."
    assert halls["content"][0]["value"] == "A paragraph."


def test_the_lead_article_whose_headline_is_the_issues_title_keeps_its_name_and_url(
    client: FlaskClient,
) -> None:
    (lead,) = entries(client, "/issues/2024-01-10").values()
    assert lead["name"] == ["Article 1 of 2024-01-10"]
    assert lead["url"] == [f"{BASE}/issues/2024-01-10#article-1-of-2024-01-10"]


@pytest.mark.parametrize("path", ["/", "/tags/rent", "/issues/2024-01-24"])
def test_an_entrys_authors_are_h_cards(client: FlaskClient, path: str) -> None:
    rent = entries(client, path)[f"{ISSUE}#rent-caps"]
    assert [card(author) for author in rent["author"]] == [
        ("Ada Writer", "https://example.org/ada"),
        ("Bo Li",),
    ]


@pytest.mark.parametrize("path", ["/", "/issues/2024-01-24"])
def test_an_entry_by_no_one_named_is_by_the_publications_author(
    client: FlaskClient, path: str
) -> None:
    halls = entries(client, path)[f"{ISSUE}#village-halls"]
    assert [card(author) for author in halls["author"]] == [("Test Desk", f"{BASE}/")]


def test_a_corrected_entry_is_updated_at_its_latest_correction(client: FlaskClient) -> None:
    for path in ["/", "/issues/2024-01-24"]:
        shown = entries(client, path)
        assert shown[f"{ISSUE}#rent-caps"]["updated"] == ["2024-01-30T09:00:00+0000"], path
        assert shown[f"{ISSUE}#village-halls"]["updated"] == ["2024-01-24T00:00:00+0000"], path
