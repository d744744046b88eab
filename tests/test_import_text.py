"""`briefing import-text`: the emailed seed becomes a faithful issue folder."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from service.content.markdown import render_body
from service.content.textimport import escape_markdown, import_briefing
from service.store import Store
from tests.factories import SEED, ContentTree

HEADLINE = "Contradiction at the heart of Big Society"
HEADING = "BIG SOCIETY AND PUBLIC SERVICES –\xa0 Complementarity or erosion?"
ISSUE_PAGE = ("https://briefing.test", "https://briefing.test/issues/2011-01-12")


def seed_lines() -> list[str]:
    return [line for line in SEED.read_text("utf-8").split("\n") if line.strip()]


def test_seed_becomes_the_expected_issue() -> None:
    imported = import_briefing(SEED)
    lines = seed_lines()
    assert imported.issue.issue_id == "2011-01-12"
    article = imported.issue.articles[0]
    assert article.slug == "contradiction-at-the-heart-of-big-society"
    assert article.front_matter["headline"] == HEADLINE
    assert article.front_matter["standfirst"] == lines[3]
    assert lines[3].startswith("One of the central themes of the Big Society")
    body = render_body(article.body, *ISSUE_PAGE)
    assert body.headings == (HEADING,)
    assert body.text.split("\n\n") == lines[4:]
    assert len(lines[4:]) == 8


def test_import_writes_a_folder_that_builds(
    content: ContentTree, run_cli: Callable[..., Result], build_store: Callable[..., Store]
) -> None:
    result = run_cli("import-text", SEED, "--out", content.root)
    assert result.exit_code == 0, result.output
    folder = content.root / "issues" / "2011-01-12"
    assert sorted(p.name for p in folder.iterdir()) == [
        "01-contradiction-at-the-heart-of-big-society.md",
        "issue.toml",
    ]
    issue = build_store(content).issue("2011-01-12")
    assert issue.title == HEADLINE
    article = issue.articles[0]
    assert article.standfirst == seed_lines()[3]
    assert article.body_text.split("\n\n") == seed_lines()[4:]
    assert f"<h2>{HEADING}</h2>" in html.unescape(article.body_html)
    assert html.unescape(article.body_html).count("<p>") == 7


def test_import_reports_stripped_links_as_warnings(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    result = run_cli("import-text", SEED, "--out", content.root)
    assert result.output.splitlines()[:2] == [
        f"{SEED}:11: warning: A link seems to have been stripped here:"
        " '…k PACES Empowerment ( then click the ‘Big …'",
        f"{SEED}:17: warning: A link seems to have been stripped here:"
        " '… for Civil Society. See or )'",
    ]
    assert result.output.splitlines()[2] == f"{SEED}: wrote {content.root}/issues/2011-01-12"


def test_existing_issue_folder_is_never_overwritten(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    folder = content.issue("2011-01-12")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run_cli("import-text", SEED, "--out", content.root)
    assert result.exit_code == 1
    assert f"{SEED}:1: issue: {folder} exists already: nothing was written" in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_import_without_publication_says_what_is_missing(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli("import-text", SEED, "--out", tmp_path / "new")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        f"{tmp_path}/new has no publication.toml yet: add one before `briefing build`."
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefing.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_text_without_a_date_is_an_error(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = write(tmp_path, "Please send me the briefing:\n\nA headline\n\nA standfirst\n")
    result = run_cli("import-text", path, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:3: warning: Not placed, left out: 'A headline'",
        f"{path}:5: warning: Not placed, left out: 'A standfirst'",
        f"{path}:1: date: No date line such as 'January 12, 2011'.",
    ]
    assert not (tmp_path / "out" / "issues").exists()


def test_text_that_ends_before_the_standfirst_is_an_error(tmp_path: Path) -> None:
    from service.errors import ContentErrors

    path = write(tmp_path, "January 26, 2011\n\nOnly a headline\n")
    with pytest.raises(ContentErrors) as raised:
        import_briefing(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:1: standfirst: Missing: the text ends before it."
    ]


def test_lines_before_the_date_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    path = write(tmp_path, "Dear all,\nJanuary 26, 2011\nHeadline\nStandfirst\nBody\n")
    imported = import_briefing(path)
    assert [str(w) for w in imported.warnings] == [
        f"{path}:1: warning: Not placed, left out: 'Dear all,'"
    ]
    assert imported.issue.issue_id == "2011-01-26"


def test_adjacent_lines_stay_separate_paragraphs(tmp_path: Path) -> None:
    path = write(tmp_path, "January 26, 2011\nHeadline\nStandfirst\nOne.\nTwo.\n")
    body = render_body(import_briefing(path).issue.articles[0].body, *ISSUE_PAGE)
    assert body.text == "One.\n\nTwo."


@pytest.mark.parametrize(
    "line",
    [
        "# not a heading",
        "1. not a list",
        "2011) not a list",
        "- not a bullet",
        "+ nor this",
        "> not a quote",
        "*stars* and _underscores_ and `ticks`",
        "[not](a link) <b>not html</b> &amp; not an entity",
        "```",
        "~~~",
        "=====",
        "ends with a hash #",
        "back\\slash",
        "    four spaces",
    ],
)
def test_markdown_characters_are_kept_as_text(line: str) -> None:
    assert render_body(escape_markdown(line), *ISSUE_PAGE).text == line


MARKDOWN_PUNCTUATION = "#*_[]()<>&!`~-+=|.1) \\:ab\xa0"
ANY_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))


@given(st.text(alphabet=MARKDOWN_PUNCTUATION) | st.text(alphabet=ANY_PRINTABLE))
def test_any_line_renders_back_to_itself(line: str) -> None:
    rendered = render_body(escape_markdown(line), *ISSUE_PAGE)
    assert rendered.text == line


def test_headline_without_ascii_letters_imports_as_an_issue_that_builds(
    tmp_path: Path,
    content: ContentTree,
    run_cli: Callable[..., Result],
    build_store: Callable[..., Store],
) -> None:
    path = write(tmp_path, "January 26, 2011\nمستقبل المجتمع\nStandfirst\nBody\n")
    assert run_cli("import-text", path, "--out", content.root).exit_code == 0
    article = build_store(content).issue("2011-01-26").articles[0]
    assert (article.id, article.headline) == ("article", "مستقبل المجتمع")


def test_text_that_check_would_refuse_is_refused_at_its_line(tmp_path: Path) -> None:
    from service.errors import ContentErrors

    path = write(tmp_path, f"January 26, 2011\n{'Long ' * 61}\nInvoice \u202egpj.exe\nBody\n")
    with pytest.raises(ContentErrors) as raised:
        import_briefing(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:2: headline: Longer than 300 characters.",
        f"{path}:3: standfirst: Contains the bidirectional control U+202E, which reorders the"
        " text after it: use the marks U+200E and U+200F instead.",
    ]


@pytest.mark.parametrize("date", ["January 1, 0001", "December 31, 9999", "1 March 1899"])
def test_a_date_outside_the_publishing_years_is_refused_at_its_line(
    tmp_path: Path, date: str
) -> None:
    from service.errors import ContentErrors

    path = write(tmp_path, f"Please send me the briefing\n{date}\nHeadline\nStandfirst\nBody\n")
    with pytest.raises(ContentErrors) as raised:
        import_briefing(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:2: date: Outside the years 1900 to 2999."
    ]


def test_spaces_and_tabs_at_the_ends_of_lines_are_kept(
    tmp_path: Path,
    content: ContentTree,
    run_cli: Callable[..., Result],
    build_store: Callable[..., Store],
) -> None:
    path = write(
        tmp_path, "  January 26, 2011\t\n Headline \t\n\tStandfirst \n   Indented. \n\tTabbed.\t\n"
    )
    assert run_cli("import-text", path, "--out", content.root).exit_code == 0
    article = build_store(content).issue("2011-01-26").articles[0]
    assert (article.headline, article.standfirst) == (" Headline \t", "\tStandfirst ")
    assert article.body_text == "   Indented. \n\n\tTabbed.\t"


def test_a_star_line_after_two_blank_lines_begins_the_next_article(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "January 26, 2011\n\nFirst\n\nIts standfirst\n\nIts body.\n\n\n* * *\n\nSecond\n\n"
        "Its own standfirst\n\n* * *\n",
    )
    articles = import_briefing(path).issue.articles
    assert [a.front_matter["headline"] for a in articles] == ["First", "Second"]
    assert [a.front_matter["standfirst"] for a in articles] == [
        "Its standfirst",
        "Its own standfirst",
    ]
    assert [render_body(a.body, *ISSUE_PAGE).text for a in articles] == ["Its body.", "* * *"]


def test_a_later_article_that_ends_early_is_an_error_at_its_star_line(tmp_path: Path) -> None:
    from service.errors import ContentErrors

    path = write(tmp_path, "January 26, 2011\nFirst\nStandfirst\n\n\n* * *\nSecond\n")
    with pytest.raises(ContentErrors) as raised:
        import_briefing(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:6: standfirst: Missing: the text ends before it."
    ]


def test_two_articles_with_one_headline_get_two_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "January 26, 2011\nNews\nOne\n\n\n* * *\nNews\nTwo\n")
    articles = import_briefing(path).issue.articles
    assert [(a.slug, a.front_matter.get("id")) for a in articles] == [
        ("news", None),
        ("news-2", "news-2"),
    ]


def test_the_signature_is_left_out_but_for_the_sources_listed_under_headlines(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "January 26, 2011\nFirst\nStandfirst\nBody.\n-- \nThis line is a paragraph\n-- \n"
        "Sources\n\nFirst:\n- The report <https://example.org/report>\n- Not a source\n"
        "- Past the list <https://example.org/past>\n\nNo such headline:\n"
        "- Its source <https://example.org/none>\nJane, the editor\n",
    )
    imported = import_briefing(path)
    [article] = imported.issue.articles
    assert article.front_matter["sources"] == [
        {"title": "The report", "url": "https://example.org/report"}
    ]
    assert render_body(article.body, *ISSUE_PAGE).text == "Body.\n\n-- \n\nThis line is a paragraph"
    assert [str(w) for w in imported.warnings] == [
        f"{path}:7: warning: Signature left out (lines 7-17), but for its 1 source(s)."
    ]


def test_a_source_that_check_would_refuse_is_refused_at_its_line(tmp_path: Path) -> None:
    from service.errors import ContentErrors

    path = write(tmp_path, "January 26, 2011\nFirst\nStandfirst\n-- \nFirst:\n- Report <ftp://x>\n")
    with pytest.raises(ContentErrors) as raised:
        import_briefing(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:6: sources.0.url: Not an absolute http or https URL."
    ]


SAVED_MESSAGE = (
    "From: Desk <desk@example.org>\r\nSubject: The briefing\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "January 26, 2011\r\n\r\nRents =E2=80=93 a cap\r\n\r\nA standfirst =20\r\n\r\n"
    "A paragraph that goes on past the end of its encoded line, which quoted-printable br=\r\n"
    "eaks softly.\r\n"
    "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Not this</p>\r\n--b--\r\n"
)


def test_a_saved_message_is_read_by_its_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "briefing.eml"
    path.write_bytes(SAVED_MESSAGE.encode())
    [article] = import_briefing(path).issue.articles
    assert article.front_matter["headline"] == "Rents – a cap"
    assert article.front_matter["standfirst"] == "A standfirst  "
    assert render_body(article.body, *ISSUE_PAGE).text == (
        "A paragraph that goes on past the end of its encoded line, which quoted-printable"
        " breaks softly."
    )


def test_a_saved_message_without_plain_text_is_refused(tmp_path: Path) -> None:
    from service.errors import ContentErrors

    path = tmp_path / "briefing.eml"
    path.write_text(
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi</p>\r\n"
    )
    with pytest.raises(ContentErrors) as raised:
        import_briefing(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:1: file: A message without plain text."
    ]
