"""Writing an issue folder in the content format, for import-text and demo-content."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
import yaml

from service.content.loader import ISSUE_FILE, ISSUES_DIR
from service.errors import IssueExists

YamlDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class ArticleFile:
    """One article to write: its front matter fields and its Markdown body."""

    slug: str
    front_matter: dict[str, Any]
    body: str


@dataclass
class IssueFolder:
    issue_id: str
    metadata: dict[str, Any]
    articles: Sequence[ArticleFile] = field(default_factory=list)


def write_issue(content_root: Path, issue: IssueFolder) -> Path:
    """Write issues/<issue-id>/ whole or not at all; never touch an existing folder."""
    issues_dir = content_root / ISSUES_DIR
    folder = issues_dir / issue.issue_id
    if folder.exists():
        raise IssueExists(folder)
    issues_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{issue.issue_id}.", dir=issues_dir))
    try:
        (staging / ISSUE_FILE).write_text(tomli_w.dumps(issue.metadata), encoding="utf-8")
        for position, article in enumerate(issue.articles, start=1):
            path = staging / f"{position:02d}-{article.slug}.md"
            path.write_text(article_text(article), encoding="utf-8")
        os.chmod(staging, 0o755)
        if folder.exists():
            raise IssueExists(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def article_text(article: ArticleFile) -> str:
    front_matter = yaml.dump(
        article.front_matter,
        Dumper=YamlDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
    )
    return f"---\n{front_matter}---\n\n{article.body}\n"
