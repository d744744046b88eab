"""Domain errors: raised inside, translated into messages or responses at the edges only."""

from __future__ import annotations

from pathlib import Path

from service.model import Withdrawal

# An issue (article None) or an article of it, by id.
Address = tuple[str, str | None]


class BriefingError(Exception):
    """Base of every error this project raises on purpose."""


class StoreError(BriefingError):
    """The store file is missing, unreadable, or not a store this version can read."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreUnavailable(BriefingError):
    """No good store has been opened yet: the service is not ready."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(BriefingError):
    """Something asked for by id is not in the store."""


class IssueNotFound(NotFound):
    def __init__(self, issue_id: str) -> None:
        super().__init__(f"no issue {issue_id!r}")
        self.issue_id = issue_id


class ArticleNotFound(NotFound):
    def __init__(self, issue_id: str, article_id: str) -> None:
        super().__init__(f"no article {article_id!r} in issue {issue_id!r}")
        self.issue_id = issue_id
        self.article_id = article_id


class Withdrawn(NotFound):
    """Something published and since withdrawn: asked for, it answers with why, never its text."""

    def __init__(self, withdrawal: Withdrawal) -> None:
        what = f"issue {withdrawal.issue_id!r}"
        if withdrawal.article_id:
            what = f"article {withdrawal.article_id!r} of {what}"
        super().__init__(f"{what} was withdrawn: {withdrawal.reason}")
        self.withdrawal = withdrawal


class Moved(NotFound):
    """An old id of something published: asked for, it answers with where it is now."""

    def __init__(self, old: Address, now: Address) -> None:
        super().__init__(f"{old} is now {now}")
        self.old = old
        self.now = now


class FeedNotFound(NotFound):
    """No such feed (an unknown tag) or no such archive page (not full yet, or never)."""

    def __init__(self, name: str, page: int | None = None) -> None:
        super().__init__(f"no feed {name!r}" + (f" archive page {page}" if page else ""))
        self.name = name
        self.page = page


class IssueExists(BriefingError):
    """An issue folder is written whole or not at all, and never over one that exists."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"{folder} exists already: nothing was written")
        self.folder = folder


class DemoContentExists(BriefingError):
    """Demo content goes into a new folder, never among files that are there already."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"{folder} is not empty: demo content goes into a new folder")
        self.folder = folder


class HubFailed(BriefingError):
    """The hub did not take a notification, after every attempt."""


class NoEmailEdition(BriefingError):
    """The publication has no [email] table: nothing says how a message would be addressed."""

    def __init__(self) -> None:
        super().__init__(
            "the publication has no [email] table: add one to publication.toml and build"
        )


class DeliveryFailed(BriefingError):
    """The SMTP server could not be reached, or did not take the message."""

    def __init__(self, server: str, reply: str) -> None:
        super().__init__(f"{server}: {reply}")
        self.server = server
        self.reply = reply


class SentUnrecorded(BriefingError):
    """The server took the message, but the record of sends could not be written."""

    def __init__(self, record: str, reason: str) -> None:
        super().__init__(
            f"the server took the message, but {record} could not record it ({reason}):"
            " a second send to this address would not be refused"
        )
        self.record = record


class SmtpSettingInvalid(BriefingError):
    """A BRIEFING_SMTP_* setting, or --smtp, that cannot be used as it stands."""


class SentAlready(BriefingError):
    """The issue went to this address before: sending it again must be asked for."""

    def __init__(self, issue_id: str, address: str, when: str, record: str) -> None:
        super().__init__(
            f"issue {issue_id} was sent to {address} at {when} (recorded in {record});"
            " --send-again sends it again"
        )
        self.issue_id = issue_id
        self.address = address


class NotificationRecordError(BriefingError):
    """The record of what the WebSub hub was last told cannot be read or written."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SearchTooBroad(BriefingError):
    """A search whose words are in so much of the archive that finding them would take too long."""

    def __init__(self, commonest: list[str]) -> None:
        quoted = [f"“{word}”" for word in commonest]
        named = ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]
        super().__init__(
            f"Too broad to search quickly: {named} {'are' if len(quoted) > 1 else 'is'} in too"
            " many articles. Leave some words out, or search for rarer ones."
        )
        self.commonest = commonest


class ContentError:
    """One problem in an editor's file, located as `file:line: field: message`."""

    __slots__ = ("path", "line", "field", "message")

    def __init__(self, path: str, line: int, field: str, message: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        """One line, whatever the file is called: a name with a newline in it shown escaped."""
        path = self.path if self.path.isprintable() else ascii(self.path)
        return f"{path}:{self.line}: {self.field}: {self.message}"

    def __repr__(self) -> str:
        return f"ContentError({str(self)!r})"


class ContentErrors(BriefingError):
    """Every problem found in a content tree; nothing is built while there is one."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = errors
