"""The pages offer the email edition where the publication's [email] table says how to join."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.html
import pytest
from flask import Flask

from service.store import Store
from tests.factories import EMAIL, ContentTree

ISSUE = "2024-01-24"


@pytest.fixture
def pages(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> Callable[..., Any]:
    """A page of the site built with these [email] settings (None: no [email] table)."""

    def page(path: str, email: dict[str, Any] | None) -> Any:
        content.publication(**({} if email is None else {"email": email}))
        content.issue(ISSUE)
        build_store(content).close()
        response = app.test_client().get(path)
        assert response.status_code == 200
        return lxml.html.fromstring(response.data)

    return page


def test_subscribe_offers_the_list_by_email_first_beside_the_feeds(
    pages: Callable[..., Any],
) -> None:
    page = pages("/subscribe", EMAIL)
    sections = page.xpath("//main/section")
    assert sections[0].get("id") == "email"
    assert sections[0].xpath("h2/text()") == ["By email"]
    assert sections[0].xpath(".//a/@href") == ["https://lists.briefing.test/subscribe/briefing"]
    assert sections[1].xpath("h2/text()") == ["Every issue"]


def test_subscribe_by_mailto_names_the_address_to_write_to(pages: Callable[..., Any]) -> None:
    joining = "mailto:briefing-join@lists.briefing.test?subject=subscribe"
    section = pages("/subscribe", {**EMAIL, "subscribe": joining}).xpath("//section[@id='email']")[
        0
    ]
    assert section.xpath(".//a/@href") == [joining]
    assert section.xpath(".//a/text()") == ["briefing-join@lists.briefing.test"]


@pytest.mark.parametrize(
    "email",
    [None, {key: value for key, value in EMAIL.items() if key != "subscribe"}],
    ids=["no email table", "no subscribe address"],
)
def test_without_a_way_to_join_no_page_offers_email(
    pages: Callable[..., Any], email: dict[str, Any] | None
) -> None:
    assert pages("/subscribe", email).xpath("//section[@id='email']") == []


def test_an_issue_page_links_to_subscribing_by_email(pages: Callable[..., Any]) -> None:
    page = pages(f"/issues/{ISSUE}", EMAIL)
    assert page.xpath("//a[text()='Get each issue by email']/@href") == [
        "https://briefing.test/subscribe#email"
    ]


def test_an_issue_page_offers_no_email_without_a_way_to_join(pages: Callable[..., Any]) -> None:
    assert pages(f"/issues/{ISSUE}", None).xpath("//a[text()='Get each issue by email']") == []
