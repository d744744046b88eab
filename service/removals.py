"""Nothing published disappears silently: what a build would take away of what the store it
replaces published.

Every issue and article the old store published must still answer at its address: published
still, withdrawn (`withdrawn = "reason"`: 410 Gone), or moved (its new home lists the old id in
`aliases`: 301). One that would not is a removal, a content error unless the build is told to
allow removals. A withdrawn id stays withdrawn: it is never published again, whatever the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from service.content.loader import ISSUE_FILE, ISSUES_DIR, Content
from service.errors import Address, ContentError
from service.model import ArticleDraft, IssueDraft
from service.store.published import Published
from service.urls import Urls


class State(Enum):
    """What an address is in the new content."""

    OUT = "published"
    DRAFT = "a draft"
    WITHDRAWN = "withdrawn"


KEPT = (State.OUT, State.WITHDRAWN)  # what a published address may be in a new build


@dataclass(frozen=True)
class Removal:
    """Something published that the new build would no longer answer for."""

    address: Address
    url: str
    error: ContentError

    def __str__(self) -> str:
        return f"removed {what(self.address)} ({self.url})"


@dataclass(frozen=True)
class Comparison:
    """What a build would remove, and what it may not do whatever it is allowed."""

    removals: tuple[Removal, ...]
    refused: tuple[ContentError, ...]


def compare(published: Published, content: Content, root: Path) -> Comparison:
    """Each address the old store published, checked against the new content; an article is
    not reported when its issue is, for the issue's error says it for its articles too."""
    now = NewContent(content, root)
    urls = Urls(published.base_url or content.publication.base_url)
    removals = lost_from_view(published, now, urls)
    refused: list[ContentError] = []
    for address in sorted(published.withdrawn, key=order):
        found = now.resolve(address)
        if found and now.states[found] is State.WITHDRAWN:
            continue
        if now.with_its_issue(address, published.withdrawn, (State.WITHDRAWN,)):
            continue
        url = url_of(urls, address)
        if found is None:
            removals.append(Removal(address, url, now.missing_withdrawn(address, url)))
        else:
            refused.append(now.reused(found, url))
    return Comparison(tuple(removals), tuple(refused))


def lost_from_view(published: Published, now: NewContent, urls: Urls) -> list[Removal]:
    """What was out and would be neither out, withdrawn nor moved: missing, or a draft."""
    removals = []
    for address in sorted(published.out, key=order):
        found = now.resolve(address)
        state = now.states[found] if found else None
        if state in KEPT or now.with_its_issue(address, published.out, KEPT):
            continue
        url = url_of(urls, address)
        error = now.missing(address, url) if found is None else now.made_draft(found, url)
        removals.append(Removal(address, url, error))
    return removals


def order(address: Address) -> tuple[str, str]:
    return address[0], address[1] or ""


def what(address: Address) -> str:
    issue_id, article_id = address
    return f"article {article_id} of issue {issue_id}" if article_id else f"issue {issue_id}"


def url_of(urls: Urls, address: Address) -> str:
    issue_id, article_id = address
    return urls.article(issue_id, article_id) if article_id else urls.issue(issue_id)


class NewContent:
    """The new content's addresses: what each is, where it was written, and its old ids."""

    def __init__(self, content: Content, root: Path) -> None:
        self.content = content
        self.root = root
        self.states: dict[Address, State] = {}
        self.moves: dict[Address, Address] = {}
        for issue in content.issues:
            self.states[(issue.id, None)] = state_of(issue)
            if not issue.draft:
                self.moves.update(((alias, None), (issue.id, None)) for alias in issue.aliases)
            for article in issue.articles:
                self.states[(issue.id, article.id)] = state_of(article, issue)
                if not (issue.draft or article.draft):
                    self.moves.update(
                        ((issue.id, alias), (issue.id, article.id)) for alias in article.aliases
                    )

    def resolve(self, address: Address) -> Address | None:
        """Where an address leads now: to itself, or through an old id (of its issue, of the
        article, or both); None if to nothing."""
        issue_id, article_id = address
        candidates = [address, self.moves.get(address)]
        moved_issue = self.moves.get((issue_id, None)) if article_id else None
        if moved_issue:
            under_new_id = (moved_issue[0], article_id)
            candidates += [under_new_id, self.moves.get(under_new_id)]
        return next((found for found in candidates if found in self.states), None)

    def with_its_issue(
        self, address: Address, published: frozenset[Address], kept: tuple[State, ...]
    ) -> bool:
        """Whether this is an article whose issue was published as it was and is reported,
        being no longer in one of the `kept` states."""
        issue = (address[0], None)
        if address[1] is None or issue not in published:
            return False
        found = self.resolve(issue)
        return found is None or self.states[found] not in kept

    def missing(self, address: Address, url: str) -> ContentError:
        issue_id, article_id = address
        if article_id is None:
            return ContentError(
                str(self.folder(issue_id)),
                1,
                "issue",
                f"Issue {issue_id}, published at {url}, is missing: restore it, mark it"
                f' `withdrawn = "reason"`, or list {issue_id!r} in the `aliases` of its new home.',
            )
        return ContentError(
            str(self.home_file(issue_id)),
            1,
            "articles",
            f"Article {article_id}, published at {url}, is missing (an article's id is its"
            " headline's slug unless `id` is set): restore it, mark it"
            f' `withdrawn = "reason"`, or list {article_id!r} in the `aliases` of its new home.',
        )

    def made_draft(self, address: Address, url: str) -> ContentError:
        return self.content.files[address].error(
            ("draft",),
            f"{what(address).capitalize()} was published at {url}: it cannot be a draft again;"
            ' withdraw it instead (`withdrawn = "reason"`).',
        )

    def missing_withdrawn(self, address: Address, url: str) -> ContentError:
        issue_id, _ = address
        return ContentError(
            str(self.folder(issue_id) if address[1] is None else self.home_file(issue_id)),
            1,
            "issue" if address[1] is None else "articles",
            f"{what(address).capitalize()} was withdrawn from {url}: keep its file, marked"
            " `withdrawn`, so that its address says so.",
        )

    def reused(self, address: Address, url: str) -> ContentError:
        return self.content.files[address].error(
            ("withdrawn",),
            f"{what(address).capitalize()} was withdrawn from {url}, and a withdrawn id is never"
            " published again: keep `withdrawn`, and publish anew under another id.",
        )

    def folder(self, issue_id: str) -> Path:
        return self.root / ISSUES_DIR / issue_id

    def home_file(self, issue_id: str) -> Path:
        """The issue.toml of the issue an article of `issue_id` belongs to now."""
        moved = self.moves.get((issue_id, None), (issue_id, None))
        return self.folder(moved[0]) / ISSUE_FILE


def state_of(item: IssueDraft | ArticleDraft, issue: IssueDraft | None = None) -> State:
    """An article is withdrawn, or a draft, with its issue."""
    if item.withdrawn or (issue is not None and issue.withdrawn):
        return State.WITHDRAWN
    if item.draft or (issue is not None and issue.draft):
        return State.DRAFT
    return State.OUT
