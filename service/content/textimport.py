"""Emailed plain-text briefings -> issue folders in the content format.

The emailed format: an optional request line ("Please send me ..."), the date line, then each
article: its headline, its standfirst paragraph, then its body, where every non-blank line is a
paragraph and a line whose text before an en dash is in capitals is a section heading. A line
`* * *` after two blank lines begins the next article. The last line `-- ` begins the signature
(RFC 3676), which is not the briefing: of it, only the sources listed under an article's
headline (a line `Headline:`, then a line `- Title <https://...>` for each) are read, as that
article's. `briefing email` writes this format (service/email/text.py); a saved message is read
by its plain-text part.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError

from schemas import ArticleSchema
from schemas.fields import SLUG_MAX, slugify
from schemas.issue import in_publishing_years
from service.content.files import checked_text, read_text
from service.content.loader import flatten
from service.content.writer import ArticleFile, IssueFolder
from service.errors import ContentError, ContentErrors

REQUEST_LINE = re.compile(r"^\s*please\s+(?:send|add|subscribe)\b", re.IGNORECASE)
DATE_FORMATS = ("%B %d, %Y", "%B %d %Y", "%d %B %Y", "%A, %B %d, %Y", "%A %d %B %Y")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
EN_DASH = "–"
ARTICLE_BREAK = "* * *"  # after two blank lines: the next article begins
SIGNATURE = "-- "  # RFC 3676 section 4.3: what follows is the signature
SOURCE_LINE = re.compile(r"- (.*) <(\S+)>")
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
class ListedSource:
    """A source as a signature lists it: `- Title <https://...>`."""

    line: Line
    title: str
    url: str


@dataclass
class ArticleLines:
    """One article of an emailed briefing, as the lines it was read from."""

    headline: Line
    standfirst: Line
    body: list[Line]
    sources: list[ListedSource] = field(default_factory=list)


@dataclass
class ImportedBriefing:
    """One emailed briefing, converted, with what the reader of the import should check."""

    source: Path
    issue: IssueFolder
    warnings: list[ContentError] = field(default_factory=list)


def import_briefing(path: Path) -> ImportedBriefing:
    """Convert one emailed briefing; ContentErrors if it has no date, or an article no headline
    or standfirst."""
    lines = [Line(n, text) for n, text in enumerate(briefing_text(path).split("\n"), 1)]
    lines, signature = split_signature(lines)
    (_, first), *others = articles_of(lines)
    warnings: list[ContentError] = []
    date = take_date(path, first, warnings)
    articles = [take_article(path, first, 1)]
    articles += [take_article(path, rest, begins) for begins, rest in others]
    if signature:
        attach_sources(articles, signature[1:])
        warnings.append(signature_left_out(path, signature, articles))
    for article in articles:
        warnings.extend(article_warnings(path, article))
    files = [
        article_file(path, article, slug)
        for article, slug in zip(articles, unique_slugs(articles), strict=True)
    ]
    issue = IssueFolder(issue_id=date.isoformat(), metadata={"date": date}, articles=files)
    return ImportedBriefing(path, issue, sorted(warnings, key=lambda warning: warning.line))


def date_line(date: dt.date) -> str:
    """The date line as the emailed format writes it, 'January 12, 2011', in any locale."""
    return f"{MONTHS[date.month - 1]} {date.day}, {date.year}"


def briefing_text(path: Path) -> str:
    """The emailed text: the file's own, or the plain-text part of a saved message (a file whose
    headers say MIME-Version), such as `briefing email` writes."""
    text = read_text(path)
    message = email.parser.Parser(policy=email.policy.default).parsestr(text)
    if "MIME-Version" not in message:
        return text
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise ContentErrors([ContentError(str(path), 1, "file", "A message without plain text.")])
    try:
        return checked_text(path, part.get_content())
    except LookupError as exc:
        raise ContentErrors(
            [ContentError(str(path), 1, "file", f"A message in an unknown charset ({exc}).")]
        ) from exc


def split_signature(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The briefing, and the signature from the last `-- ` line on (none if there is none)."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].text == SIGNATURE:
            return lines[:index], lines[index:]
    return lines, []


def articles_of(lines: list[Line]) -> list[tuple[int, list[Line]]]:
    """Each article's non-blank lines, with the line it begins at: the first at line 1, each
    later one at its `* * *` line."""
    articles: list[tuple[int, list[Line]]] = [(1, [])]
    for index, line in enumerate(lines):
        if line.text == ARTICLE_BREAK and after_two_blank_lines(lines, index):
            articles.append((line.number, []))
        elif line.text.strip():
            articles[-1][1].append(line)
    return articles


def after_two_blank_lines(lines: list[Line], index: int) -> bool:
    return index >= 2 and not (lines[index - 2].text.strip() or lines[index - 1].text.strip())


def take_article(path: Path, lines: list[Line], begins: int) -> ArticleLines:
    headline = take(path, lines, "headline", begins)
    standfirst = take(path, lines, "standfirst", begins)
    return ArticleLines(headline, standfirst, lines)


def attach_sources(articles: list[ArticleLines], signature: list[Line]) -> None:
    """Give each article the sources the signature lists under its headline, in order."""
    listing: ArticleLines | None = None
    after = 0
    for line in signature:
        if listing is not None and (found := SOURCE_LINE.fullmatch(line.text)):
            listing.sources.append(ListedSource(line, found[1], found[2]))
            continue
        listing = None
        if line.text.endswith(":"):
            for index in range(after, len(articles)):
                if articles[index].headline.text == line.text[:-1]:
                    listing, after = articles[index], index + 1
                    break


def signature_left_out(
    path: Path, signature: list[Line], articles: list[ArticleLines]
) -> ContentError:
    sources = sum(len(article.sources) for article in articles)
    read = f", but for its {sources} source(s)" if sources else ""
    last = [line for line in signature if line.text.strip()][-1]
    lines = f"lines {signature[0].number}-{last.number}"
    return ContentError(
        str(path), signature[0].number, "warning", f"Signature left out ({lines}){read}."
    )


def article_warnings(path: Path, article: ArticleLines) -> list[ContentError]:
    warnings = []
    for line in [article.headline, article.standfirst, *article.body]:
        warnings.extend(stripped_links(path, line))
    if not article.body:
        warnings.append(
            ContentError(
                str(path), article.standfirst.number, "warning", "No body after the standfirst."
            )
        )
    return warnings


def unique_slugs(articles: list[ArticleLines]) -> list[str]:
    """Each article's id: its headline's slug (`article` if that is empty), made unique with
    `-2`, `-3`, ... after the first."""
    used: set[str] = set()
    slugs = []
    for article in articles:
        base = slugify(article.headline.text) or "article"
        slug, count = base, 1
        while slug in used:
            count += 1
            suffix = f"-{count}"
            slug = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        used.add(slug)
        slugs.append(slug)
    return slugs


def article_file(path: Path, article: ArticleLines, slug: str) -> ArticleFile:
    """The article as its file would hold it, refused here if `briefing check` would refuse it."""
    body = [
        ("## " if is_heading(line.text) else "") + escape_markdown(line.text)
        for line in article.body
    ]
    written = ArticleFile(
        slug=slug,
        front_matter={
            "headline": article.headline.text,
            "standfirst": article.standfirst.text,
            "tags": [],
            "sources": [{"title": source.title, "url": source.url} for source in article.sources],
            "authors": [],
            # A headline without ASCII letters or digits, or a second one alike, makes no id.
            **({} if slug == slugify(article.headline.text) else {"id": slug}),
        },
        body="\n\n".join(body),
    )
    lines = {"headline": article.headline, "standfirst": article.standfirst}
    for index, source in enumerate(article.sources):
        lines |= {f"sources.{index}.title": source.line, f"sources.{index}.url": source.line}
    check_article(path, written, lines)
    return written


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


def take(path: Path, remaining: list[Line], field_name: str, begins: int) -> Line:
    """The next line, for field_name; an error at the line its article begins if there is none."""
    if not remaining:
        raise ContentErrors(
            [ContentError(str(path), begins, field_name, "Missing: the text ends before it.")]
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
