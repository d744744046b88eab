"""`briefing email`, then `briefing import-text` of the message it wrote, gives back the issue.

"The same issue" is what the emailed format carries: the date (the issue's id, for an issue
named after its date), and each article in order with its headline, standfirst, body text a
paragraph a line, section headings (lines in capitals before an en dash) and sources, every
character kept; so the same title (the lead headline), body HTML and, for headlines with an
ASCII letter, the same article ids. The number, tags, authors, `updated` and markup other than
those headings are the HTML part's and the site's, not the plain text's.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.cli import main
from service.content.textimport import escape_markdown, is_heading
from service.model import Issue
from service.store import Store, open_store
from tests.factories import EMAIL, REPO, SEED, ContentTree

SEED_ISSUE = "2011-01-12"


def carried(issue: Issue) -> tuple[Any, ...]:
    """What of an issue the emailed format carries."""
    return (
        issue.id,
        issue.date,
        issue.title,
        [
            (a.headline, a.standfirst, a.body_text, a.body_html, a.headings, a.sources)
            for a in issue.articles
        ],
    )


def cli(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


def sent_and_imported(
    store: Path, issue_id: str, content: Path, folder: Path
) -> tuple[Store, Result]:
    """Email the issue, import the message into a new content tree with the publication of
    the content it came from, and build that: the store, and what import-text said."""
    cli("email", issue_id, "--store", store, "--out", folder / "issue.eml")
    back = folder / "back"
    imported = cli("import-text", folder / "issue.eml", "--out", back)
    shutil.copy(content / "publication.toml", back / "publication.toml")
    cli("build", back, "--store", folder / "back.sqlite3")
    return open_store(folder / "back.sqlite3"), imported


def shipped_with_email(tmp_path: Path) -> Path:
    """The shipped content (its [email] table included), built: the store."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    cli("build", tmp_path / "content", "--store", tmp_path / "store.sqlite3")
    return tmp_path / "store.sqlite3"


def test_the_seed_comes_back_the_same_issue(tmp_path: Path) -> None:
    store = shipped_with_email(tmp_path)
    back, _ = sent_and_imported(store, SEED_ISSUE, tmp_path / "content", tmp_path)
    original = open_store(store).issue(SEED_ISSUE)
    returned = back.issue(SEED_ISSUE)
    assert carried(returned) == carried(original)
    assert [a.id for a in returned.articles] == [a.id for a in original.articles]


def test_the_seed_goes_out_as_the_text_it_was_emailed_in(tmp_path: Path) -> None:
    store = shipped_with_email(tmp_path)
    cli("email", SEED_ISSUE, "--store", store, "--out", tmp_path / "issue.eml")
    from service.content.textimport import briefing_text

    briefing, _, _ = briefing_text(tmp_path / "issue.eml").partition("\n-- \n")
    seed = SEED.read_text("utf-8").split("\n")
    assert seed[0].startswith("Please send me")  # the reader's request, not the briefing
    assert [line for line in briefing.split("\n") if line.strip()] == [
        line for line in seed[1:] if line.strip()
    ]


def test_import_text_of_the_message_warns_as_for_the_seed_and_leaves_out_the_signature(
    tmp_path: Path,
) -> None:
    store = shipped_with_email(tmp_path)
    _, imported = sent_and_imported(store, SEED_ISSUE, tmp_path / "content", tmp_path)
    eml = tmp_path / "issue.eml"
    assert imported.output.splitlines() == [
        f"{eml}:9: warning: A link seems to have been stripped here:"
        " '…k PACES Empowerment ( then click the ‘Big …'",
        f"{eml}:15: warning: A link seems to have been stripped here:"
        " '… for Civil Society. See or )'",
        f"{eml}:23: warning: Signature left out (lines 23-32).",
        f"{eml}: wrote {tmp_path}/back/issues/{SEED_ISSUE}",
        f"{tmp_path}/back has no publication.toml yet: add one before `briefing build`.",
    ]


def test_several_articles_and_their_sources_come_back(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.publication(email=EMAIL)
    content.write("issues/2024-01-24/issue.toml", "date = 2024-01-24\n")
    for position, (headline, sources) in enumerate(
        [
            ("Housing", []),
            ("Housing", [("Shelter <2024>", "https://example.org/a>"), (" b ", "https://b.test/")]),
            ("Rents – and caps:", [("The rent report", "https://example.org/rent")]),
        ],
        start=1,
    ):
        content.article(
            "2024-01-24",
            f"0{position}-a.md",
            body=f"{escape_markdown('* * *')}\n\nSecond paragraph of {position}.",
            headline=headline,
            id=f"a{position}",
            sources=[{"title": title, "url": url} for title, url in sources],
        )
    original = build_store(content).issue("2024-01-24")
    back, _ = sent_and_imported(store_path, "2024-01-24", content.root, store_path.parent)
    assert carried(back.issue("2024-01-24")) == carried(original)


# Text an editor could write on one line, as a headline, standfirst or source title allow it.
ONE_LINE = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
LINE = st.text(ONE_LINE, min_size=1, max_size=40).filter(str.strip)
MARKDOWN_ISH = st.sampled_from(list("#*_[]()<>&!`~-+=|.:\\ ") + ["* * *", "-- ", "\u202e"])
PARAGRAPH = (
    st.lists(LINE | MARKDOWN_ISH, min_size=1, max_size=4)
    .map("".join)
    .filter(lambda text: text.strip() and not is_heading(text))
)
HEADING = st.builds(
    lambda capitals, rest: f"{capitals} – {rest}",
    st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ ÉÅ"), min_size=2, max_size=20).filter(
        lambda text: sum(c.isalpha() for c in text) >= 2
    ),
    LINE,
)
SOURCE = st.fixed_dictionaries(
    {
        "title": LINE,
        "url": st.from_regex(r"https://example\.org/[a-z0-9/_.-]{0,12}", fullmatch=True),
    }
)
ARTICLE = st.fixed_dictionaries(
    {
        "headline": LINE | st.sampled_from(["* * *", "-- ", "January 1, 2011", "Heading:"]),
        "standfirst": LINE,
        "body": st.lists(PARAGRAPH | HEADING, max_size=5),
        "sources": st.lists(SOURCE, max_size=2),
    }
)
ISSUES = st.tuples(
    st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)),
    st.lists(ARTICLE, min_size=1, max_size=3),
)


def written_body(body: list[str]) -> str:
    """Paragraphs and headings as an editor writing the emailed format's vocabulary would."""
    return "\n\n".join(("## " if is_heading(text) else "") + escape_markdown(text) for text in body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue=ISSUES)
def test_any_issue_in_the_emailed_formats_vocabulary_comes_back_the_same(
    issue: tuple[dt.date, list[dict[str, Any]]],
) -> None:
    date, articles = issue
    with tempfile.TemporaryDirectory() as folder:
        tree = ContentTree(Path(folder) / "content")
        tree.publication(email=EMAIL)
        tree.write(f"issues/{date.isoformat()}/issue.toml", f"date = {date.isoformat()}\n")
        for position, article in enumerate(articles, start=1):
            fields = {key: value for key, value in article.items() if key != "body"}
            body = written_body(article["body"])
            tree.article(
                date.isoformat(), f"{position:02d}-a.md", body, id=f"a{position}", **fields
            )
        store = tree.build(Path(folder) / "store.sqlite3")
        original = open_store(store).issue(date.isoformat())
        back, _ = sent_and_imported(store, date.isoformat(), tree.root, Path(folder))
        assert carried(back.issue(date.isoformat())) == carried(original)
