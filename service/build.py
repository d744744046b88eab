"""content/ -> store: validate, render, sanitise, index, write a new file, rename it into place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from service.content.loader import Content, load_content
from service.content.markdown import render_body
from service.model import Article, ArticleDraft, Issue, IssueDraft, Publication
from service.site import Urls
from service.store import write_store
from service.store.seal import seal


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
    handle, name = tempfile.mkstemp(
        prefix=f".{store_path.name}.", suffix=".tmp", dir=store_path.parent
    )
    os.close(handle)
    new_file = Path(name)  # empty: SQLite takes a zero-length file as a new database
    try:
        content_version = write_store(new_file, content.publication, issues)
        with open(new_file, "r+b") as written:
            seal(written)
            os.fsync(written.fileno())
        os.chmod(new_file, 0o644)
        os.replace(new_file, store_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            new_file.unlink()
        raise
    directory = os.open(store_path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return content_version
