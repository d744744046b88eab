"""What a preview's answers show and say of themselves: a banner, the content's errors above
the last good build, and nothing any cache or search engine may keep.

The preview's rebuilds write a Report beside the private store; every worker reads it again
whenever the file changes. The service is a preview only when PREVIEW_REPORT names that file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response

CONFIG_KEY = "PREVIEW_REPORT"
EXTENSION = "briefing.preview"
# Every answer, pages, feeds and API alike: kept by no cache, shared or not, so that a preview
# never reaches a proxy, and rendered afresh for every request (the response cache keeps only
# public answers), so that it shows the report as it is now, which changes when a rebuild
# fails without the store changing; and indexed by no search engine.
PREVIEW_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
# On every answer while the content has errors, their number: feeds and the API keep their
# formats, and show the last good build like the pages do.
ERRORS_HEADER = "Preview-Errors"


@dataclass(frozen=True)
class Report:
    """What the last rebuild found: the content's errors, as `file:line: field: message`,
    and when the build in service was made (None: nothing has built yet)."""

    errors: tuple[str, ...] = ()
    last_good: str | None = None

    def write(self, path: Path) -> None:
        """Replace the report whole, so that a worker never reads half of one."""
        written = path.with_name(f".{path.name}.tmp")
        written.write_text(json.dumps({"errors": self.errors, "last_good": self.last_good}))
        os.replace(written, path)

    @classmethod
    def read(cls, path: Path) -> Report:
        said = json.loads(path.read_text())
        return cls(tuple(said["errors"]), said["last_good"])


class ReportFile:
    """The report a worker shows, read again when its file is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._read: tuple[tuple[int, int, int], Report] | None = None

    def current(self) -> Report:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return Report()
        seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if self._read is None or self._read[0] != seen:
            self._read = (seen, Report.read(self.path))
        return self._read[1]


def init_app(app: Flask) -> None:
    """Make the app a preview, if PREVIEW_REPORT is set; the service never is otherwise."""
    if not app.config.get(CONFIG_KEY):
        return
    reports = app.extensions[EXTENSION] = ReportFile(Path(app.config[CONFIG_KEY]))

    def shown() -> dict[str, Any]:
        return {"preview": reports.current()}

    def marked(response: Response) -> Response:
        response.headers.update(PREVIEW_HEADERS)
        if errors := reports.current().errors:
            response.headers[ERRORS_HEADER] = str(len(errors))
        return response

    app.context_processor(shown)
    app.after_request(marked)
