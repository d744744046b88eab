"""The [email] table of publication.toml: what `briefing check` says of each mistake in it."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.factories import REPO, ContentTree

PUBLICATION_TOML = (
    'title = "T"\nsubtitle = "S"\nlanguage = "en"\nrights = "R"\nbase_url = "https://briefing.test"\n'
    'tag_authority = "briefing.test"\n[author]\nname = "Desk"\n\n[email]\n'
)


def test_email_table_errors_are_named_at_their_line(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    content.write(
        "publication.toml",
        PUBLICATION_TOML + 'from = { name = "Desk", address = "nowhere" }\nreply_to = "editors"\n'
        'list_id = "briefing"\nunsubscribe = "http://lists.briefing.test/u"\n'
        'subscribe = "ftp://lists.briefing.test/"\n',
    )
    result = run_cli("check", content.root)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{content.root}/publication.toml:11: email.from.address: Not a valid email address.",
        f"{content.root}/publication.toml:12: email.reply_to: Not a valid email address.",
        f"{content.root}/publication.toml:13: email.list_id: Not a list id (RFC 2919): use a name"
        " and a domain you own, such as 'briefing.lists.example.org'.",
        f"{content.root}/publication.toml:14: email.unsubscribe: 'http://lists.briefing.test/u'"
        " is neither an https URL (for one-click unsubscribe, RFC 8058) nor a mailto: URL.",
        f"{content.root}/publication.toml:15: email.subscribe: 'ftp://lists.briefing.test/' is"
        " neither an http or https URL nor a mailto: URL.",
        "5 error(s); nothing was built.",
    ]


def test_an_email_table_needs_a_sender_and_one_way_out_of_each_kind(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    content.write(
        "publication.toml",
        PUBLICATION_TOML + 'list_id = "lists.briefing.test"\nunsubscribe = [\n'
        '  "mailto:a@briefing.test",\n  "mailto:b@briefing.test",\n]\n',
    )
    result = run_cli("check", content.root)
    assert result.output.splitlines() == [
        f"{content.root}/publication.toml:10: email.from: Missing data for required field.",
        f"{content.root}/publication.toml:12: email.unsubscribe: At most one https URL and one"
        " mailto: URL.",
        "2 error(s); nothing was built.",
    ]


def test_a_sender_name_on_two_lines_is_refused(
    content: ContentTree, run_cli: Callable[..., Result]
) -> None:
    content.write(
        "publication.toml",
        PUBLICATION_TOML + 'from = { name = "Desk\\nTwo", address = "desk@briefing.test" }\n'
        'list_id = "lists.briefing.test"\nunsubscribe = "mailto:a@briefing.test"\n',
    )
    result = run_cli("check", content.root)
    assert result.output.splitlines()[0] == (
        f"{content.root}/publication.toml:11: email.from.name: Must be one line: it is shown in"
        " the From header."
    )


def test_the_shipped_content_has_an_email_edition(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """`briefing email 2011-01-12` on the shipped content writes the seed's email edition."""
    store, message = tmp_path / "briefing.sqlite3", tmp_path / "2011-01-12.eml"
    assert run_cli("build", REPO / "content", "--store", store).exit_code == 0
    result = run_cli("email", "2011-01-12", "--store", store, "--out", message)
    assert result.exit_code == 0, result.output
    parsed = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
    assert parsed["From"] == "SCA Briefing <briefing@example.org>"
    assert parsed["List-Id"] == "SCA Briefing <briefing.lists.example.org>"
    assert parsed.get_body(("plain",)) is not None and parsed.get_body(("html",)) is not None
