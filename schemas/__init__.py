"""Marshmallow schemas: the content editors write, loaded here; what is sent (API
representations, JSON Feed, problems) and the API's query arguments in their own modules."""

from schemas.issue import (
    ArticleSchema,
    IssueSchema,
    SourceSchema,
    alias_errors,
    duplicate_issue_errors,
)
from schemas.publication import PersonSchema, PublicationSchema

__all__ = [
    "ArticleSchema",
    "IssueSchema",
    "PersonSchema",
    "PublicationSchema",
    "SourceSchema",
    "alias_errors",
    "duplicate_issue_errors",
]
