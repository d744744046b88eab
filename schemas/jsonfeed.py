"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the wire format, as marshmallow schemas.

Dumping leaves out every optional field that has no value, as the specification asks; loading
checks a document against it (the tests load what the service serves).
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, post_dump, validate, validates_schema
from marshmallow.exceptions import ValidationError

VERSION = "https://jsonfeed.org/version/1.1"


class Url(fields.Url):
    """An absolute URL; a loopback address (a test, a staging copy) is one too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(require_tld=False, **kwargs)


class JsonFeedObject(Schema):
    """An object of the format; loading refuses keys it does not define."""

    class Meta:
        unknown = RAISE

    @post_dump
    def drop_empty(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {
            key: value
            for key, value in data.items()
            if value not in (None, [], "") or self.fields[key].required
        }


class AuthorSchema(JsonFeedObject):
    name = fields.String()
    url = fields.String()  # a site of the author's, or a mailto: address
    avatar = Url()


class HubSchema(JsonFeedObject):
    type = fields.String(required=True)
    url = Url(required=True)


class ItemSchema(JsonFeedObject):
    id = fields.String(required=True, validate=validate.Length(min=1))
    url = Url()
    title = fields.String()
    content_html = fields.String()
    content_text = fields.String()
    summary = fields.String()
    date_published = fields.AwareDateTime(format="iso")
    date_modified = fields.AwareDateTime(format="iso")
    authors = fields.List(fields.Nested(AuthorSchema))
    tags = fields.List(fields.String())
    language = fields.String()

    @validates_schema
    def validate_content(self, data: dict[str, Any], **_: Any) -> None:
        if "content_html" not in data and "content_text" not in data:
            raise ValidationError("An item needs content_html or content_text.", "content_html")


class JsonFeedSchema(JsonFeedObject):
    version = fields.String(required=True, validate=validate.Equal(VERSION))
    title = fields.String(required=True)
    home_page_url = Url()
    feed_url = Url()
    description = fields.String()
    next_url = Url()
    icon = Url()
    favicon = Url()
    authors = fields.List(fields.Nested(AuthorSchema))
    language = fields.String()
    hubs = fields.List(fields.Nested(HubSchema))
    items = fields.List(fields.Nested(ItemSchema), required=True)
