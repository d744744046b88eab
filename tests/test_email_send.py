"""`briefing send` against a real SMTP server on loopback (aiosmtpd): STARTTLS on a throwaway
certificate, AUTH, the message taken byte for byte, never twice by accident, and each way it
can fail told in one line."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import ipaddress
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from click.testing import Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.store import Store
from tests.factories import EMAIL, ContentTree
from tests.servers import BRIEFING, free_port, wait_until

ISSUE = "2024-01-24"
LIST = "briefing@lists.briefing.test"
USER, PASSWORD = "editor", "correct horse"
SENDER = EMAIL["from"]["address"]  # type: ignore[index]


@dataclass
class Certificate:
    cert: Path
    key: Path


@dataclass
class ListServer:
    """What an SMTP server on loopback took, and how it was spoken to."""

    port: int
    taken: list[Envelope] = field(default_factory=list)
    sessions: list[tuple[bool, bool]] = field(default_factory=list)  # (TLS, logged in)
    refuse_sender: bool = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse_sender:
            return "553 5.7.1 Sender not allowed to post"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if "refuse@lists.briefing.test" in envelope.rcpt_tos:
            return "554 5.6.0 Message refused by policy"
        self.taken.append(envelope)
        self.sessions.append((session.ssl is not None, session.authenticated))
        return "250 2.0.0 Queued"


def authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers a failure itself


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, made for these tests and trusted by nothing else."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "briefing test SMTP server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def started(**settings: Any) -> Iterator[ListServer]:
    listing = ListServer(free_port())
    controller = Controller(listing, hostname="127.0.0.1", port=listing.port, **settings)
    controller.start()
    yield listing
    controller.stop()


@pytest.fixture
def smtp(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[ListServer]:
    """A list server that requires STARTTLS and a login, with the client trusting its
    certificate and holding the login in BRIEFING_SMTP_*."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    monkeypatch.setenv("BRIEFING_SMTP_USER", USER)
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", PASSWORD)
    yield from started(
        tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True
    )


@pytest.fixture
def plain_smtp() -> Iterator[ListServer]:
    """A server on loopback that offers neither STARTTLS nor AUTH, as a local relay might."""
    yield from started()


@pytest.fixture
def built(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> Path:
    content.publication(email=EMAIL)
    content.issue(ISSUE, number=7)
    build_store(content).close()
    return store_path


@pytest.fixture
def send(built: Path, run_cli: Callable[..., Result]) -> Callable[..., Result]:
    def run(server: ListServer | str, *args: str, to: str = LIST) -> Result:
        address = server if isinstance(server, str) else server.address
        return run_cli("send", ISSUE, "--to", to, "--store", built, "--smtp", address, *args)

    return run


def record_lines(store: Path) -> list[list[str]]:
    record = store.with_name(f"{store.name}.sent")
    return [line.split("\t") for line in record.read_text().splitlines()] if record.exists() else []


def refusal(result: Result) -> str:
    """The one line a failed send says, checked to be all it says."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_send_hands_over_what_email_writes_byte_for_byte_over_starttls_with_login(
    smtp: ListServer,
    send: Callable[..., Result],
    run_cli: Callable[..., Result],
    built: Path,
    tmp_path: Path,
) -> None:
    run_cli("email", ISSUE, "--store", built, "--out", tmp_path / "issue.eml")
    result = send(smtp)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"sent issue {ISSUE} to {LIST} through {smtp.address}; recorded in {built}.sent\n"
    )
    [envelope] = smtp.taken
    assert (envelope.mail_from, envelope.rcpt_tos) == (SENDER, [LIST])
    assert envelope.original_content == (tmp_path / "issue.eml").read_bytes()
    assert smtp.sessions == [(True, True)]


def test_the_record_says_what_went_where_and_through_which_server(
    smtp: ListServer, send: Callable[..., Result], built: Path
) -> None:
    send(smtp)
    [(issue_id, address, sent_at, server)] = record_lines(built)
    assert (issue_id, address, server) == (ISSUE, LIST, smtp.address)
    assert dt.datetime.fromisoformat(sent_at).tzinfo == dt.UTC


def test_the_same_issue_is_never_sent_to_the_same_address_twice_by_accident(
    smtp: ListServer, send: Callable[..., Result], built: Path
) -> None:
    assert send(smtp).exit_code == 0
    sent_at = record_lines(built)[0][2]
    line = refusal(send(smtp, to=LIST.upper()))
    assert line == (
        f"briefing send: issue {ISSUE} was sent to {LIST.upper()} at {sent_at} (recorded in"
        f" {built}.sent); --send-again sends it again; nothing was sent."
    )
    assert len(smtp.taken) == 1 and len(record_lines(built)) == 1


def test_send_again_sends_it_again_and_records_it(
    smtp: ListServer, send: Callable[..., Result], built: Path
) -> None:
    send(smtp)
    assert send(smtp, "--send-again").exit_code == 0
    assert len(smtp.taken) == 2
    assert [line[:2] for line in record_lines(built)] == [[ISSUE, LIST], [ISSUE, LIST]]


def test_another_address_gets_the_issue_too(smtp: ListServer, send: Callable[..., Result]) -> None:
    send(smtp)
    assert send(smtp, to="other@lists.briefing.test").exit_code == 0
    assert [envelope.rcpt_tos for envelope in smtp.taken] == [[LIST], ["other@lists.briefing.test"]]


def test_nothing_is_recorded_until_the_server_takes_the_message(
    smtp: ListServer, send: Callable[..., Result], built: Path
) -> None:
    first = refusal(send(smtp, to="refuse@lists.briefing.test"))
    assert record_lines(built) == []
    assert refusal(send(smtp, to="refuse@lists.briefing.test")) == first  # the server's, again


def test_a_connection_refused_names_the_server(send: Callable[..., Result], built: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    assert refusal(send(address)) == (
        f"briefing send: {address}: cannot connect: Connection refused; nothing was sent."
    )
    assert record_lines(built) == []


def test_a_refused_sender_is_the_servers_reply(
    smtp: ListServer, send: Callable[..., Result]
) -> None:
    smtp.refuse_sender = True
    assert refusal(send(smtp)) == (
        f"briefing send: {smtp.address}: refused the sender {SENDER}: 553 5.7.1 Sender not"
        " allowed to post; nothing was sent."
    )


@pytest.fixture
def scripted() -> Iterator[Callable[[bytes], str]]:
    """A server on loopback that greets with the bytes given, reads one command, and hangs up:
    a refusing or failing server, as smtplib meets one."""
    servers: list[socketserver.TCPServer] = []

    def start(greeting: bytes) -> str:
        class Greet(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(greeting)
                self.rfile.readline()

        server = socketserver.TCPServer(("127.0.0.1", 0), Greet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_refused_connection_is_the_servers_greeting(
    send: Callable[..., Result], scripted: Callable[[bytes], str]
) -> None:
    address = scripted(b"554 5.3.2 Not accepting mail now\r\n")
    assert refusal(send(address)) == (
        f"briefing send: {address}: refused the connection: 554 5.3.2 Not accepting mail now;"
        " nothing was sent."
    )


def test_a_server_that_hangs_up_midway_is_named(
    send: Callable[..., Result], scripted: Callable[[bytes], str]
) -> None:
    address = scripted(b"220 lists.briefing.test ESMTP\r\n")
    assert refusal(send(address)) == (
        f"briefing send: {address}: closed the connection (Connection unexpectedly closed);"
        " nothing was sent."
    )


def test_a_refused_recipient_is_the_servers_reply(
    smtp: ListServer, send: Callable[..., Result]
) -> None:
    assert refusal(send(smtp, to="nobody@lists.briefing.test")) == (
        f"briefing send: {smtp.address}: refused the recipient nobody@lists.briefing.test:"
        " 550 5.1.1 No such user here; nothing was sent."
    )


def test_a_refused_message_is_the_servers_reply(
    smtp: ListServer, send: Callable[..., Result]
) -> None:
    assert refusal(send(smtp, to="refuse@lists.briefing.test")) == (
        f"briefing send: {smtp.address}: refused the message: 554 5.6.0 Message refused by"
        " policy; nothing was sent."
    )


def test_a_refused_login_is_the_servers_reply(
    smtp: ListServer, send: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "wrong")
    assert refusal(send(smtp)) == (
        f"briefing send: {smtp.address}: refused the login: 535 5.7.8 Authentication"
        " credentials invalid; nothing was sent."
    )
    assert smtp.taken == []


def test_an_untrusted_certificate_fails_tls(
    smtp: ListServer, send: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    line = refusal(send(smtp))
    assert line.startswith(f"briefing send: {smtp.address}: TLS failed: ")
    assert "certificate" in line and line.endswith("; nothing was sent.")
    assert smtp.taken == []


def test_a_server_without_starttls_is_refused_unless_told(
    plain_smtp: ListServer, send: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert refusal(send(plain_smtp)) == (
        f"briefing send: {plain_smtp.address}: does not offer STARTTLS"
        " (BRIEFING_SMTP_STARTTLS=no sends without it); nothing was sent."
    )
    monkeypatch.setenv("BRIEFING_SMTP_STARTTLS", "no")
    assert send(plain_smtp).exit_code == 0
    assert [envelope.rcpt_tos for envelope in plain_smtp.taken] == [[LIST]]


@pytest.mark.parametrize(
    ("environment", "smtp_address", "said"),
    [
        (
            {"BRIEFING_SMTP_STARTTLS": "no", "BRIEFING_SMTP_USER": USER},
            "127.0.0.1:25",
            "set both BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD, or neither",
        ),
        (
            {
                "BRIEFING_SMTP_STARTTLS": "no",
                "BRIEFING_SMTP_USER": USER,
                "BRIEFING_SMTP_PASSWORD": PASSWORD,
            },
            "127.0.0.1:25",
            "BRIEFING_SMTP_STARTTLS=no with a login would send the password unencrypted",
        ),
        (
            {"BRIEFING_SMTP_STARTTLS": "maybe"},
            "127.0.0.1:25",
            "BRIEFING_SMTP_STARTTLS='maybe': say yes or no",
        ),
        ({}, "localhost", "--smtp 'localhost': not HOST:PORT, such as localhost:25"),
    ],
)
def test_settings_that_cannot_be_used_are_refused_before_connecting(
    send: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    smtp_address: str,
    said: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert refusal(send(smtp_address)) == f"briefing send: {said}; nothing was sent."


def test_an_address_that_is_not_one_is_a_usage_error(send: Callable[..., Result]) -> None:
    result = send("127.0.0.1:25", to="not an address")
    assert result.exit_code == 2
    assert "Invalid value for '--to': 'not an address' is not an email address." in result.output


def test_a_record_that_cannot_be_written_after_sending_says_it_was_sent(
    smtp: ListServer, send: Callable[..., Result], built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("service.email.send.os.fsync", disk_full)
    assert refusal(send(smtp)) == (
        f"briefing send: the server took the message, but {built}.sent could not record it"
        " (No space left on device): a second send to this address would not be refused."
    )
    assert len(smtp.taken) == 1


def test_a_record_that_cannot_be_opened_sends_nothing(
    smtp: ListServer, send: Callable[..., Result], built: Path
) -> None:
    built.with_name(f"{built.name}.sent").mkdir()
    assert refusal(send(smtp)) == (
        f"briefing send: {built}.sent: cannot keep the record (Is a directory); nothing was sent."
    )
    assert smtp.taken == []


def waiting_for_lock(path: Path) -> bool:
    """Whether a process waits for a lock on the file (Linux lists waiters in /proc/locks)."""
    inode = f":{path.stat().st_ino} "
    return any(
        "->" in line and inode in line for line in Path("/proc/locks").read_text().split("\n")
    )


def test_a_send_while_another_is_under_way_waits_and_finds_it_recorded(
    smtp: ListServer, built: Path
) -> None:
    record = built.with_name(f"{built.name}.sent")
    with record.open("a+", encoding="utf-8") as first:
        fcntl.flock(first, fcntl.LOCK_EX)  # as a first send holds it while it sends
        second = subprocess.Popen(
            [BRIEFING, "send", ISSUE, "--to", LIST, "--store", built, "--smtp", smtp.address],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: waiting_for_lock(record), 30, "the second send to wait for the record")
        first.write(f"{ISSUE}\t{LIST}\t2024-01-24T09:00:00+00:00\t{smtp.address}\n")
    _, said = second.communicate(timeout=60)
    assert second.returncode == 1
    assert said.startswith(f"briefing send: issue {ISSUE} was sent to {LIST} at 2024-01-24T09:00")
    assert smtp.taken == []
