"""Handing the email edition to an SMTP server (STARTTLS, then login, from BRIEFING_SMTP_*), and
the record beside the store that keeps an issue from going to the same address twice."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from service.errors import DeliveryFailed, SentAlready, SentUnrecorded, SmtpSettingInvalid

TIMEOUT = 60  # seconds to wait for the server at each step
YES, NO = {"yes", "true", "on", "1"}, {"no", "false", "off", "0"}
# How each refusal is told, the first kind that matches.
REFUSALS: tuple[tuple[type[smtplib.SMTPResponseException], str], ...] = (
    (smtplib.SMTPAuthenticationError, "refused the login"),
    (smtplib.SMTPDataError, "refused the message"),
    (smtplib.SMTPResponseException, "answered"),
)


@dataclass(frozen=True)
class SmtpServer:
    """Where to hand the message, and how: STARTTLS (verified against the system's CAs, or
    those in SSL_CERT_FILE) unless told not to, and a login if a user is set."""

    host: str
    port: int
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def smtp_server(address: str, settings: Mapping[str, str]) -> SmtpServer:
    """The server at HOST:PORT with the BRIEFING_SMTP_* settings; SmtpSettingInvalid if they
    cannot be used, a password in the clear above all."""
    host, _, port = address.rpartition(":")
    if not (host and port.isdigit() and 0 < int(port) < 65536):
        raise SmtpSettingInvalid(f"--smtp {address!r}: not HOST:PORT, such as localhost:25")
    starttls = settings.get("BRIEFING_SMTP_STARTTLS", "yes").strip().lower()
    if starttls not in YES | NO:
        raise SmtpSettingInvalid(f"BRIEFING_SMTP_STARTTLS={starttls!r}: say yes or no")
    user = settings.get("BRIEFING_SMTP_USER") or None
    password = settings.get("BRIEFING_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        raise SmtpSettingInvalid(
            "set both BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD, or neither"
        )
    if user and starttls in NO:
        raise SmtpSettingInvalid(
            "BRIEFING_SMTP_STARTTLS=no with a login would send the password unencrypted"
        )
    bare_host = host.removeprefix("[").removesuffix("]")
    return SmtpServer(bare_host, int(port), starttls in YES, user, password)


def deliver(message: bytes, sender: str, recipient: str, server: SmtpServer) -> None:
    """Hand the message, byte for byte, to the server for the recipient; DeliveryFailed, with
    the server's reply, unless it took it."""
    try:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    except smtplib.SMTPConnectError as exc:
        raise DeliveryFailed(str(server), f"refused the connection: {reply(exc)}") from exc
    except OSError as exc:
        raise DeliveryFailed(str(server), f"cannot connect: {exc.strerror or exc}") from exc
    try:
        hand_over(client, message, sender, recipient, server)
    except OSError as exc:  # smtplib's and ssl's errors are OSErrors too
        raise DeliveryFailed(str(server), failure(exc)) from exc
    finally:
        hang_up(client)


def hand_over(
    client: smtplib.SMTP, message: bytes, sender: str, recipient: str, server: SmtpServer
) -> None:
    client.ehlo()
    if server.starttls:
        if not client.has_extn("starttls"):
            raise smtplib.SMTPNotSupportedError(
                "does not offer STARTTLS (BRIEFING_SMTP_STARTTLS=no sends without it)"
            )
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    if server.user and server.password:
        client.login(server.user, server.password)
    client.sendmail(sender, [recipient], message)


def failure(exc: OSError) -> str:
    """What went wrong, in one line, with the server's reply if it gave one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(exc.recipients.items()))
        return f"refused the recipient {address}: {code} {one_line(text)}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"refused the sender {exc.sender}: {reply(exc)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        wording = next(wording for kind, wording in REFUSALS if isinstance(exc, kind))
        return f"{wording}: {reply(exc)}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {getattr(exc, 'verify_message', None) or exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"closed the connection ({exc})"
    if isinstance(exc, smtplib.SMTPException):
        return str(exc)
    return f"connection lost: {exc.strerror or exc}"


def reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {one_line(exc.smtp_error)}"


def one_line(text: bytes | str) -> str:
    """A server's reply, which may span lines, on one."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(text.split())


def hang_up(client: smtplib.SMTP) -> None:
    """Say QUIT; a server that has gone already is no failure once the message was taken."""
    try:
        client.quit()
    except OSError:
        client.close()


def record_path(store: Path) -> Path:
    """The record of what was sent from a store, beside it: var/briefing.sqlite3.sent."""
    return store.with_name(f"{store.name}.sent")


@dataclass
class SendRecord:
    """Every message sent from a store, a line each: issue id, address, when, server (tab
    separated). Held locked while one `briefing send` checks it, sends and writes to it."""

    path: Path
    file: TextIO
    lines: list[list[str]]

    def sent_on(self, issue_id: str, address: str) -> str | None:
        """When the issue was last sent to the address (compared without case), if ever."""
        times = [
            line[2]
            for line in self.lines
            if line[:2] == [issue_id, address.casefold()] and len(line) > 2
        ]
        return times[-1] if times else None

    def add(self, issue_id: str, address: str, server: SmtpServer) -> None:
        """Record a message the server took, on disk before this returns."""
        sent_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self.file.write("\t".join([issue_id, address.casefold(), sent_at, str(server)]) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())


@contextmanager
def send_record(store: Path) -> Iterator[SendRecord]:
    """The store's send record, created if need be and locked, so that a second send at once
    waits, then finds what the first one sent."""
    path = record_path(store)
    with path.open("a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.seek(0)
        lines = [line.split("\t") for line in file.read().splitlines()]
        yield SendRecord(path, file, lines)


def send_issue(
    message: bytes,
    issue_id: str,
    sender: str,
    recipient: str,
    server: SmtpServer,
    store: Path,
    again: bool,
) -> None:
    """Send the issue's message unless the record says it went to the recipient already (or
    again says to); recorded once the server took it."""
    with send_record(store) as record:
        when = record.sent_on(issue_id, recipient)
        if when is not None and not again:
            raise SentAlready(issue_id, recipient, when, str(record.path))
        deliver(message, sender, recipient, server)
        try:
            record.add(issue_id, recipient, server)
        except OSError as exc:
            raise SentUnrecorded(str(record.path), exc.strerror or str(exc)) from exc
