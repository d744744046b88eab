"""The email edition as one RFC 5322 message, multipart/alternative (the emailed text, then the
HTML), addressed from the publication's [email] table: the same store gives the same bytes."""

from __future__ import annotations

import hashlib
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from service.email.html import issue_html
from service.email.text import issue_text
from service.errors import NoEmailEdition
from service.feeds.catalogue import tag_uri
from service.model import EmailEdition, Issue, Publication
from service.store import Store
from service.urls import Site

# CRLF line ends and lines folded at 78 columns, as RFC 5322 asks. The List-* fields are folded
# here and written as they are (refold_source="none"): Python would break a long URL into
# encoded words, which no mail client reads back as a URL.
POLICY = SMTP.clone(refold_source="none")
MAX_LINE = 78
SPECIALS = frozenset('()<>[]:;@\\,."')
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058


def email_edition(store: Store, issue_id: str) -> bytes:
    """The issue's email edition; IssueNotFound, or NoEmailEdition without an [email] table."""
    edition = edition_of(store.publication)
    issue = store.issue(issue_id)
    return edition_message(Site.of(store, store.publication), edition, issue).as_bytes()


def edition_of(publication: Publication) -> EmailEdition:
    """How the publication's email edition is addressed; NoEmailEdition if it has none."""
    if publication.email is None:
        raise NoEmailEdition()
    return publication.email


def edition_message(site: Site, edition: EmailEdition, issue: Issue) -> EmailMessage:
    """The message: its header fields, then the plain text and the HTML, a client's choice."""
    message = EmailMessage(policy=POLICY)
    subject = subject_of(site.publication, issue)
    address(message, site.publication, edition)
    message["Subject"] = subject
    message["Date"] = issue.published
    message["Message-ID"] = message_id(site.publication, issue)
    list_fields(message, site, edition)
    message["MIME-Version"] = "1.0"
    message.make_alternative()
    text = issue_text(site, edition, issue)
    html = issue_html(site, edition, issue, subject)
    message.attach(part(text, "plain"))
    message.attach(part(html, "html"))
    message.set_boundary(boundary(text, html))
    return message


def address(message: EmailMessage, publication: Publication, edition: EmailEdition) -> None:
    """From the publication's address; To the same, since one message goes to every reader
    (the list server's envelope holds their addresses); Reply-To if the editors want replies."""
    name = one_line(edition.sender.name or publication.title)
    sender = Address(display_name=name, addr_spec=edition.sender.address)
    message["From"] = sender
    message["To"] = sender
    if edition.reply_to:
        message["Reply-To"] = Address(addr_spec=edition.reply_to)


def subject_of(publication: Publication, issue: Issue) -> str:
    """'SCA Briefing No. 1: Contradiction at the heart of Big Society'."""
    number = f" No. {issue.number}" if issue.number else ""
    return one_line(f"{publication.title}{number}: {issue.title}")


def message_id(publication: Publication, issue: Issue) -> str:
    """The issue's tag URI, tag:AUTHORITY,DATE:issue/ID, as <issue/ID.DATE@AUTHORITY>: the same
    on every build, and never another issue's."""
    authority_date, _, specific = tag_uri(publication, issue).removeprefix("tag:").partition(":")
    authority, _, date = authority_date.rpartition(",")
    mailbox, _, domain = authority.rpartition("@")
    return f"<{'.'.join(filter(None, (specific, date, mailbox)))}@{domain}>"


def list_fields(message: EmailMessage, site: Site, edition: EmailEdition) -> None:
    """What list software and mail clients read (RFC 2369, 2919, 8058): which list this is,
    where its archive is, how to leave it (in one click when there is an https address)."""
    fields = {
        "List-Id": [*phrase(site.publication.title), f"<{edition.list_id}>"],
        "List-Archive": [f"<{site.urls.home()}>"],
        "List-Unsubscribe": listed(edition.unsubscribe),
    }
    if edition.subscribe:
        fields["List-Subscribe"] = [f"<{edition.subscribe}>"]
    for name, words in fields.items():
        message.set_raw(name, folded(name, words))
    if any(url.startswith("https:") for url in edition.unsubscribe):
        message["List-Unsubscribe-Post"] = ONE_CLICK


def listed(urls: tuple[str, ...]) -> list[str]:
    """URLs as RFC 2369 lists them: each in angle brackets, separated by commas."""
    return [f"<{url}>," for url in urls[:-1]] + [f"<{urls[-1]}>"]


def phrase(text: str) -> list[str]:
    """The words of an RFC 5322 phrase saying text: atoms, one quoted string, or encoded words
    (RFC 2047) for text beyond ASCII."""
    text = one_line(text)
    if not text.isascii():
        return Header(text, "utf-8").encode(maxlinelen=MAX_LINE - 2).split()
    if SPECIALS.isdisjoint(text):
        return text.split()
    return ['"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"']


def folded(name: str, words: list[str]) -> str:
    """A field's words, folded between them at 78 columns where they fit, never inside one."""
    lines: list[str] = []
    line, room = "", MAX_LINE - len(name) - 2
    for word in words:
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line, room = word, MAX_LINE - 1
        else:
            line = f"{line} {word}" if line else word
    return "\n ".join([*lines, line])


def one_line(text: str) -> str:
    """Text for a header field: its runs of white space, line breaks included, as one space."""
    return " ".join(text.split())


def part(body: str, subtype: str) -> EmailMessage:
    """One part of the message, in UTF-8 and quoted-printable, which every part needs: its
    paragraphs are longer than a line, and the plain text keeps white space at a line's end,
    which servers may strip (the MIME-Version is the message's, not the part's)."""
    written = EmailMessage(policy=POLICY)
    written.set_content(body, subtype=subtype, charset="utf-8", cte="quoted-printable")
    del written["MIME-Version"]
    return written


def boundary(*parts: str) -> str:
    """The same boundary for the same parts, and one that stands in neither: `=_` never
    occurs in quoted-printable."""
    return "=_briefing_" + hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()
