"""Emailed plain-text briefings -> issue folders in the content format.

The emailed format: an optional request line ("Please send me ..."), the date line, the
headline, the standfirst paragraph, then the body, where every non-blank line is a paragraph
and a line whose text before an en dash is in capitals is a section heading.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError

from schemas import ArticleSchema
from schemas.fields import slugify
from schemas.issue import in_publishing_years
from service.content.files import read_text
from service.content.loader import flatten
from service.content.writer import ArticleFile, IssueFolder
from service.errors import ContentError, ContentErrors

REQUEST_LINE = re.compile(r"^\s*please\s+(?:send|add|subscribe)\b", re.IGNORECASE)
DATE_FORMATS = ("%B %d, %Y", "%B %d %Y", "%d %B %Y", "%A, %B %d, %Y", "%A %d %B %Y")
EN_DASH = "–"
# Where a link was cut out of the text and left its frame behind: "( then", "See or )".
STRIPPED_LINK = re.compile(
    r"\(\s*\)"
    r"|\(\s+(?=\S)"
    r"|(?<=\S)[ \t\xa0]+\)"
    r"|\b(?:see|at|visit|via|from)\s+(?:or|and)\b"
    r"|\b(?:see|at|visit|via)\s*[.,;)]",
    re.IGNORECASE,
)
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<&#])")
MARKDOWN_LINE_START = re.compile(r"^([>+\-=~|])|^(\d+)([.)])")


@dataclass
class Line:
    number: int
    text: str


@dataclass
class ImportedBriefing:
    """One emailed briefing, converted, with what the reader of the import should check."""

    source: Path
    issue: IssueFolder
    warnings: list[ContentError] = field(default_factory=list)


def import_briefing(path: Path) -> ImportedBriefing:
    """Convert one emailed briefing; ContentErrors if it has no date, headline or standfirst."""
    lines = [Line(n, text) for n, text in enumerate(read_text(path).split("\n"), 1)]
    remaining = [line for line in lines if line.text.strip()]
    warnings: list[ContentError] = []
    date = take_date(path, remaining, warnings)
    headline = take(path, remaining, "headline")
    standfirst = take(path, remaining, "standfirst")
    body = []
    for line in [headline, standfirst, *remaining]:
        warnings.extend(stripped_links(path, line))
    for line in remaining:
        body.append(("## " if is_heading(line.text) else "") + escape_markdown(line.text))
    if not body:
        warnings.append(
            ContentError(str(path), standfirst.number, "warning", "No body after the standfirst.")
        )
    slug = slugify(headline.text)
    article = ArticleFile(
        slug=slug or "article",
        front_matter={
            "headline": headline.text,
            "standfirst": standfirst.text,
            "tags": [],
            "sources": [],
            "authors": [],
            # A headline without ASCII letters or digits makes no id: the article needs one.
            **({} if slug else {"id": "article"}),
        },
        body="\n\n".join(body),
    )
    check_article(path, article, {"headline": headline, "standfirst": standfirst})
    issue = IssueFolder(issue_id=date.isoformat(), metadata={"date": date}, articles=[article])
    return ImportedBriefing(path, issue, warnings)


def check_article(path: Path, article: ArticleFile, lines: dict[str, Line]) -> None:
    """Refuse here, at the line it came from, what `briefing check` would refuse once written."""
    try:
        ArticleSchema().load({**article.front_matter, "body": article.body})
    except ValidationError as exc:
        errors = []
        for key, message in flatten(exc.messages):
            field = ".".join(map(str, key)) or "file"
            line = lines[field].number if field in lines else 1
            errors.append(ContentError(str(path), line, field, message))
        raise ContentErrors(errors) from exc


def take_date(path: Path, remaining: list[Line], warnings: list[ContentError]) -> dt.date:
    """Find the date line, reporting every line before it that is not the request line."""
    while remaining:
        line = remaining.pop(0)
        date = parse_date(line.text)
        if date is not None:
            return checked_date(path, line, date)
        if not REQUEST_LINE.match(line.text):
            warnings.append(
                ContentError(
                    str(path), line.number, "warning", f"Not placed, left out: {line.text!r}"
                )
            )
    raise ContentErrors(
        [*warnings, ContentError(str(path), 1, "date", "No date line such as 'January 12, 2011'.")]
    )


def checked_date(path: Path, line: Line, date: dt.date) -> dt.date:
    """Refuse at the date line a date that `briefing check` would refuse once written."""
    try:
        in_publishing_years(date)
    except ValidationError as exc:
        raise ContentErrors(
            [ContentError(str(path), line.number, "date", message) for message in exc.messages]
        ) from exc
    return date


def parse_date(text: str) -> dt.date | None:
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), date_format).date()
        except ValueError:
            continue
    return None


def take(path: Path, remaining: list[Line], field_name: str) -> Line:
    if not remaining:
        raise ContentErrors(
            [ContentError(str(path), 1, field_name, "Missing: the text ends before it.")]
        )
    return remaining.pop(0)


def is_heading(text: str) -> bool:
    """A section heading: the text before an en dash is in capitals."""
    before, dash, _ = text.partition(EN_DASH)
    letters = [c for c in before if c.isalpha()]
    return bool(dash) and len(letters) >= 2 and all(c.isupper() for c in letters)


def stripped_links(path: Path, line: Line) -> list[ContentError]:
    """Warn where a link seems to have been cut out, merging marks that touch."""
    spans: list[list[int]] = []
    for match in STRIPPED_LINK.finditer(line.text):
        if spans and match.start() <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], match.end())
        else:
            spans.append([match.start(), match.end()])
    return [
        ContentError(
            str(path),
            line.number,
            "warning",
            f"A link seems to have been stripped here: {excerpt(line.text, start, end)!r}",
        )
        for start, end in spans
    ]


def excerpt(text: str, start: int, end: int, context: int = 20) -> str:
    left = max(0, start - context)
    right = min(len(text), end + context)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders back to exactly that text."""
    core = text.strip()
    if not core:
        return character_references(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = MARKDOWN_INLINE.sub(r"\\\1", core)
    if not lead:
        core = MARKDOWN_LINE_START.sub(
            lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", core
        )
    return character_references(lead) + core + character_references(trail)


def character_references(text: str) -> str:
    """Whitespace that Markdown would trim from a line's edges, kept as &#x...; references."""
    return "".join(f"&#x{ord(c):X};" for c in text)
