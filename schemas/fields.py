"""Field types shared by the content schemas."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import ValidationError, fields, validate

# Patterns are written `^...$` because the OpenAPI document publishes them as JSON Schema
# patterns (ECMA-262, which has no `\Z`); WholeMatch holds a value to the whole pattern.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80
# Bidirectional embeddings, overrides and isolates reorder the text after them up to the end
# of its paragraph. A headline, a title or a name is shown run in with other text (a feed
# reader's list, a browser tab, a link, a byline), where an override left open makes what
# follows read as something else, so these short plain-text fields refuse them. The marks
# U+200E, U+200F and U+061C, which reorder nothing, stay allowed. A body keeps them: every
# one of its paragraphs is a block of its own, which closes them, and right-to-left
# quotations may need them.
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def no_bidi_control(text: str) -> None:
    if found := BIDI_CONTROL.search(text):
        raise ValidationError(
            f"Contains the bidirectional control U+{ord(found.group()):04X}, which reorders"
            " the text after it: use the marks U+200E and U+200F instead."
        )


class WholeMatch(validate.Regexp):
    """A pattern the whole value must match: Python's `$` also matches before a final newline."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Text(fields.String):
    """A non-empty string of bounded length, without controls that reorder what follows it."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(
            validate=[
                validate.Length(min=1, error="Must not be empty."),
                validate.Length(max=max_length, error="Longer than {max} characters."),
                no_bidi_control,
            ],
            **kwargs,
        )


class Slug(fields.String):
    """Lowercase letters, digits and single hyphens: safe in a URL path as it is."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=[
                validate.Length(max=SLUG_MAX, error="Longer than {max} characters."),
                WholeMatch(
                    SLUG_PATTERN,
                    error="Not a valid slug: use lowercase letters, digits and single hyphens.",
                ),
            ],
            **kwargs,
        )


class HttpUrl(fields.Url):
    """An absolute http or https URL."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            schemes={"http", "https"},
            require_tld=False,
            error_messages={"invalid": "Not an absolute http or https URL."},
            **kwargs,
        )


def slugify(text: str) -> str:
    """The slug of a headline: its ASCII letters and digits, joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
    if len(slug) > SLUG_MAX:
        slug = slug[: SLUG_MAX + 1].rsplit("-", 1)[0][:SLUG_MAX]
    return slug
