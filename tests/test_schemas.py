"""The schemas dump what they load: one description of the data in both directions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from marshmallow import ValidationError

from schemas import ArticleSchema, IssueSchema, PublicationSchema
from service.store import Store
from tests.factories import PUBLICATION, ContentTree


def test_issue_dumps_its_public_representation(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0, number=1, tags=["localism"])
    content.article(
        "2011-01-12",
        "01-a.md",
        headline="Grants for groups",
        body="Small *grants*.\n\n## Why",
        sources=[{"title": "Survey", "url": "https://example.org/s"}],
        authors=[{"name": "Colin Miller"}],
    )
    dumped = IssueSchema().dump(build_store(content).issue("2011-01-12"))
    assert dumped == {
        "id": "2011-01-12",
        "number": 1,
        "date": "2011-01-12",
        "updated": "2011-01-12T00:00:00+00:00",
        "title": "Grants for groups",
        "tags": ["localism"],
        "articles": [
            {
                "id": "grants-for-groups",
                "issue_id": "2011-01-12",
                "headline": "Grants for groups",
                "standfirst": "What this article says.",
                "body_html": "<p>Small <em>grants</em>.</p>\n<h2>Why</h2>\n",
                "body_text": "Small grants.\n\nWhy",
                "headings": ["Why"],
                "sources": [{"title": "Survey", "url": "https://example.org/s"}],
                "authors": [{"name": "Colin Miller", "email": None, "url": None}],
                "tags": ["localism"],
            }
        ],
    }


def test_publication_round_trips() -> None:
    publication = PublicationSchema().load(PUBLICATION)
    assert publication.author.email == "desk@briefing.test"
    assert publication.feed_size == 20 and publication.synthetic is False
    dumped = PublicationSchema().dump(publication)
    assert PublicationSchema().load(dumped) == publication


def test_base_url_loses_its_trailing_slash() -> None:
    publication = PublicationSchema().load({**PUBLICATION, "base_url": "https://x.test/news/"})
    assert publication.base_url == "https://x.test/news"


def test_base_url_has_no_query() -> None:
    with pytest.raises(ValidationError) as raised:
        PublicationSchema().load({**PUBLICATION, "base_url": "https://x.test/?a=1"})
    assert raised.value.messages == {"base_url": ["Must not carry a query or a fragment."]}


def test_rendered_fields_cannot_be_loaded_from_content() -> None:
    with pytest.raises(ValidationError) as raised:
        ArticleSchema().load({"headline": "H", "standfirst": "S", "body": "", "body_html": "<p>"})
    assert raised.value.messages == {"body_html": ["Unknown field."]}


def test_headline_without_letters_needs_an_id() -> None:
    with pytest.raises(ValidationError) as raised:
        ArticleSchema().load({"headline": "?!", "standfirst": "S", "body": ""})
    assert raised.value.messages == {
        "id": ["The headline has no letters or digits to make an id from: set `id`."]
    }
