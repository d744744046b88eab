"""A content tree -> a validated Publication and issue drafts, or every error found in it."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from schemas import IssueSchema, PublicationSchema, alias_errors, duplicate_issue_errors
from service.content.files import ContentFile, KeyPath, read_article, read_toml
from service.errors import ContentError, ContentErrors
from service.model import IssueDraft, Publication

PUBLICATION_FILE = "publication.toml"
ISSUES_DIR = "issues"
ISSUE_FILE = "issue.toml"
ARTICLE_SUFFIX = ".md"


# Where an issue (article None) or an article was written, for errors found after loading.
Written = tuple[str, str | None]


@dataclass(frozen=True)
class Content:
    """Everything an editor wrote, validated: what a build turns into a store; and the file
    each issue and article was written in."""

    publication: Publication
    issues: tuple[IssueDraft, ...]
    files: Mapping[Written, ContentFile]


def load_content(root: Path) -> Content:
    """Validate the whole tree; raise ContentErrors with every problem in it, in file order."""
    errors: list[ContentError] = []
    publication_path = root / PUBLICATION_FILE
    publication = collect(errors, functools.partial(load_publication, root=root), publication_path)
    issues: list[IssueDraft] = []
    files: dict[Written, ContentFile] = {}
    for folder in issue_folders(root, errors):
        loaded = collect(errors, functools.partial(load_issue, root=root), folder)
        if loaded is not None:
            issues.append(loaded[0])
            files.update(loaded[1])
    for index, problems in duplicate_issue_errors(issues).items():
        metadata = files[(issues[index].id, None)]
        errors.extend(metadata.error((field,), message) for field, message in problems.items())
    for index, by_place in alias_errors(issues).items():
        metadata = files[(issues[index].id, None)]
        errors.extend(metadata.error(("aliases", place), said) for place, said in by_place.items())
    if errors or publication is None:
        raise ContentErrors(sorted(errors, key=lambda error: (error.path, error.line)))
    return Content(publication, tuple(issues), files)


def issue_folders(root: Path, errors: list[ContentError]) -> list[Path]:
    """The folders of issues/, in name order; what else stands there goes into errors."""
    issues_dir = root / ISSUES_DIR
    if leads_out(root, issues_dir):
        errors.append(outside_error(issues_dir))
        return []
    folders = []
    for folder in sorted(issues_dir.iterdir()) if issues_dir.is_dir() else []:
        if folder.name.startswith("."):
            continue
        if leads_out(root, folder):
            errors.append(outside_error(folder))
        elif not folder.is_dir():
            errors.append(
                ContentError(
                    str(folder),
                    1,
                    "file",
                    "Not an issue folder: issues/ holds one folder per issue.",
                )
            )
        else:
            folders.append(folder)
    return folders


def collect(errors: list[ContentError], load: Any, path: Path) -> Any:
    """Run one loader, adding what it reports to `errors` instead of stopping at it."""
    try:
        return load(path)
    except ContentErrors as exc:
        errors.extend(exc.errors)
        return None


def load_publication(path: Path, root: Path) -> Publication:
    if leads_out(root, path):
        raise ContentErrors([outside_error(path)])
    if not path.is_file():
        raise ContentErrors(
            [ContentError(str(path), 1, "file", "Missing: every content tree needs one.")]
        )
    source = read_toml(path)
    try:
        publication: Publication = PublicationSchema().load(source.data)
    except ValidationError as exc:
        raise ContentErrors(
            [source.error(key, message) for key, message in flatten(exc.messages)]
        ) from exc
    return publication


def load_issue(folder: Path, root: Path) -> tuple[IssueDraft, dict[Written, ContentFile]]:
    """An issue folder: issue.toml and its articles, read in the order of their file names;
    and the file of each."""
    errors: list[ContentError] = []
    issue_path = folder / ISSUE_FILE
    if leads_out(root, issue_path):
        raise ContentErrors([outside_error(issue_path)])
    if not issue_path.is_file():
        errors.append(
            ContentError(str(issue_path), 1, "file", "Missing: every issue folder needs one.")
        )
    metadata = collect(errors, read_toml, issue_path) if issue_path.is_file() else None
    articles: list[ContentFile] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == ISSUE_FILE:
            continue
        if leads_out(root, path):
            errors.append(outside_error(path))
            continue
        if path.suffix != ARTICLE_SUFFIX or not path.is_file():
            errors.append(
                ContentError(str(path), 1, "file", "Not part of an issue: articles are .md files.")
            )
            continue
        article = collect(errors, read_article, path)
        if article is not None:
            articles.append(article)
    if metadata is not None:
        errors.extend(metadata.error((key,), message) for key, message in reserved_keys(metadata))
    if errors or metadata is None:
        raise ContentErrors(errors)
    data = {**metadata.data, "id": folder.name, "articles": [a.data for a in articles]}
    try:
        issue: IssueDraft = IssueSchema().load(data)
    except ValidationError as exc:
        raise ContentErrors(
            [locate(metadata, articles, key, message) for key, message in flatten(exc.messages)]
        ) from exc
    files: dict[Written, ContentFile] = {(issue.id, None): metadata}
    files.update(
        ((issue.id, article.id), file)
        for article, file in zip(issue.articles, articles, strict=True)
    )
    return issue, files


def leads_out(root: Path, path: Path) -> bool:
    """Whether path is, or lies in, a symbolic link out of the content tree: whoever writes
    the tree decides what is published, not whatever a link in it points to."""
    return not path.resolve().is_relative_to(root.resolve())


def outside_error(path: Path) -> ContentError:
    return ContentError(
        str(path), 1, "file", f"A link to {path.resolve()}, outside the content: copy it in."
    )


def reserved_keys(metadata: ContentFile) -> Iterator[tuple[str, str]]:
    if "id" in metadata.data:
        yield "id", "The issue id is the folder's name: remove this line."
    if "articles" in metadata.data:
        yield "articles", "An issue's articles are its folder's .md files: remove this line."


def locate(
    metadata: ContentFile, articles: list[ContentFile], key: KeyPath, message: str
) -> ContentError:
    """Point an issue-level error at the file that holds the offending field."""
    if key[:1] == ("articles",) and len(key) >= 2 and isinstance(key[1], int):
        article, field = articles[key[1]], key[2:]
        if field == ("id",) and "id" not in article.data:
            # An id made from the headline: the headline is the line to change.
            return ContentError(str(article.path), article.line_of(("headline",)), "id", message)
        return article.error(field, message)
    if key[:1] == ("id",):
        return ContentError(str(metadata.path.parent), 1, "id", message)
    return metadata.error(key, message)


def flatten(messages: Any, key: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """marshmallow's nested error messages -> (key path, message) pairs."""
    if isinstance(messages, dict):
        for name, nested in messages.items():
            yield from flatten(nested, key if name == "_schema" else (*key, name))
    elif isinstance(messages, list):
        for message in messages:
            yield from flatten(message, key)
    else:
        yield key, str(messages)
