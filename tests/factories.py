"""Small factories that write content the way an editor would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import tomli_w
import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "content" / "imports" / "briefing-2011-01-12.txt"

PUBLICATION = {
    "title": "Test Briefing",
    "subtitle": "Community policy, fortnightly",
    "language": "en-GB",
    "rights": "© Test",
    "base_url": "https://briefing.test",
    "tag_authority": "briefing.test",
    "author": {"name": "Test Desk", "email": "desk@briefing.test"},
}

# publication.toml's [email] table, as a publisher whose list server is lists.briefing.test
# would write it.
EMAIL = {
    "from": {"name": "Test Briefing", "address": "briefing@briefing.test"},
    "reply_to": "editors@briefing.test",
    "list_id": "briefing.lists.briefing.test",
    "unsubscribe": [
        "https://lists.briefing.test/unsubscribe/briefing",
        "mailto:briefing-leave@lists.briefing.test?subject=unsubscribe",
    ],
    "subscribe": "https://lists.briefing.test/subscribe/briefing",
}


class ContentTree:
    """Writes a content tree the way an editor would, one file at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def publication(self, **fields: Any) -> Path:
        return self.write("publication.toml", tomli_w.dumps({**PUBLICATION, **fields}))

    def issue(self, issue_id: str, articles: int = 1, **fields: Any) -> Path:
        """An issue folder with `articles` valid articles; fields go into issue.toml."""
        metadata = {"date": dt.date.fromisoformat(issue_id[:10]), **fields}
        self.write(f"issues/{issue_id}/issue.toml", tomli_w.dumps(metadata))
        for position in range(1, articles + 1):
            self.article(
                issue_id, f"{position:02d}-article.md", headline=f"Article {position} of {issue_id}"
            )
        return self.root / "issues" / issue_id

    def article(
        self, issue_id: str, name: str, body: str = "A paragraph.", **front_matter: Any
    ) -> Path:
        fields = {"standfirst": "What this article says.", **front_matter}
        text = (
            "---\n"
            + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
            + "---\n\n"
            + body
            + "\n"
        )
        return self.write(f"issues/{issue_id}/{name}", text)

    def build(self, store: Path) -> Path:
        """Build this tree into store with `briefing build`, which must succeed."""
        from click.testing import CliRunner

        from service.cli import main

        result = CliRunner().invoke(main, ["build", str(self.root), "--store", str(store)])
        assert result.exit_code == 0, result.output
        return store

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path


def archived_feeds(root: Path, issues: int) -> ContentTree:
    """Daily issues from 2011-01-01 tagged localism, two entries a feed: feeds with archives."""
    tree = ContentTree(root)
    tree.publication(feed_size=2)
    for day in range(1, issues + 1):
        tree.issue(f"2011-01-{day:02d}", tags=["localism"])
    return tree
