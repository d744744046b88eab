"""One rebuild of a preview: the content, drafts included, built into the private store; or,
while it has errors, the last good build left in service and the errors reported beside it."""

from __future__ import annotations

import time
from pathlib import Path

from service.build import build, replace_atomically
from service.content.loader import Content
from service.errors import ContentErrors
from service.model import Person, Publication
from service.preview.shown import Report

STORE_FILE = "briefing.sqlite3"
REPORT_FILE = "report.json"
# The site a preview shows when nothing has built yet: no issue, and the errors above it.
NOTHING_BUILT = Publication(
    title="Preview",
    subtitle="Nothing has built yet: the content has errors.",
    language="en",
    author=Person("briefing preview"),
    rights="Not published.",
    base_url="http://127.0.0.1",
    tag_authority="preview.invalid",
)


class PrivateStore:
    """A preview's own store and the report of its last rebuild, in a folder of their own.

    Nothing is compared with what it held before: readers never see it, and editors drop
    drafts and rename unpublished articles freely (`briefing build` guards what is published).
    """

    def __init__(self, content_root: Path, folder: Path) -> None:
        self.content_root = content_root
        self.store = folder / STORE_FILE
        self.report = folder / REPORT_FILE
        self.last_good: str | None = None

    def rebuild(self) -> str:
        """Build the content or report its errors; what happened, in a line for the terminal."""
        try:
            result = build(
                self.content_root, self.store, include_drafts=True, compare_published=False
            )
        except ContentErrors as errors:
            return self._refused([str(error) for error in errors.errors])
        except OSError as exc:
            return self._refused([f"cannot build the preview: {exc}"])
        self.last_good = time.strftime("%H:%M:%S")
        Report((), self.last_good).write(self.report)
        return f"built: {result.issues} issue(s), {result.articles} article(s), drafts included"

    def _refused(self, errors: list[str]) -> str:
        """The errors reported, over the last good build or, before any, an empty site."""
        if not self.store.exists():
            replace_atomically(self.store, Content(NOTHING_BUILT, (), {}), [])
        Report(tuple(errors), self.last_good).write(self.report)
        first = f": {errors[0]}" if errors else ""
        return f"{len(errors)} error(s), shown on every page{first}"
