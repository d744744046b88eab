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

from schemas.issue import published_at
from service.content.loader import Content, load_content
from service.content.markdown import render_body
from service.errors import ContentErrors
from service.model import (
    Article,
    ArticleDraft,
    Issue,
    IssueDraft,
    Publication,
    Withdrawal,
    WithdrawalNote,
)
from service.removals import Removal, compare
from service.store import write_store
from service.store.published import Published, published_in
from service.store.reader import same_file
from service.store.seal import seal
from service.urls import Urls


@dataclass(frozen=True)
class BuildResult:
    store: Path
    content_version: str
    issues: int
    articles: int
    compared: str | None  # why there was nothing published to compare with, if there was not
    removed: tuple[Removal, ...] = ()  # what allow_removals let go


def build(
    content_root: Path,
    store_path: Path,
    *,
    include_drafts: bool = False,
    allow_removals: bool = False,
    compare_published: bool = True,
) -> BuildResult:
    """Build the store from content; on any error the existing store is left as it was.

    Drafts are left out, unless `include_drafts` (a preview: they are then marked as drafts).
    Whatever the store being replaced published must still answer (service.removals): a
    build that would remove any of it is refused with a content error for each, unless
    `allow_removals`. Without `compare_published` (a preview's private store, which readers
    never see) nothing is compared.
    """
    content = load_content(content_root)
    published = published_in(store_path) if compare_published else Published.nothing("not compared")
    comparison = compare(published, content, content_root)
    errors = [*comparison.refused]
    if not allow_removals:
        errors += [removal.error for removal in comparison.removals]
    if errors:
        raise ContentErrors(sorted(errors, key=lambda error: (error.path, error.line)))
    record = render_record(content, include_drafts)
    content_version = replace_atomically(store_path, content, record)
    issues = [item for item in record if isinstance(item, Issue)]
    return BuildResult(
        store=store_path,
        content_version=content_version,
        issues=len(issues),
        articles=sum(len(issue.articles) for issue in issues),
        compared=published.unread,
        removed=comparison.removals if allow_removals else (),
    )


def render_record(content: Content, include_drafts: bool) -> list[Issue | Withdrawal]:
    """Every issue to publish, oldest first, each withdrawn one in its place as Withdrawals,
    each withdrawn article after its issue (service.store.writer's record)."""
    drafts = sorted(content.issues, key=lambda issue: (issue.date, issue.id))
    record: list[Issue | Withdrawal] = []
    for draft in drafts:
        if draft.draft and not include_drafts:
            continue
        articles = [a for a in draft.articles if include_drafts or not a.draft]
        if draft.withdrawn:
            record += withdrawals_of(draft, draft.withdrawn, articles)
        else:
            record += render_issue(content.publication, draft, articles)
    return record


def render_issue(
    publication: Publication, draft: IssueDraft, articles: list[ArticleDraft]
) -> list[Issue | Withdrawal]:
    """An issue as published, and after it the articles withdrawn from it."""
    published: list[Article] = []
    withdrawn: list[Withdrawal] = []
    for position, article in enumerate(articles, start=1):
        if article.withdrawn:
            withdrawn.append(withdrawal(draft, article, position, article.withdrawn))
        else:
            published.append(render_article(publication, draft, article, position))
    changes = [article.updated for article in published]
    changes += [gone.withdrawn_at for gone in withdrawn]
    issue = Issue(
        id=draft.id,
        number=draft.number,
        date=draft.date,
        published=published_at(draft.date, draft.updated),
        updated=max([draft.updated, *changes]),
        title=draft.title or published[0].headline,
        tags=draft.tags,
        articles=tuple(published),
        aliases=draft.aliases,
        draft=draft.draft,
    )
    return [issue, *withdrawn]


def withdrawals_of(
    draft: IssueDraft, note: WithdrawalNote, articles: list[ArticleDraft]
) -> list[Withdrawal]:
    """A withdrawn issue, and each of its articles: withdrawn with it, or before it."""
    issue = Withdrawal(
        issue_id=draft.id,
        article_id=None,
        date=draft.date,
        published=published_at(draft.date, draft.updated),
        reason=note.reason,
        withdrawn_at=note.at,
        aliases=draft.aliases,
    )
    return [issue] + [
        withdrawal(draft, article, position, article.withdrawn or note)
        for position, article in enumerate(articles, start=1)
    ]


def withdrawal(
    issue: IssueDraft, article: ArticleDraft, position: int, note: WithdrawalNote
) -> Withdrawal:
    """What is left of a withdrawn article: its place, and why and when it went."""
    return Withdrawal(
        issue_id=issue.id,
        article_id=article.id,
        date=issue.date,
        published=published_at(issue.date, issue.updated),
        reason=note.reason,
        withdrawn_at=note.at,
        position=position,
        tags=tags_of(issue, article),
        aliases=article.aliases,
    )


def tags_of(issue: IssueDraft, article: ArticleDraft) -> tuple[str, ...]:
    """An article's tags: its own, then its issue's."""
    return article.tags + tuple(tag for tag in issue.tags if tag not in article.tags)


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
        updated=max([issue.updated, *(correction.date for correction in draft.corrections)]),
        headings=body.headings,
        sources=draft.sources,
        authors=draft.authors,
        tags=tags_of(issue, draft),
        corrections=draft.corrections,
        aliases=draft.aliases,
        draft=draft.draft or issue.draft,
    )


def replace_atomically(store_path: Path, content: Content, record: list[Issue | Withdrawal]) -> str:
    """Write the store beside the old one, seal and fsync it, and rename it over; return its
    version."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    with new_store_file(store_path) as (new_path, new_file):
        try:
            content_version = write_store(new_path, content.publication, record)
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
