"""`briefing check`: every rule, every error in one run, as `file:line: field: message`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from schemas import duplicate_issue_errors
from service.model import IssueDraft
from tests.factories import ContentTree

ARTICLE = "---\nheadline: H\nstandfirst: S\n---\nBody\n"
HOUR = dt.timedelta(hours=1)


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


def test_issue_holds_a_thousand_articles_at_most(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write("issues/2011-01-12/issue.toml", "date = 2011-01-12\n")
    for number in range(1, 1002):
        content.write(
            f"issues/2011-01-12/{number:04}-a.md",
            f"---\nheadline: Article {number}\nstandfirst: S\n---\nBody.\n",
        )
    assert check() == [
        "issues/2011-01-12/issue.toml:1: articles: An issue holds 1000 articles at most."
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


def test_escapes_cannot_put_forbidden_characters_into_values(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write(
        "issues/2011-01-12/issue.toml", 'date = 2011-01-12\ntitle = "Bell\\u0007"\ntags = ["a"]\n'
    )
    content.write(
        "issues/2011-01-12/01-a.md",
        '---\nheadline: "Nul\\0"\nstandfirst: "Next line\\N"\n'
        'sources:\n- title: "\\uFFFF"\n  url: https://example.org/\n"key\\e": x\n---\nB\n',
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:2: headline: Contains the control character U+0000.",
        "issues/2011-01-12/01-a.md:3: standfirst: Contains the control character U+0085.",
        "issues/2011-01-12/01-a.md:5: sources[0].title: Contains the noncharacter U+FFFF.",
        "issues/2011-01-12/01-a.md:7: 'key\\x1b': Contains the control character U+001B.",
        "issues/2011-01-12/issue.toml:2: title: Contains the control character U+0007.",
    ]


def test_front_matter_takes_only_plain_values(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: !!binary SGVhZGxpbmU=\nstandfirst: S\ntags: !!set {a, b}\n---\nB\n",
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:2: headline: Not plain text, a number, a date, a list or a"
        " mapping.",
        "issues/2011-01-12/01-a.md:4: tags: Not plain text, a number, a date, a list or a mapping.",
    ]


def test_billion_laughs_are_refused_before_they_expand(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    laughs = ["lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for name, alias in zip("bcdefghi", "abcdefgh", strict=True):
        laughs.append(f"lo{name}: &{name} [{', '.join([f'*{alias}'] * 9)}]")
    content.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: H\nstandfirst: S\n" + "\n".join(laughs) + "\n---\n",
    )
    aliases = "Aliases (*name) are not allowed in front matter."
    assert check() == [f"issues/2011-01-12/01-a.md:4: front matter: {aliases}"]


def test_data_nested_past_the_parsers_is_refused(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write(
        "issues/2011-01-12/issue.toml", f"date = 2011-01-12\ntags = {'[' * 5000}{']' * 5000}\n"
    )
    content.write(
        "issues/2011-01-12/01-a.md", f"---\nheadline: H\nstandfirst: {'[' * 999}{']' * 999}\n---\n"
    )
    content.write(
        "issues/2011-01-12/02-b.md", f"---\nheadline: H\nstandfirst: {'{a: ' * 5000}\n---\n"
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:2: front matter: Nested too deeply.",
        "issues/2011-01-12/02-b.md:3: front matter: exceeded maximum nesting depth.",
        "issues/2011-01-12/issue.toml:1: toml: Nested too deeply.",
    ]


def test_plain_text_fields_refuse_bidirectional_controls(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write("issues/2011-01-12/issue.toml", 'date = 2011-01-12\ntitle = "\u2067Isolated"\n')
    content.article(
        "2011-01-12",
        "01-a.md",
        headline="Invoice \u202egpj.exe",
        standfirst="Marks \u200f and \u200e reorder nothing.",
        body="A quotation: \u202bمرحبا\u202c, closed by its paragraph.",
    )
    refused = "Contains the bidirectional control U+{}, which reorders the text after it:"
    instead = " use the marks U+200E and U+200F instead."
    assert check() == [
        "issues/2011-01-12/01-a.md:3: headline: " + refused.format("202E") + instead,
        "issues/2011-01-12/issue.toml:2: title: " + refused.format("2067") + instead,
    ]


def test_more_tags_than_the_limit_are_one_error(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    tags = [f"tag-{index}" for index in range(10_000)]
    content.article("2011-01-12", "01-a.md", headline="H", tags=tags)
    assert check() == ["issues/2011-01-12/01-a.md:4: tags: More than 50 tags."]


def test_markdown_nested_deeper_than_it_can_show_names_its_line(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write(
        "issues/2011-01-12/01-a.md",
        f"---\nheadline: Q\nstandfirst: S\n---\n\n\nIntro.\n\n{'>' * 10_000} x\n",
    )
    lists = "\n".join(f"{'  ' * depth}- item {depth}" for depth in range(12))
    content.write("issues/2011-01-12/02-b.md", f"---\nheadline: L\nstandfirst: S\n---\n{lists}\n")
    content.write(
        "issues/2011-01-12/03-c.md", f"---\nheadline: I\nstandfirst: S\n---\n{'- ' * 10_000}x\n"
    )
    deep = "body: Quotes and lists nested too deeply to show."
    assert check() == [
        f"issues/2011-01-12/01-a.md:9: {deep}",
        f"issues/2011-01-12/02-b.md:14: {deep}",
        f"issues/2011-01-12/03-c.md:5: {deep}",
    ]


def test_numbers_and_times_stay_in_range(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write(
        "issues/2011-01-12/issue.toml", "date = 2011-01-12\nnumber = 100000000000000000000\n"
    )
    content.write("issues/2011-01-12/01-a.md", ARTICLE)
    content.write(
        "issues/2011-01-26/issue.toml", "date = 2011-01-26\nupdated = 9999-12-31T23:59:59-23:59\n"
    )
    content.write("issues/2011-01-26/01-a.md", ARTICLE)
    assert check() == [
        "issues/2011-01-12/issue.toml:2: number: Must be 1000000 or less.",
        "issues/2011-01-26/issue.toml:2: updated: Out of range: in UTC it falls outside the years"
        " 1 to 9999.",
    ]


def test_file_larger_than_the_limit(content: ContentTree, check: Callable[[], list[str]]) -> None:
    content.issue("2011-01-12")
    content.write("issues/2011-01-12/02-b.md", ARTICLE + "x" * 2 * 1024 * 1024)
    assert check() == ["issues/2011-01-12/02-b.md:1: file: Larger than 2 MiB."]


def test_odd_front_matter_keys_are_unknown_fields_named_on_one_line(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write(
        "issues/2011-01-12/01-a.md",
        '---\nheadline: H\nstandfirst: S\nnull: x\n"two\\nlines\\u202e": x\n---\n',
    )
    assert check() == [
        "issues/2011-01-12/01-a.md:1: None: Unknown field.",
        "issues/2011-01-12/01-a.md:5: 'two\\nlines\\u202e': Unknown field.",
    ]


def test_patterns_match_the_whole_value_not_up_to_a_final_newline(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.publication(language="en\n", tag_authority="briefing.test\n")
    content.issue("2011-01-12", tags=["big-society\n", "big-society"])
    content.article("2011-01-12", "02-b.md", headline="B", id="b\n")
    slug = "Not a valid slug: use lowercase letters, digits and single hyphens."
    assert check() == [
        f"issues/2011-01-12/02-b.md:4: id: {slug}",
        f"issues/2011-01-12/issue.toml:2: tags[0]: {slug}",
        "publication.toml:3: language: Not a language tag such as 'en' or 'en-GB'.",
        "publication.toml:6: tag_authority: Not a tag authority: use a domain name you own,"
        " such as 'example.org'.",
    ]


def test_issue_folder_named_with_a_final_newline_is_refused_on_one_line(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    folder = content.issue("2011-03-01\n")
    result = run_cli("check", content.root)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{ascii(str(folder))}:1: id: Not a valid issue id: name the folder after the issue's"
        " date, YYYY-MM-DD.",
        "1 error(s); nothing was built.",
    ]


def test_a_number_too_long_to_read_is_an_error_and_checking_goes_on(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.write("issues/2011-01-12/issue.toml", f"date = 2011-01-12\nnumber = {'9' * 5000}\n")
    content.write("issues/2011-01-12/01-a.md", ARTICLE)
    content.issue("2011-01-26", articles=0)
    content.write(
        "issues/2011-01-26/01-a.md", f"---\nheadline: H\nstandfirst: {'9' * 100_000}\n---\n"
    )
    content.write("issues/2011-01-26/02-b.md", f"---\nheadline: H\n? {'1' * 5000}\n: x\n---\n")
    content.issue("2011-02-09", articles=0)
    content.write("issues/2011-02-09/01-a.md", '---\nheadline: ""\nstandfirst: S\n---\n')
    too_long = "A number of more than 4300 digits."
    assert check() == [
        f"issues/2011-01-12/issue.toml:2: number: {too_long}",
        f"issues/2011-01-26/01-a.md:3: standfirst: {too_long}",
        f"issues/2011-01-26/02-b.md:3: file: {too_long}",
        "issues/2011-02-09/01-a.md:2: headline: Must not be empty.",
    ]


def test_dates_and_times_stay_in_the_publishing_years(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("0001-01-01")
    content.issue("1899-12-31")
    content.issue("1900-01-01", updated=dt.datetime(1900, 1, 1, 0, 30, tzinfo=dt.timezone(HOUR)))
    content.issue("2999-12-31", updated=dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=dt.UTC))
    content.issue("2011-01-12", updated=dt.datetime(3000, 1, 1, tzinfo=dt.UTC))
    content.issue("9999-12-31")
    in_utc = "updated: Out of range: in UTC it falls outside the years 1900 to 2999."
    assert check() == [
        "issues/0001-01-01/issue.toml:1: date: Outside the years 1900 to 2999.",
        "issues/1899-12-31/issue.toml:1: date: Outside the years 1900 to 2999.",
        f"issues/1900-01-01/issue.toml:2: {in_utc}",
        f"issues/2011-01-12/issue.toml:2: {in_utc}",
        "issues/9999-12-31/issue.toml:1: date: Outside the years 1900 to 2999.",
    ]


def test_a_body_whose_markup_costs_more_than_a_build_affords_is_refused_at_its_line(
    content: ContentTree, check: Callable[[], list[str]]
) -> None:
    content.issue("2011-01-12", articles=0)
    content.write("issues/2011-01-12/01-a.md", f"{ARTICLE}\nAbove.\n\n{'![' * 100_000}\n")
    content.write("issues/2011-01-12/02-b.md", ARTICLE + "a line\n" * 50_000)
    content.issue("2011-01-26", articles=0)
    content.write("issues/2011-01-26/01-a.md", '---\nheadline: ""\nstandfirst: S\n---\n')
    assert check() == [
        "issues/2011-01-12/01-a.md:9: body: Markup too costly to read: past 200000 parsing steps"
        " by this paragraph (unclosed [ and ![ cost most); split the article.",
        "issues/2011-01-12/02-b.md:50005: body: Longer than 50000 lines: split the article.",
        "issues/2011-01-26/01-a.md:2: headline: Must not be empty.",
    ]


def test_files_and_folders_linked_from_outside_the_content_are_refused(
    content: ContentTree, check: Callable[[], list[str]], tmp_path: Path
) -> None:
    elsewhere = ContentTree(tmp_path / "elsewhere")
    secret = elsewhere.write("secret.md", "---\nheadline: Secret\nstandfirst: S\n---\nPrivate.\n")
    folder = elsewhere.issue("2011-01-26")
    shared = content.write("shared/c.md", "---\nheadline: Shared\nstandfirst: S\n---\nOurs.\n")
    content.issue("2011-01-12")
    (content.root / "issues/2011-01-12/02-b.md").symlink_to(secret)
    (content.root / "issues/2011-01-12/03-c.md").symlink_to(shared)
    (content.root / "issues/2011-01-26").symlink_to(folder)
    assert check() == [
        f"issues/2011-01-12/02-b.md:1: file: A link to {secret.resolve()}, outside the content:"
        " copy it in.",
        f"issues/2011-01-26:1: file: A link to {folder.resolve()}, outside the content:"
        " copy it in.",
    ]


def test_a_publication_linked_from_outside_the_content_is_refused(
    content: ContentTree, check: Callable[[], list[str]], tmp_path: Path
) -> None:
    elsewhere = ContentTree(tmp_path / "elsewhere")
    publication = elsewhere.publication()
    issues = elsewhere.issue("2011-01-12").parent
    (content.root / "publication.toml").unlink()
    (content.root / "publication.toml").symlink_to(publication)
    (content.root / "issues").symlink_to(issues)
    assert check() == [
        f"issues:1: file: A link to {issues.resolve()}, outside the content: copy it in.",
        f"publication.toml:1: file: A link to {publication.resolve()}, outside the content:"
        " copy it in.",
    ]
