"""The API's query parameters: each declared with its bounds, and anything undeclared refused.

Every string parameter has a maxLength, enforced here and published in the OpenAPI document,
so a request the document calls valid is one the service accepts. Bounds keep a query of
four-byte characters at every maximum inside gunicorn's 4094-byte request line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from schemas.fields import Slug
from schemas.representation import ArticleSummarySchema, IssueSummarySchema
from service.model import Listing, Paging, Query, Search

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100
MAX_QUERY_TEXT = 200
MAX_FIELDS = 200
ORDERS = ("newest", "oldest")
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TOO_BROAD = (
    "A repeated word counts once. A search whose words are together in too much of the archive"
    " (more than two words found in nearly every article, or four found in half of them; a"
    " phrase of common words counts more) is refused with 400 naming q."
)


class WholeNumber(fields.Integer):
    """An integer in plain ASCII digits, written one way only, as the pages and feed archives
    read it: '+5', ' 5', '5_0', '05' and other digits are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not (isinstance(value, str) and re.fullmatch("0|[1-9][0-9]*", value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class CalendarDate(fields.Date):
    """A date written YYYY-MM-DD (RFC 3339 full-date), nothing else ISO 8601 allows."""

    def __init__(self, description: str) -> None:
        super().__init__(metadata={"maxLength": 10, "description": description})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if not (isinstance(value, str) and re.fullmatch(DATE_PATTERN, value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class FieldNames(fields.String):
    """Comma-separated top-level fields of a representation, loaded in the schema's order."""

    def __init__(self, representation: type[Schema], data_key: str) -> None:
        self.names = tuple(representation._declared_fields)
        choices = "|".join(self.names)
        super().__init__(
            data_key=data_key,
            metadata={
                "maxLength": MAX_FIELDS,
                "pattern": f"^(?:{choices})(?:,(?:{choices}))*$",
                "description": "Only these top-level fields of each item, e.g. "
                + ",".join(self.names[:2]),
            },
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = str(super()._deserialize(value, attr, data, **kwargs))
        if len(text) > MAX_FIELDS:
            raise ValidationError(f"Longer than {MAX_FIELDS} characters.")
        requested = text.split(",")
        unknown = [name for name in requested if name not in self.names]
        if unknown:
            raise ValidationError(
                f"Unknown field {unknown[0]!r}: choose from {', '.join(self.names)}."
            )
        return tuple(name for name in self.names if name in requested)


class ArgumentsSchema(Schema):
    """Query parameters; an unknown one is an error, not silently dropped."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Unknown parameter."}


class PagingSchema(ArgumentsSchema):
    page = WholeNumber(
        load_default=1,
        validate=validate.Range(1, MAX_PAGE, error="Must be between {min} and {max}."),
        metadata={"description": "The page to send, from 1."},
    )
    per_page = WholeNumber(
        load_default=20,
        validate=validate.Range(1, MAX_PER_PAGE, error="Must be between {min} and {max}."),
        metadata={"description": "Items a page."},
    )


class TagListingSchema(PagingSchema):
    @post_load
    def make_paging(self, data: dict[str, Any], **_: Any) -> Paging:
        return Paging(**data)


class ListingSchema(PagingSchema):
    order = fields.String(
        load_default="newest",
        validate=[
            validate.Length(max=6, error="Longer than {max} characters."),
            validate.OneOf(ORDERS, error="Must be one of: {choices}."),
        ],
        metadata={"description": "newest first, or oldest first."},
    )
    after = CalendarDate(description="Only issues of this date or later.")
    before = CalendarDate(description="Only issues of this date or earlier.")
    tag = Slug(metadata={"description": "Only those with this tag."})
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY_TEXT, error="Longer than {max} characters."),
        metadata={
            "description": 'Full text: every word must match; "a phrase" as a phrase. ' + TOO_BROAD
        },
    )

    @post_load
    def make_listing(self, data: dict[str, Any], **_: Any) -> Listing:
        only = data.pop("selected", None)
        return Listing(Query(**data), only)


class IssueListingSchema(ListingSchema):
    selected = FieldNames(IssueSummarySchema, data_key="fields")


class ArticleListingSchema(ListingSchema):
    selected = FieldNames(ArticleSummarySchema, data_key="fields")


class SearchSchema(PagingSchema):
    q = fields.String(
        required=True,
        validate=validate.Length(max=MAX_QUERY_TEXT, error="Longer than {max} characters."),
        error_messages={"required": "Give the text to search for."},
        metadata={
            "description": 'Plain text: every word must match; "a phrase" as a phrase. ' + TOO_BROAD
        },
    )

    @post_load
    def make_search(self, data: dict[str, Any], **_: Any) -> Search:
        return Search(data["q"], data["page"], data["per_page"])


class NoArgumentsSchema(ArgumentsSchema):
    """For a resource that takes no query parameters at all."""
