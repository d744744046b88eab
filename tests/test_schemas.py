"""The content schemas: what they load from editors' files and what they refuse; the publication
dumps as it loads."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from schemas import ArticleSchema, PublicationSchema
from tests.factories import PUBLICATION


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
