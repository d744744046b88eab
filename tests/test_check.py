"""`briefing check`: every rule, every error in one run, as `file:line: field: message`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from schemas import duplicate_issue_errors
from service.model import IssueDraft
from tests.factories import ContentTree

ARTICLE = "---\nheadline: H\nstandfirst: S\n---\nBody\n"


@pytest.fixture
def check(content: ContentTree, run_cli: Callable[..., Result]) -> Callable[[], list[str]]:
    """Run `briefing check` on the tree; its error lines, paths relative to the content root."""

    def run() -> list[str]:
        result = run_cli("check", content.root)
        lines = result.output.replace(f"{content.root}/", "").splitlines()
        assert result.exit_code == (1 if len(lines) > 1 else 0), result.output
        return lines[:-1] if result.exit_code else []

    return run


def test_valid_content_checks_clean(content: ContentTree, run_cli: Callable[..., Result]) -> None:
    content.issue("2011-01-12", articles=2)
    result = run_cli("check", content.root)
    assert result.exit_code == 0
    assert result.output == f"{content.root}: 1 issue(s), 2 article(s), no errors.\n"


def test_bad_date(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write("issues/2011-02-30/issue.toml", 'number = 3\ndate = "2011-02-30"\n')
    content.write("issues/2011-02-30/01-a.md", ARTICLE)
    assert check() == ["issues/2011-02-30/issue.toml:2: date: Not a valid date."]


def test_impossible_toml_date(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write("issues/2011-02-28/issue.toml", "date = 2011-02-30\n")
    content.write("issues/2011-02-28/01-a.md", ARTICLE)
    assert check() == ["issues/2011-02-28/issue.toml:1: toml: Invalid date or datetime."]


def test_missing_headline(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12")
    content.write("issues/2011-01-12/02-b.md", "---\nstandfirst: S\n---\nBody\n")
    assert check() == ["issues/2011-01-12/02-b.md:1: headline: Missing data for required field."]


def test_empty_headline(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12")
    content.write("issues/2011-01-12/02-b.md", '---\nstandfirst: S\nheadline: ""\n---\nBody\n')
    assert check() == ["issues/2011-01-12/02-b.md:3: headline: Must not be empty."]


def test_duplicate_article_ids(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12", articles=0)
    content.article("2011-01-12", "01-a.md", headline="Same headline")
    content.article("2011-01-12", "02-b.md", headline="Different", id="same-headline")
    content.article("2011-01-12", "03-c.md", headline="Same headline!")
    assert check() == [
        "issues/2011-01-12/02-b.md:4: id: Duplicate article id 'same-headline': article 1 has it.",
        "issues/2011-01-12/03-c.md:3: id: Duplicate article id 'same-headline': article 1 has it.",
    ]


def test_duplicate_issue_numbers(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12", number=7)
    content.issue("2011-01-26", number=7)
    assert check() == [
        "issues/2011-01-26/issue.toml:2: number: Duplicate issue number 7: issue 2011-01-12 has it."
    ]


def test_duplicate_issue_ids_are_refused_by_the_schema() -> None:
    def issue(issue_id: str) -> IssueDraft:
        return IssueDraft(id=issue_id, date=None, updated=None, title="T")  # type: ignore[arg-type]

    errors = duplicate_issue_errors([issue("2011-01-12"), issue("2011-01-26"), issue("2011-01-12")])
    assert errors == {2: {"id": "Duplicate issue id '2011-01-12': issue 2011-01-12 has it."}}


def test_relative_source_url(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12", articles=0)
    content.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: H\nstandfirst: S\nsources:\n"
        "- title: The report\n  url: /reports/1\n---\nB\n",
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:6: sources[0].url: Not an absolute http or https URL."
    ]


def test_javascript_url_is_not_a_source(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.article(
        "2011-01-12",
        "01-a.md",
        headline="H",
        sources=[{"title": "x", "url": "javascript:alert(1)"}],
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:6: sources[0].url: Not an absolute http or https URL."
    ]


def test_naive_datetime(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write(
        "issues/2011-01-12/issue.toml", "date = 2011-01-12\nupdated = 2011-01-12T09:30:00\n"
    )
    content.write("issues/2011-01-12/01-a.md", ARTICLE)
    assert check() == ["issues/2011-01-12/issue.toml:2: updated: Not a valid aware datetime."]


def test_unknown_field(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write("issues/2011-01-12/issue.toml", 'date = 2011-01-12\ncolour = "red"\n')
    content.write(
        "issues/2011-01-12/01-a.md", "---\nheadline: H\nstandfirst: S\nsubtitle: x\n---\nB\n"
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:4: subtitle: Unknown field.",
        "issues/2011-01-12/issue.toml:2: colour: Unknown field.",
    ]


def test_unknown_publication_field(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.publication(colour="red")
    assert check() == ["publication.toml:7: colour: Unknown field."]


def test_publication_rules(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write(
        "publication.toml",
        'title = "T"\nsubtitle = "S"\nlanguage = "english!"\nrights = "R"\n'
        'base_url = "briefing.test"\ntag_authority = "not a domain"\nfeed_size = 0\n'
        '[author]\nname = "Desk"\nemail = "nowhere"\n',
    )
    assert check() == [
        "publication.toml:3: language: Not a language tag such as 'en' or 'en-GB'.",
        "publication.toml:5: base_url: Not an absolute http or https URL.",
        "publication.toml:6: tag_authority: Not a tag authority: use a domain name you own,"
        " such as 'example.org'.",
        "publication.toml:7: feed_size: Must be between 1 and 100.",
        "publication.toml:10: author.email: Not a valid email address.",
    ]


def test_missing_publication(content: ContentTree, check: Callable[[], list[str]]) -> None:
    (content.root / "publication.toml").unlink()
    assert check() == ["publication.toml:1: file: Missing: every content tree needs one."]


def test_issue_folder_must_be_named_after_its_date(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write("issues/january/issue.toml", "date = 2011-01-12\n")
    content.write("issues/january/01-a.md", ARTICLE)
    content.write("issues/2011-01-26/issue.toml", "date = 2011-01-12\n")
    content.write("issues/2011-01-26/01-a.md", ARTICLE)
    assert check() == [
        "issues/2011-01-26/issue.toml:1: date: The issue id '2011-01-26' does not begin with"
        " its date 2011-01-12.",
        "issues/january:1: id: Not a valid issue id: name the folder after the issue's date,"
        " YYYY-MM-DD.",
    ]


def test_issue_needs_an_article(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write("issues/2011-01-12/issue.toml", "date = 2011-01-12\n")
    assert check() == [
        "issues/2011-01-12/issue.toml:1: articles: An issue needs at least one article."
    ]


def test_bad_tags(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.write("issues/2011-01-12/issue.toml", 'date = 2011-01-12\ntags = ["Big Society"]\n')
    content.write(
        "issues/2011-01-12/01-a.md", "---\nheadline: H\nstandfirst: S\ntags: [a, a]\n---\n"
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:4: tags[1]: Duplicate tag.",
        "issues/2011-01-12/issue.toml:2: tags[0]: Not a valid slug: use lowercase letters,"
        " digits and single hyphens.",
    ]


def test_yaml_syntax_error_names_its_line(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write("issues/2011-01-12/01-a.md", "---\nheadline: H\nstandfirst: [unclosed\n---\nB\n")
    assert check() == [
        "issues/2011-01-12/01-a.md:4: front matter: did not find expected ',' or ']'."
    ]


def test_front_matter_refuses_python_tags_and_aliases(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: !!python/object:os.system x\nstandfirst: S\n---\nB\n",
    )
    content.write(
        "issues/2011-01-12/02-b.md",
        "---\nheadline: &h H\nstandfirst: *h\n---\nB\n",
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:2: front matter: could not determine a constructor for the"
        " tag 'tag:yaml.org,2002:python/object:os.system'.",
        "issues/2011-01-12/02-b.md:2: front matter:"
        " Aliases (*name) are not allowed in front matter.",
    ]


def test_article_without_front_matter(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12")
    content.write("issues/2011-01-12/02-b.md", "# Just Markdown\n")
    content.write("issues/2011-01-12/03-c.md", "---\nheadline: H\n")
    assert check() == [
        "issues/2011-01-12/02-b.md:1: front matter: Missing: start the file with a '---' line.",
        "issues/2011-01-12/03-c.md:1: front matter: Not closed: end it with a '---' line.",
    ]


def test_invalid_utf8_and_control_characters(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12")
    content.write("issues/2011-01-12/02-b.md", b"---\nheadline: caf\xe9\nstandfirst: S\n---\n")
    content.write("issues/2011-01-12/03-c.md", "---\nheadline: H\nstandfirst: S\n---\nBell\x07\n")
    assert check() == [
        "issues/2011-01-12/02-b.md:2: file: Not valid UTF-8 (byte 17).",
        "issues/2011-01-12/03-c.md:5: file: Contains the control character U+0007.",
    ]


def test_stray_files_are_reported(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12")
    content.write("issues/2011-01-12/02-b.txt", "not an article")
    content.write("issues/2011-01-26.md", ARTICLE)
    content.write("issues/.DS_Store", "ignored")
    assert check() == [
        "issues/2011-01-12/02-b.txt:1: file: Not part of an issue: articles are .md files.",
        "issues/2011-01-26.md:1: file: Not an issue folder: issues/ holds one folder per issue.",
    ]


def test_every_error_is_reported_in_one_run(
    content: ContentTree, check: Callable[[], list[str]], run_cli: Callable[..., Result]
) -> None:
    content.publication(base_url="/relative")
    content.write("issues/2011-01-12/issue.toml", "date = 2011-01-12\nnumber = -1\n")
    content.write("issues/2011-01-12/01-a.md", "---\nstandfirst: S\n---\n")
    content.write("issues/2011-01-26/issue.toml", 'date = "soon"\n')
    content.write("issues/2011-01-26/01-a.md", "---\nheadline: H\n---\n")
    assert check() == [
        "issues/2011-01-12/01-a.md:1: headline: Missing data for required field.",
        "issues/2011-01-12/issue.toml:2: number: Must be 1 or more.",
        "issues/2011-01-26/01-a.md:1: standfirst: Missing data for required field.",
        "issues/2011-01-26/issue.toml:1: date: Not a valid date.",
        "publication.toml:5: base_url: Not an absolute http or https URL.",
    ]
    assert run_cli("check", content.root).output.endswith("5 error(s); nothing was built.\n")


def test_issue_id_longer_than_its_url_allows(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    issue_id = "2011-01-12-" + "a" * 90
    content.write(f"issues/{issue_id}/issue.toml", "date = 2011-01-12\n")
    content.write(f"issues/{issue_id}/01-a.md", ARTICLE)
    assert check() == [f"issues/{issue_id}:1: id: Longer than 100 characters."]
