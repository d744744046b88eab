"""Plain search text -> an FTS5 query that can match, but never fail to parse."""

from __future__ import annotations

import re

_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')


def fts_query(text: str) -> str | None:
    """Every word must match; a "quoted phrase" matches as a phrase. None when nothing to match.

    Each term goes to FTS5 as a string literal, so no input is ever read as query syntax.
    FTS5 ends a literal at a NUL character, so NULs separate words like spaces do.
    """
    terms = [phrase or word for phrase, word in _TERM.findall(text.replace("\x00", " "))]
    literals = ['"' + term.replace('"', '""') + '"' for term in terms if term.strip()]
    return " ".join(literals) or None
