"""`briefing email`: one RFC 5322 message per issue, read back as a mail client reads it."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import Result

from service.store import Store
from tests.factories import EMAIL, ContentTree

ISSUE = "2024-01-24"
BASE = "https://briefing.test"


@pytest.fixture
def emailed(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    run_cli: Callable[..., Result],
    store_path: Path,
) -> Callable[..., bytes]:
    """`briefing email ISSUE` on a store built from the content tree as it stands then."""

    def email_of(issue_id: str = ISSUE) -> bytes:
        build_store(content).close()
        result = run_cli("email", issue_id, "--store", store_path)
        assert result.exit_code == 0, result.output
        return result.stdout_bytes

    return email_of


@pytest.fixture
def issue(content: ContentTree) -> ContentTree:
    """An issue of two articles, the second with sources, an author and an image."""
    content.publication(email=EMAIL)
    content.issue(
        ISSUE,
        number=7,
        title="Rents and the council",
        updated=dt.datetime(2024, 1, 25, 10, tzinfo=dt.UTC),
    )
    content.article(
        ISSUE,
        "02-rent.md",
        body=(
            'Rents rose **fast** & [far](/issues/2024-01-10 "the <p> \\"last\\" issue").\n\n'
            "![A chart of rents](https://example.org/chart.png)"
        ),
        headline="Rent caps & <the> council",
        standfirst="A cap on rents, “at last”.",
        sources=[{"title": "The rent report", "url": "https://example.org/rent"}],
        authors=[{"name": "Ada Writer", "url": "https://example.org/ada"}],
    )
    return content


def parsed(message: bytes) -> EmailMessage:
    parsed: EmailMessage = email.message_from_bytes(message, policy=email.policy.default)  # type: ignore[assignment]
    return parsed


def html_part(message: bytes) -> Any:
    body = parsed(message).get_body(("html",))
    assert body is not None
    return lxml.html.fromstring(body.get_content())


def test_the_message_is_text_and_html_alternatives_in_utf8(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    message = parsed(emailed())
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert [part.get_content_charset() for part in parts] == ["utf-8", "utf-8"]
    assert [part["Content-Transfer-Encoding"] for part in parts] == ["quoted-printable"] * 2
    assert [part["MIME-Version"] for part in parts] == [None, None]
    assert message.defects == [] and all(part.defects == [] for part in parts)


def test_every_line_is_within_rfc_5322_limits_and_ends_in_crlf(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    message = emailed()
    assert message.endswith(b"\r\n")
    lines = message.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 78
    assert message.isascii()


def test_the_headers_address_the_issue_to_its_list(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    message = parsed(emailed())
    assert message["From"] == "Test Briefing <briefing@briefing.test>"
    assert message["To"] == "Test Briefing <briefing@briefing.test>"
    assert message["Reply-To"] == "editors@briefing.test"
    assert message["Subject"] == "Test Briefing No. 7: Rents and the council"
    assert message["Date"].datetime == dt.datetime(2024, 1, 24, tzinfo=dt.UTC)
    assert message["Message-ID"] == "<issue/2024-01-24.2024-01-24@briefing.test>"
    assert message["List-Id"] == "Test Briefing <briefing.lists.briefing.test>"
    assert message["List-Archive"] == f"<{BASE}/>"
    assert message["List-Unsubscribe"] == (
        "<https://lists.briefing.test/unsubscribe/briefing>,"
        " <mailto:briefing-leave@lists.briefing.test?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Subscribe"] == "<https://lists.briefing.test/subscribe/briefing>"


def test_an_issue_without_a_number_is_named_by_its_title(
    content: ContentTree, emailed: Callable[..., bytes]
) -> None:
    content.publication(email=EMAIL)
    content.issue("2024-02-07")
    assert parsed(emailed("2024-02-07"))["Subject"] == "Test Briefing: Article 1 of 2024-02-07"


def test_a_title_on_two_lines_is_one_subject_line(
    content: ContentTree, emailed: Callable[..., bytes]
) -> None:
    content.publication(email=EMAIL)
    content.issue("2024-02-07", title="Rents\nand the council")
    assert parsed(emailed("2024-02-07"))["Subject"] == "Test Briefing: Rents and the council"


def test_the_same_store_gives_the_same_bytes_and_so_does_a_rebuild(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    assert emailed() == emailed()


def test_message_ids_follow_the_tag_uri_and_differ_by_issue(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    issue.issue("2024-01-24-extra")
    ids = {parsed(emailed(issue_id))["Message-ID"] for issue_id in (ISSUE, "2024-01-24-extra")}
    assert ids == {
        "<issue/2024-01-24.2024-01-24@briefing.test>",
        "<issue/2024-01-24-extra.2024-01-24@briefing.test>",
    }


def test_a_tag_authority_that_is_an_address_makes_a_well_formed_message_id(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    issue.publication(email=EMAIL, tag_authority="desk@briefing.test")
    assert parsed(emailed())["Message-ID"] == "<issue/2024-01-24.2024-01-24.desk@briefing.test>"


def test_a_long_unsubscribe_url_is_folded_whole_never_encoded(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    long_url = "https://lists.briefing.test/unsubscribe/" + "t0ken" * 40
    issue.publication(email={**EMAIL, "unsubscribe": [long_url, "mailto:leave@briefing.test"]})
    message = emailed()
    assert (
        f"List-Unsubscribe: <{long_url}>,\r\n <mailto:leave@briefing.test>\r\n".encode() in message
    )
    assert parsed(message)["List-Unsubscribe"] == f"<{long_url}>, <mailto:leave@briefing.test>"


def test_a_mailto_only_unsubscribe_offers_no_one_click(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    issue.publication(email={**EMAIL, "unsubscribe": "mailto:leave@briefing.test"})
    message = parsed(emailed())
    assert message["List-Unsubscribe"] == "<mailto:leave@briefing.test>"
    assert message["List-Unsubscribe-Post"] is None


@pytest.mark.parametrize(
    "title",
    ["Brief: news, “views”", "Бюллетень сообщества: новости и анализ политики местных сообществ"],
)
def test_a_title_of_any_characters_names_the_list_and_the_sender(
    issue: ContentTree, emailed: Callable[..., bytes], title: str
) -> None:
    issue.publication(email={**EMAIL, "from": {"address": "briefing@briefing.test"}}, title=title)
    written = emailed()
    message = parsed(written)
    assert message["List-Id"] == f"{title} <briefing.lists.briefing.test>"
    assert message["Subject"] == f"{title} No. 7: Rents and the council"
    # Adjacent encoded words are one text (RFC 2047 section 6.2), but policy=default reads a
    # space between them in a display name: read From as mail clients do, with email.header.
    raw_from = email.message_from_bytes(written, policy=email.policy.compat32)["From"]
    assert str(make_header(decode_header(raw_from))) == f"{title} <briefing@briefing.test>"


def test_out_writes_the_same_bytes_to_a_file(
    issue: ContentTree,
    emailed: Callable[..., bytes],
    run_cli: Callable[..., Result],
    store_path: Path,
    tmp_path: Path,
) -> None:
    written = emailed()
    result = run_cli("email", ISSUE, "--store", store_path, "--out", tmp_path / "issue.eml")
    assert (result.exit_code, result.output) == (0, "")
    assert (tmp_path / "issue.eml").read_bytes() == written


def test_an_out_file_that_cannot_be_written_is_one_line_and_exit_1(
    issue: ContentTree,
    emailed: Callable[..., bytes],
    run_cli: Callable[..., Result],
    store_path: Path,
    tmp_path: Path,
) -> None:
    emailed()
    out = tmp_path / "no-such-folder" / "issue.eml"
    result = run_cli("email", ISSUE, "--store", store_path, "--out", out)
    assert (result.exit_code, result.output) == (
        1,
        f"briefing email: {out}: cannot write the message (No such file or directory)\n",
    )


def test_the_html_links_only_to_absolute_addresses_and_loads_nothing(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    page = html_part(emailed())
    links = [str(href) for href in page.xpath("//a/@href")]
    assert links and all(re.match(r"https://|mailto:", href) for href in links), links
    assert f"{BASE}/issues/2024-01-10" in links
    assert page.xpath("//img | //link | //script | //iframe | //*[@src] | //*[@srcset]") == []
    styles = " ".join(page.xpath("//style/text() | //@style"))
    assert "url(" not in styles and "@import" not in styles


def test_the_html_has_every_article_its_sources_and_bylines(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    page = html_part(emailed())
    assert [h.text_content() for h in page.xpath("//h1 | //h2")] == [
        "Rents and the council",
        "Article 1 of 2024-01-24",
        "Rent caps & <the> council",
    ]
    assert page.xpath("//a[text()='The rent report']/@href") == ["https://example.org/rent"]
    assert page.xpath("//a[text()='Ada Writer']/@href") == ["https://example.org/ada"]
    assert page.xpath("//a[text()='far']/@title") == ['the <p> "last" issue']
    assert "A chart of rents" in page.text_content()


def test_the_html_links_the_issue_on_the_web_the_feeds_and_unsubscribe(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    page = html_part(emailed())

    def link(text: str) -> list[str]:
        return [str(href) for href in page.xpath(f"//a[text()='{text}']/@href")]

    assert link("Read it on the web") == [f"{BASE}/issues/{ISSUE}"]
    assert link("Atom") == [f"{BASE}/feeds/issues.atom"]
    assert link("RSS") == [f"{BASE}/feeds/issues.rss"]
    assert link("JSON Feed") == [f"{BASE}/feeds/issues.json"]
    assert link("Unsubscribe") == ["https://lists.briefing.test/unsubscribe/briefing"]
    assert link("by email") == ["mailto:briefing-leave@lists.briefing.test?subject=unsubscribe"]


def test_the_html_is_styled_inline_and_dark_where_the_client_asks(
    issue: ContentTree, emailed: Callable[..., bytes]
) -> None:
    page = html_part(emailed())
    assert page.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert "prefers-color-scheme: dark" in page.xpath("string(//style)")
    assert all(p.get("style") for p in page.xpath("//body//p"))
    assert "background-color:#fdfcf9" in page.xpath("string(//body/@style)")


def test_without_an_email_table_email_says_what_to_add(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    run_cli: Callable[..., Result],
    store_path: Path,
) -> None:
    content.issue(ISSUE)
    build_store(content).close()
    result = run_cli("email", ISSUE, "--store", store_path)
    assert result.exit_code == 1
    assert result.output == (
        f"briefing email: {store_path}: the publication has no [email] table:"
        " add one to publication.toml and build\n"
    )


def test_an_unknown_issue_or_store_is_one_line_and_exit_1(
    issue: ContentTree,
    emailed: Callable[..., bytes],
    run_cli: Callable[..., Result],
    store_path: Path,
    tmp_path: Path,
) -> None:
    emailed()
    unknown = run_cli("email", "2099-01-01", "--store", store_path)
    assert (unknown.exit_code, unknown.output) == (
        1,
        f"briefing email: {store_path}: no issue '2099-01-01'\n",
    )
    missing = run_cli("email", ISSUE, "--store", tmp_path / "none.sqlite3")
    assert (missing.exit_code, missing.output) == (
        1,
        f"briefing email: {tmp_path}/none.sqlite3: no store file here:"
        " run `briefing build` first\n",
    )
