"""Marshmallow schemas: one description of the data, for loading content and dumping it."""

from schemas.issue import ArticleSchema, IssueSchema, SourceSchema, duplicate_issue_errors
from schemas.publication import PersonSchema, PublicationSchema

__all__ = [
    "ArticleSchema",
    "IssueSchema",
    "PersonSchema",
    "PublicationSchema",
    "SourceSchema",
    "duplicate_issue_errors",
]
