"""The publication: content/publication.toml, loaded into the Publication every document names;
PersonSchema is also how the API sends an article's authors."""

from __future__ import annotations

import dataclasses
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from schemas.fields import HttpUrl, Text, WholeMatch
from service.model import Person, Publication

LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$"
# RFC 4151 authorityName: a DNS name or an e-mail address.
TAG_AUTHORITY_PATTERN = (
    r"^(?:[a-z0-9._%+-]+@)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)


class PersonSchema(Schema):
    name = Text(max_length=200, required=True)
    email = fields.Email(load_default=None)
    url = HttpUrl(load_default=None)

    @post_load
    def make_person(self, data: dict[str, Any], **_: Any) -> Person:
        return Person(**data)


class PublicationSchema(Schema):
    title = Text(max_length=200, required=True)
    subtitle = Text(max_length=500, required=True)
    language = fields.String(
        required=True,
        validate=WholeMatch(LANGUAGE_PATTERN, error="Not a language tag such as 'en' or 'en-GB'."),
    )
    author = fields.Nested(PersonSchema, required=True)
    rights = Text(max_length=500, required=True)
    base_url = HttpUrl(required=True)
    tag_authority = fields.String(
        required=True,
        validate=WholeMatch(
            TAG_AUTHORITY_PATTERN,
            error="Not a tag authority: use a domain name you own, such as 'example.org'.",
        ),
    )
    icon = HttpUrl(load_default=None)
    logo = HttpUrl(load_default=None)
    hub = HttpUrl(load_default=None)
    feed_size = fields.Integer(
        strict=True,
        load_default=20,
        validate=validate.Range(min=1, max=100, error="Must be between {min} and {max}."),
    )
    synthetic = fields.Boolean(load_default=False)

    @validates("base_url")
    def validate_base_url(self, value: str, **_: Any) -> None:
        if "?" in value or "#" in value:
            raise ValidationError("Must not carry a query or a fragment.")

    @post_load
    def make_publication(self, data: dict[str, Any], **_: Any) -> Publication:
        publication = Publication(**data)
        return dataclasses.replace(publication, base_url=publication.base_url.rstrip("/"))
