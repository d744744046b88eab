"""Issues and their articles as editors write them, loaded into drafts for the build;
SourceSchema and CorrectionSchema are also how the API sends an article's sources and
corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from schemas.fields import HttpUrl, Slug, Text, WholeMatch, slugify
from schemas.publication import PersonSchema
from service.model import ArticleDraft, Correction, IssueDraft, Source, WithdrawalNote

ISSUE_ID_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:-[a-z0-9]+)*$"
ISSUE_ID_MAX = 100
ISSUE_NUMBER_MAX = 1_000_000
MAX_TAGS = 50
ISSUE_ARTICLES_MAX = 1000  # fewer than the store's ARTICLE_SLOTS (service/store/writer.py)
# The years an issue may be dated and updated in. RSS and the email edition write dates as
# RFC 5322 does, which knows no year before 1900 (section 3.3); 2999 keeps every year four
# digits, as feed readers' date parsers expect, and is far past any issue while catching a
# slip of the keyboard such as 9011.
FIRST_YEAR = 1900
LAST_YEAR = 2999
REASON_MAX = 1000


def duplicates(values: Sequence[object]) -> list[int]:
    """Indexes of the values that already stood earlier in the sequence."""
    seen: set[object] = set()
    repeated = []
    for index, value in enumerate(values):
        if value in seen:
            repeated.append(index)
        seen.add(value)
    return repeated


def in_publishing_years(date: dt.date) -> None:
    """Refuse a date that a feed, a page or an email could not show as written."""
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise ValidationError(f"Outside the years {FIRST_YEAR} to {LAST_YEAR}.")


def in_utc_range(updated: dt.datetime) -> None:
    """Every date served is in UTC somewhere (HTTP's Last-Modified): it must have one, and
    there fall in the publishing years."""
    try:
        utc = updated.astimezone(dt.UTC)
    except OverflowError as exc:
        raise ValidationError("Out of range: in UTC it falls outside the years 1 to 9999.") from exc
    if not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise ValidationError(
            f"Out of range: in UTC it falls outside the years {FIRST_YEAR} to {LAST_YEAR}."
        )


class TaggedSchema(Schema):
    """Tags: slugs, each once."""

    tags = fields.List(
        Slug(),
        load_default=list,
        validate=validate.Length(max=MAX_TAGS, error="More than {max} tags."),
    )

    @validates_schema
    def validate_unique_tags(self, data: dict[str, Any], **_: Any) -> None:
        repeated = duplicates(data.get("tags", []))
        if repeated:
            raise ValidationError({"tags": {index: ["Duplicate tag."] for index in repeated}})


class SourceSchema(Schema):
    title = Text(max_length=300, required=True)
    url = HttpUrl(required=True)

    @post_load
    def make_source(self, data: dict[str, Any], **_: Any) -> Source:
        return Source(**data)


class CorrectionSchema(Schema):
    """A correction: when it was made (a time with its zone) and what it corrects."""

    date = fields.AwareDateTime(required=True, validate=in_utc_range)
    text = Text(max_length=REASON_MAX, required=True)

    @post_load
    def make_correction(self, data: dict[str, Any], **_: Any) -> Correction:
        return Correction(**data)


class LifecycleSchema(TaggedSchema):
    """What an issue and an article both may say of their life: a draft not to publish yet, or
    published and since withdrawn (why, and when), and the old ids it had (`aliases`)."""

    draft = fields.Boolean(truthy={True}, falsy={False}, load_default=False)
    withdrawn = Text(max_length=REASON_MAX, load_default=None)
    withdrawn_at = fields.AwareDateTime(load_default=None, validate=in_utc_range)

    @validates_schema
    def validate_withdrawal(self, data: dict[str, Any], **_: Any) -> None:
        withdrawn, withdrawn_at = data.get("withdrawn"), data.get("withdrawn_at")
        if withdrawn and withdrawn_at is None:
            raise ValidationError(
                "Withdrawn without `withdrawn_at`: say when, as a time with its zone.", "withdrawn"
            )
        if withdrawn_at is not None and not withdrawn:
            raise ValidationError(
                'Not withdrawn: `withdrawn_at` goes with `withdrawn = "reason"`.', "withdrawn_at"
            )
        if withdrawn and data.get("draft"):
            raise ValidationError(
                "A draft was never published, so it cannot be withdrawn: remove one of the two.",
                "draft",
            )

    @validates_schema
    def validate_unique_aliases(self, data: dict[str, Any], **_: Any) -> None:
        repeated = duplicates(data.get("aliases", []))
        if repeated:
            raise ValidationError({"aliases": {index: ["Listed twice."] for index in repeated}})


def withdrawal_note(data: dict[str, Any]) -> WithdrawalNote | None:
    """The reason and the time an editor withdrew it, which LifecycleSchema has as a pair."""
    if data["withdrawn"] is None:
        return None
    return WithdrawalNote(data["withdrawn"], data["withdrawn_at"])


class ArticleSchema(LifecycleSchema):
    """Loads an article file (front matter plus its Markdown `body`) into an ArticleDraft."""

    id = Slug()
    headline = Text(max_length=300, required=True)
    standfirst = Text(max_length=3000, required=True)
    body = fields.String(required=True, attribute="body_markdown")
    sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    authors = fields.List(fields.Nested(PersonSchema), load_default=list)
    corrections = fields.List(fields.Nested(CorrectionSchema), load_default=list)
    aliases = fields.List(Slug(), load_default=list)

    @post_load
    def make_draft(self, data: dict[str, Any], **_: Any) -> ArticleDraft:
        article_id = data.pop("id", None) or slugify(data["headline"])
        if not article_id:
            raise ValidationError(
                "The headline has no letters or digits to make an id from: set `id`.", "id"
            )
        return ArticleDraft(
            id=article_id,
            headline=data["headline"],
            standfirst=data["standfirst"],
            body_markdown=data["body_markdown"],
            sources=tuple(data["sources"]),
            authors=tuple(data["authors"]),
            tags=tuple(data["tags"]),
            corrections=tuple(sorted(data["corrections"], key=lambda said: said.date)),
            aliases=tuple(data["aliases"]),
            draft=data["draft"],
            withdrawn=withdrawal_note(data),
        )


def issue_id_field(**kwargs: Any) -> fields.String:
    """An issue id: the name of its folder, which starts with its date."""
    return fields.String(
        validate=[
            validate.Length(max=ISSUE_ID_MAX, error="Longer than {max} characters."),
            WholeMatch(
                ISSUE_ID_PATTERN,
                error="Not a valid issue id: name the folder after the issue's date, YYYY-MM-DD.",
            ),
        ],
        **kwargs,
    )


def published_at(date: dt.date, updated: dt.datetime) -> dt.datetime:
    """When an issue came out: its date at midnight UTC, or its `updated` if that is earlier."""
    return min(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC), updated)


class IssueSchema(LifecycleSchema):
    """Loads an issue folder (issue.toml plus its articles) into an IssueDraft."""

    id = issue_id_field(required=True)
    aliases = fields.List(issue_id_field(), load_default=list)
    number = fields.Integer(
        strict=True,
        load_default=None,
        validate=[
            validate.Range(min=1, error="Must be {min} or more."),
            validate.Range(max=ISSUE_NUMBER_MAX, error="Must be {max} or less."),
        ],
    )
    date = fields.Date(required=True, validate=in_publishing_years)
    updated = fields.AwareDateTime(load_default=None, validate=in_utc_range)
    title = Text(max_length=300, load_default=None)
    articles = fields.List(
        fields.Nested(ArticleSchema),
        required=True,
        validate=[
            validate.Length(min=1, error="An issue needs at least one article."),
            validate.Length(max=ISSUE_ARTICLES_MAX, error="An issue holds {max} articles at most."),
        ],
    )

    @validates_schema(skip_on_field_errors=False)
    def validate_id_matches_date(self, data: dict[str, Any], **_: Any) -> None:
        issue_id, date = data.get("id"), data.get("date")
        if isinstance(issue_id, str) and isinstance(date, dt.date):
            if not issue_id.startswith(date.isoformat()):
                raise ValidationError(
                    f"The issue id {issue_id!r} does not begin with its date {date.isoformat()}.",
                    "date",
                )

    @validates_schema(skip_on_field_errors=False)
    def validate_unique_articles(self, data: dict[str, Any], **_: Any) -> None:
        ids = [a.id if isinstance(a, ArticleDraft) else None for a in data.get("articles", [])]
        errors: dict[int, dict[str, list[str]]] = {}
        for index in duplicates(ids):
            if ids[index] is None:
                continue
            first = ids.index(ids[index]) + 1
            errors[index] = {
                "id": [f"Duplicate article id {ids[index]!r}: article {first} has it."]
            }
        if errors:
            raise ValidationError({"articles": errors})

    @validates_schema(skip_on_field_errors=False)
    def validate_article_aliases(self, data: dict[str, Any], **_: Any) -> None:
        """An article's old id names no article of the issue, nor another article's old id."""
        articles = [a for a in data.get("articles", []) if isinstance(a, ArticleDraft)]
        ids = {article.id for article in articles}
        errors: dict[int, dict[str, dict[int, list[str]]]] = {}
        claimed: dict[str, str] = {}
        for index, article in enumerate(data.get("articles", [])):
            if not isinstance(article, ArticleDraft):
                continue
            for place, alias in enumerate(article.aliases):
                if alias in ids:
                    problem = f"{alias!r} is the id of an article of this issue."
                elif alias in claimed and claimed[alias] != article.id:
                    problem = f"{alias!r} is an alias of article {claimed[alias]!r} already."
                else:
                    claimed[alias] = article.id
                    continue
                errors.setdefault(index, {}).setdefault("aliases", {})[place] = [problem]
        if errors:
            raise ValidationError({"articles": errors})

    @validates_schema(skip_on_field_errors=False)
    def validate_after_publication(self, data: dict[str, Any], **_: Any) -> None:
        """Withdrawals and corrections come after the issue came out: an earlier one is a slip."""
        date, updated = data.get("date"), data.get("updated")
        if not isinstance(date, dt.date):
            return
        published = published_at(date, updated or dt.datetime.combine(date, dt.time(), dt.UTC))
        message = f"Before the issue was published ({published.isoformat()})."
        errors: dict[str, Any] = {}
        if (data.get("withdrawn_at") or published) < published:
            errors["withdrawn_at"] = [message]
        for index, article in enumerate(data.get("articles", [])):
            if isinstance(article, ArticleDraft) and (early := too_early(article, published)):
                errors.setdefault("articles", {})[index] = early
        if errors:
            raise ValidationError(errors)

    @validates_schema(skip_on_field_errors=False)
    def validate_something_published(self, data: dict[str, Any], **_: Any) -> None:
        """An issue out (or to preview) has an article to show."""
        articles = [a for a in data.get("articles", []) if isinstance(a, ArticleDraft)]
        if data.get("withdrawn") or not articles:
            return
        if all(article.withdrawn for article in articles):
            raise ValidationError(
                "Every article of the issue is withdrawn: withdraw the issue.", "articles"
            )
        if not data.get("draft") and all(
            article.draft or article.withdrawn for article in articles
        ):
            raise ValidationError(
                "Every article of the issue is a draft or withdrawn: make the issue a draft.",
                "articles",
            )

    @post_load
    def make_draft(self, data: dict[str, Any], **_: Any) -> IssueDraft:
        date: dt.date = data["date"]
        updated = data["updated"] or dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC)
        return IssueDraft(
            id=data["id"],
            number=data["number"],
            date=date,
            updated=updated,
            title=data["title"],
            tags=tuple(data["tags"]),
            articles=tuple(data["articles"]),
            aliases=tuple(data["aliases"]),
            draft=data["draft"],
            withdrawn=withdrawal_note(data),
        )


def too_early(article: ArticleDraft, published: dt.datetime) -> dict[str, Any]:
    """Errors for the article's withdrawal and corrections dated before its issue came out."""
    message = f"Before the issue was published ({published.isoformat()})."
    early: dict[str, Any] = {}
    if article.withdrawn and article.withdrawn.at < published:
        early["withdrawn_at"] = [message]
    for place, correction in enumerate(article.corrections):
        if correction.date < published:
            early.setdefault("corrections", {})[place] = {"date": [message]}
    return early


def alias_errors(issues: Sequence[IssueDraft]) -> dict[int, dict[int, str]]:
    """Errors, by issue index and place in its `aliases`, for an old id that an issue has
    now, or that another issue lists already."""
    ids = {issue.id for issue in issues}
    claimed: dict[str, str] = {}
    errors: dict[int, dict[int, str]] = {}
    for index, issue in enumerate(issues):
        for place, alias in enumerate(issue.aliases):
            if alias in ids:
                errors.setdefault(index, {})[place] = f"{alias!r} is the id of an issue."
            elif alias in claimed:
                errors.setdefault(index, {})[place] = (
                    f"{alias!r} is an alias of issue {claimed[alias]} already."
                )
            else:
                claimed[alias] = issue.id
    return errors


def duplicate_issue_errors(issues: Sequence[IssueDraft]) -> dict[int, dict[str, str]]:
    """Errors, by issue index, for ids or numbers that an earlier issue already has."""
    errors: dict[int, dict[str, str]] = {}
    columns: dict[str, list[object]] = {
        "id": [issue.id for issue in issues],
        "number": [issue.number for issue in issues],
    }
    for field, values in columns.items():
        for index in duplicates(values):
            if values[index] is None:
                continue
            owner = issues[values.index(values[index])].id
            errors.setdefault(index, {})[field] = (
                f"Duplicate issue {field} {values[index]!r}: issue {owner} has it."
            )
    return errors
