"""The publication: content/publication.toml, loaded into the Publication every document names;
PersonSchema is also how the API sends an article's authors."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from schemas.fields import HttpUrl, Text, WholeMatch
from service.model import EmailEdition, Mailbox, Person, Publication

LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$"
# RFC 4151 authorityName: a DNS name or an e-mail address.
TAG_AUTHORITY_PATTERN = (
    r"^(?:[a-z0-9._%+-]+@)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)

# RFC 2919 list-id: a list label and a namespace, such as `briefing.lists.example.org`, each
# dot-atom text (RFC 5322 atext, dot-separated).
ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LIST_ID_PATTERN = rf"^{ATEXT}(?:\.{ATEXT})+$"
# What may not stand in an address written between <angle brackets> in a header, and how long
# one may be to fit on a header line.
NOT_IN_HEADER_URL = re.compile(r'[\s<>"]')
MAX_LIST_ADDRESS = 900
https_url = validate.URL(schemes={"https"}, require_tld=False)
web_url = validate.URL(schemes={"http", "https"}, require_tld=False)
email_address = validate.Email()


class PersonSchema(Schema):
    name = Text(max_length=200, required=True)
    email = fields.Email(load_default=None)
    url = HttpUrl(load_default=None)

    @post_load
    def make_person(self, data: dict[str, Any], **_: Any) -> Person:
        return Person(**data)


def ascii_address(address: str) -> None:
    if not address.isascii():
        raise ValidationError("Must be an ASCII address: not every mail server takes others.")


def is_mailto(value: str) -> bool:
    """A mailto: URL of one address, such as `mailto:leave@example.org?subject=unsubscribe`."""
    parts = urlsplit(value)
    if parts.scheme != "mailto" or not parts.path.isascii():
        return False
    return is_valid(email_address, parts.path)


def is_valid(validator: validate.Validator, value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def list_address_problem(value: str, web_url: validate.URL, kinds: str) -> str | None:
    """Why value cannot be a List-* header's address, between angle brackets on a header line
    of at most 998 characters (RFC 5322); None if it can."""
    if len(value) > MAX_LIST_ADDRESS:
        return f"{value[:40]!r}...: longer than {MAX_LIST_ADDRESS} characters."
    if NOT_IN_HEADER_URL.search(value) or not (is_valid(web_url, value) or is_mailto(value)):
        return f"{value!r} is neither {kinds} nor a mailto: URL."
    return None


class Unsubscribe(fields.Field[tuple[str, ...]]):
    """Where a reader leaves the list: an https URL, a mailto: URL, or a list of one of each."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if not (isinstance(values, list) and values and all(isinstance(v, str) for v in values)):
            raise ValidationError("Must be an https URL, a mailto: URL, or a list of one of each.")
        kinds = "an https URL (for one-click unsubscribe, RFC 8058)"
        for each in values:
            if problem := list_address_problem(each, https_url, kinds):
                raise ValidationError(problem)
        schemes = [urlsplit(each).scheme for each in values]
        if len(set(schemes)) != len(schemes):
            raise ValidationError("At most one https URL and one mailto: URL.")
        return tuple(values)


class Subscribe(fields.String):
    """Where a reader joins the list: a web page or a mailto: URL."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if problem := list_address_problem(text, web_url, "an http or https URL"):
            raise ValidationError(problem)
        return text


class MailboxSchema(Schema):
    address = fields.Email(required=True, validate=ascii_address)
    name = Text(max_length=200, load_default=None)

    @validates("name")
    def validate_one_line(self, value: str | None, **_: Any) -> None:
        if value is not None and "\n" in value:
            raise ValidationError("Must be one line: it is shown in the From header.")

    @post_load
    def make_mailbox(self, data: dict[str, Any], **_: Any) -> Mailbox:
        return Mailbox(**data)


class EmailEditionSchema(Schema):
    """The [email] table: how the email edition is addressed, for the list server to send."""

    sender = fields.Nested(MailboxSchema, data_key="from", required=True)
    list_id = fields.String(
        required=True,
        validate=[
            validate.Length(max=255, error="Longer than {max} characters."),
            WholeMatch(
                LIST_ID_PATTERN,
                error="Not a list id (RFC 2919): use a name and a domain you own, such as"
                " 'briefing.lists.example.org'.",
            ),
        ],
    )
    unsubscribe = Unsubscribe(required=True)
    subscribe = Subscribe(load_default=None)
    reply_to = fields.Email(load_default=None, validate=ascii_address)

    @post_load
    def make_email_edition(self, data: dict[str, Any], **_: Any) -> EmailEdition:
        return EmailEdition(**data)


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
    email = fields.Nested(EmailEditionSchema, load_default=None)

    @validates("base_url")
    def validate_base_url(self, value: str, **_: Any) -> None:
        if "?" in value or "#" in value:
            raise ValidationError("Must not carry a query or a fragment.")

    @post_load
    def make_publication(self, data: dict[str, Any], **_: Any) -> Publication:
        publication = Publication(**data)
        return dataclasses.replace(publication, base_url=publication.base_url.rstrip("/"))
