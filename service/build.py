"""content/ -> store: validate, render, sanitise, index, write a new file, rename it into place."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from service.content.loader import Content, load_content
from service.content.markdown import render_body
from service.model import Article, ArticleDraft, Issue, IssueDraft, Publication
from service.store import write_store
from service.store.reader import same_file
from service.store.seal import seal
from service.urls import Urls


@dataclass(frozen=True)
class BuildResult:
    store: Path
    content_version: str
    issues: int
    articles: int


def build(content_root: Path, store_path: Path) -> BuildResult:
    """Build the store from content; on any error the existing store is left as it was."""
    content = load_content(content_root)
    drafts = sorted(content.issues, key=lambda issue: (issue.date, issue.id))
    issues = [render_issue(content.publication, draft) for draft in drafts]
    content_version = replace_atomically(store_path, content, issues)
    return BuildResult(
        store=store_path,
        content_version=content_version,
        issues=len(issues),
        articles=sum(len(issue.articles) for issue in issues),
    )


def render_issue(publication: Publication, draft: IssueDraft) -> Issue:
    return Issue(
        id=draft.id,
        number=draft.number,
        date=draft.date,
        updated=draft.updated,
        title=draft.title,
        tags=draft.tags,
        articles=tuple(
            render_article(publication, draft, article, position)
            for position, article in enumerate(draft.articles, start=1)
        ),
    )


def render_article(
    publication: Publication, issue: IssueDraft, draft: ArticleDraft, position: int
) -> Article:
    """An article as published; its body's relative links are read from its issue's page."""
    urls = Urls(publication.base_url)
    body = render_body(draft.body_markdown, urls.base, urls.issue(issue.id))
    return Article(
        id=draft.id,
        issue_id=issue.id,
        position=position,
        headline=draft.headline,
        standfirst=draft.standfirst,
        body_html=body.html,
        body_text=body.text,
        headings=body.headings,
        sources=draft.sources,
        authors=draft.authors,
        tags=draft.tags + tuple(tag for tag in issue.tags if tag not in draft.tags),
    )


def replace_atomically(store_path: Path, content: Content, issues: list[Issue]) -> str:
    """Write the store beside the old one, seal and fsync it, and rename it over; return its
    version."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    with new_store_file(store_path) as (new_path, new_file):
        try:
            content_version = write_store(new_path, content.publication, issues)
            seal(new_file)
            os.fsync(new_file.fileno())
            os.chmod(new_path, 0o644)
            os.replace(new_path, store_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                new_path.unlink()
            raise
    directory = os.open(store_path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return content_version


@contextlib.contextmanager
def new_store_file(store_path: Path) -> Iterator[tuple[Path, BinaryIO]]:
    """The one file a build writes beside the store, locked against another build and emptied
    (SQLite takes an empty file as a new database): what a build killed midway left there is
    written over, never piled up."""
    path = store_path.with_name(f".{store_path.name}.tmp")
    while True:
        new_file = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")
        try:
            fcntl.flock(new_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            new_file.close()
            raise BlockingIOError(errno.EAGAIN, "another build is writing it", str(path)) from None
        if same_file(path, new_file):  # not one that a build renamed into place meanwhile
            break
        new_file.close()
    with new_file:
        new_file.truncate(0)
        yield path, new_file
