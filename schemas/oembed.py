"""oEmbed 1.0 (https://oembed.com/): what a consumer asks /oembed, and the `rich` answer.

A consumer may send parameters of its own (WordPress sends `dnt`, others `discover`): the spec
lets a provider take more than it defines, so those are ignored rather than refused.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_dump, validate

from schemas.query import WholeNumber

MAX_URL = 2000  # characters: any issue or article address fits many times over
MAX_FORMAT = 10
VERSION = "1.0"


def size(name: str) -> WholeNumber:
    return WholeNumber(
        validate=validate.Range(min=1, error="Must be at least {min} pixel."),
        metadata={"description": f"The most pixels of {name} the embed may take."},
    )


class OEmbedQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    url = fields.String(
        required=True,
        validate=validate.Length(1, MAX_URL, error="Must be 1 to {max} characters."),
        metadata={"description": "The address of an issue, or of an article (issue#article)."},
    )
    format = fields.String(
        load_default="json",
        validate=validate.Length(max=MAX_FORMAT, error="Longer than {max} characters."),
        metadata={"description": "json or xml; another answers 501, as the spec says."},
    )
    maxwidth = size("width")
    maxheight = size("height")


class OEmbedSchema(Schema):
    """A `rich` answer: the card's iframe as `html`, and what it shows."""

    type = fields.Constant("rich")
    version = fields.Constant(VERSION)
    title = fields.String()
    author_name = fields.String()
    author_url = fields.String()
    provider_name = fields.String()
    provider_url = fields.String()
    cache_age = fields.Integer()
    thumbnail_url = fields.String()
    thumbnail_width = fields.Integer()
    thumbnail_height = fields.Integer()
    html = fields.String()
    width = fields.Integer()
    height = fields.Integer()

    @post_dump
    def drop_absent(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Optional fields without a value are left out, not sent as null."""
        return {key: value for key, value in data.items() if value is not None}
