"""Delivery against real SMTP servers (aiosmtpd on loopback): TLS, AUTH, refusals, retries.

The message sent is a real briefing email around a real PDF made by WeasyPrint; the
CLI tests in test_email_command.py cover building and choosing that PDF.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import quopri
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from reportgen.deliver.addresses import check_subject, parse_recipient
from reportgen.deliver.message import (
    Envelope,
    build_message,
    check_serialized,
    serialize,
)
from reportgen.deliver.redact import Redactor
from reportgen.deliver.settings import SmtpSettings, read_settings
from reportgen.deliver.smtp import Outcome, deliver
from reportgen.errors import Problems, ReportError

USER, PASSWORD = "briefing-bot", "s3cret-Pa55word!"


def free_port() -> int:
    # aiosmtpd's Controller cannot take port=0 (it connects to the port it was given
    # to check the server is up), so ask the kernel for a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Recorder:
    """An SMTP handler that keeps what it received and answers as scripted."""

    #: address -> reply for RCPT TO (e.g. "550 5.1.1 no such user").
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    #: address -> how many RCPT TO get a 451 before it is accepted.
    defer_times: dict[str, int] = field(default_factory=dict)
    #: replies to the end of DATA, used in turn; then "250 OK".
    data_replies: list[str] = field(default_factory=list)
    #: close the connection instead of answering the end of DATA.
    drop_after_data: bool = False
    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    rcpt_seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.rcpt_seen.append(address)
            if address in self.rcpt_replies:
                return self.rcpt_replies[address]
            if self.defer_times.get(address, 0) > 0:
                self.defer_times[address] -= 1
                return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.drop_after_data:
                self.received.append((list(envelope.rcpt_tos), envelope.content))
                server.transport.close()
                return "250 OK"
            if self.data_replies:
                return self.data_replies.pop(0)
            self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (private CA = itself)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    handler: Recorder
    port: int
    security: str
    cafile: Path | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """The REPORTGEN_* environment that points at this server."""
        env = {
            "REPORTGEN_SMTP_HOST": "127.0.0.1",
            "REPORTGEN_SMTP_PORT": str(self.port),
            "REPORTGEN_SMTP_SECURITY": self.security,
            "REPORTGEN_MAIL_FROM": "Briefings <briefings@example.org>",
            "REPORTGEN_SMTP_TIMEOUT": "10",
            "REPORTGEN_SMTP_ATTEMPTS": "3",
            "REPORTGEN_SMTP_RETRY_DELAY": "0.01",
        }
        if self.cafile is not None:
            env["REPORTGEN_SMTP_CAFILE"] = str(self.cafile)
        env.update(extra)
        return env

    def settings(self, **extra: str) -> SmtpSettings:
        return read_settings(self.env(**extra))


@contextmanager
def running(
    certificate: tuple[Path, Path],
    security: str = "none",
    handler: Recorder | None = None,
    auth: bool = False,
    auth_only: str | None = None,
) -> Iterator[Server]:
    """A real aiosmtpd server on 127.0.0.1: plain, STARTTLS or implicit TLS, AUTH optional."""
    handler = handler or Recorder()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if security == "starttls":
        kwargs.update(tls_context=_server_tls(certificate), require_starttls=True)
    if auth:
        kwargs.update(authenticator=_authenticator, auth_required=True)
    if auth_only is not None:
        kwargs.update(auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m != auth_only])
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        ssl_context=_server_tls(certificate) if security == "ssl" else None,
        **kwargs,
    )
    controller.start()
    try:
        yield Server(handler, port, security)
    finally:
        controller.stop()


StartServer = Callable[..., Server]


@pytest.fixture
def smtp_server(certificate: tuple[Path, Path]) -> Iterator[StartServer]:
    """Start servers on demand; all are stopped at the end of the test."""
    stack: list[Any] = []

    def start(
        security: str = "none",
        handler: Recorder | None = None,
        auth: bool = False,
        trust: bool = True,
        auth_only: str | None = None,
    ) -> Server:
        manager = running(certificate, security, handler, auth, auth_only)
        server = manager.__enter__()
        stack.append(manager)
        if trust and security != "none":
            server.cafile = certificate[0]
        return server

    yield start
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


# -- the message ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tiny_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string="<h1>Briefing</h1><p>Test page.</p>").write_pdf()
    return pdf


@dataclass(frozen=True)
class FixedBody:
    """A message body written out in full (the delivery tests need no store)."""

    text: str = "A test briefing\n\nOutput grew to about 150,000 vehicles.\n"
    html: str = (
        "<!DOCTYPE html><html><body><p>Output grew to <b>about 150,000</b>.</p></body></html>"
    )
    author: str = ""
    chart_png: bytes | None = None

    def render(self, attachment: str, chart_cid: str | None) -> tuple[str, str]:
        return self.text + f"Attached: {attachment}\n", self.html


CONTENT = FixedBody()


def make_message(pdf: bytes, subject: str = "Weekly briefing") -> tuple[EmailMessage, bytes]:
    envelope = Envelope(
        sender=parse_recipient("Briefings <briefings@example.org>"),
        subject=subject,
        date=datetime(2024, 2, 1, 9, 30, tzinfo=UTC),
    )
    message = build_message(CONTENT, envelope, pdf)
    raw = serialize(message)
    check_serialized(raw, message)
    return message, raw


def send(
    server: Server,
    pdf: bytes,
    to: list[str],
    log_path: Path,
    sleeps: list[float] | None = None,
    **env: str,
) -> Outcome:
    message, raw = make_message(pdf)
    return deliver(
        raw,
        [parse_recipient(t).address for t in to],
        server.settings(**env),
        message_id=str(message["Message-ID"]),
        pdf_sha256="ab" * 32,
        log_path=log_path,
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )


def log_entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def parsed(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def attachment_bytes(message: EmailMessage) -> bytes:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    content = part.get_content()
    assert isinstance(content, bytes)
    return content


# -- tests ------------------------------------------------------------------------------


def test_plain_delivery_arrives_whole_and_is_logged(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("none")
    log_path = tmp_path / "deliveries.jsonl"
    outcome = send(server, tiny_pdf, ["ana@example.com", "Bo Li <bo@example.net>"], log_path)
    assert outcome.delivered and outcome.attempts == 1
    assert outcome.accepted == ["ana@example.com", "bo@example.net"]
    ((rcpts, raw),) = server.handler.received
    assert rcpts == ["ana@example.com", "bo@example.net"]
    message = parsed(raw)
    assert attachment_bytes(message) == tiny_pdf
    # Each recipient sees neither the others nor itself listed: the envelope carries them.
    assert str(message["To"]) == "undisclosed-recipients:;"
    assert b"ana@example.com" not in raw and b"bo@example.net" not in raw
    assert message["Date"] and message["Message-ID"]
    assert not message.defects
    (entry,) = log_entries(log_path)
    assert entry["status"] == "delivered"
    assert entry["accepted"] == ["ana@example.com", "bo@example.net"]
    assert entry["message_id"] == message["Message-ID"]
    assert entry["pdf_sha256"] == "ab" * 32


def test_starttls_with_an_untrusted_certificate_is_refused_not_retried(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("starttls", trust=False)
    sleeps: list[float] = []
    outcome = send(server, tiny_pdf, ["ana@example.com"], tmp_path / "log.jsonl", sleeps)
    assert not outcome.delivered and outcome.final
    assert outcome.attempts == 1 and sleeps == []
    assert "not trusted" in (outcome.error or "")
    assert "REPORTGEN_SMTP_CAFILE" in (outcome.error or "")
    assert server.handler.received == [] and server.handler.rcpt_seen == []
    assert log_entries(tmp_path / "log.jsonl")[0]["status"] == "failed"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_the_private_ca_delivers(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path, security: str
) -> None:
    server = smtp_server(security)
    outcome = send(server, tiny_pdf, ["ana@example.com"], tmp_path / "log.jsonl")
    assert outcome.delivered, outcome
    assert attachment_bytes(parsed(server.handler.received[0][1])) == tiny_pdf


def test_plain_smtp_is_refused_for_a_remote_host() -> None:
    with pytest.raises(Exception, match="only for a server on this machine"):
        read_settings(
            {
                "REPORTGEN_SMTP_HOST": "smtp.example.com",
                "REPORTGEN_SMTP_SECURITY": "none",
                "REPORTGEN_MAIL_FROM": "a@example.org",
            }
        )


def test_auth_required_wrong_and_right_password(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("starttls", auth=True)
    log_path = tmp_path / "log.jsonl"
    anonymous = send(server, tiny_pdf, ["ana@example.com"], log_path)
    assert not anonymous.delivered and anonymous.attempts == 1
    assert "530" in (anonymous.error or "")
    wrong = send(
        server,
        tiny_pdf,
        ["ana@example.com"],
        log_path,
        REPORTGEN_SMTP_USER=USER,
        REPORTGEN_SMTP_PASSWORD="wrong-" + PASSWORD,
    )
    assert not wrong.delivered and wrong.final and wrong.attempts == 1
    assert "535" in (wrong.error or "") and "REPORTGEN_SMTP_PASSWORD" in (wrong.error or "")
    assert server.handler.received == []
    right = send(
        server,
        tiny_pdf,
        ["ana@example.com"],
        log_path,
        REPORTGEN_SMTP_USER=USER,
        REPORTGEN_SMTP_PASSWORD=PASSWORD,
    )
    assert right.delivered
    assert len(server.handler.received) == 1
    text = log_path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "wrong-" not in text
    assert [e["status"] for e in log_entries(log_path)] == ["failed", "failed", "delivered"]


def test_refused_and_deferred_recipients(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    handler = Recorder(
        rcpt_replies={"gone@example.com": "550 5.1.1 no such user"},
        defer_times={"busy@example.com": 1},
    )
    server = smtp_server("none", handler)
    log_path = tmp_path / "log.jsonl"
    sleeps: list[float] = []
    outcome = send(
        server,
        tiny_pdf,
        ["ana@example.com", "gone@example.com", "busy@example.com"],
        log_path,
        sleeps,
    )
    assert outcome.accepted == ["ana@example.com", "busy@example.com"]
    assert [(r.address, r.code) for r in outcome.refused] == [("gone@example.com", 550)]
    assert "no such user" in outcome.refused[0].text
    assert outcome.deferred == [] and outcome.attempts == 2 and sleeps == [0.01]
    # Each accepted recipient got exactly one copy; the refused one was never retried.
    assert [rcpts for rcpts, _ in handler.received] == [["ana@example.com"], ["busy@example.com"]]
    assert handler.rcpt_seen.count("gone@example.com") == 1
    first, second = log_entries(log_path)
    assert first["status"] == "retrying" and first["accepted"] == ["ana@example.com"]
    assert first["refused"] == [
        {"address": "gone@example.com", "code": 550, "text": "5.1.1 no such user"}
    ]
    assert first["deferred"][0]["address"] == "busy@example.com"
    assert first["deferred"][0]["code"] == 451
    assert second["status"] == "partial" and second["accepted"] == ["busy@example.com"]


def test_deferral_gives_up_after_the_last_attempt_with_backoff(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("none", Recorder(defer_times={"busy@example.com": 99}))
    sleeps: list[float] = []
    outcome = send(
        server,
        tiny_pdf,
        ["busy@example.com"],
        tmp_path / "log.jsonl",
        sleeps,
        REPORTGEN_SMTP_ATTEMPTS="4",
        REPORTGEN_SMTP_RETRY_DELAY="0.5",
    )
    assert outcome.accepted == [] and not outcome.final
    assert [(r.address, r.code) for r in outcome.deferred] == [("busy@example.com", 451)]
    assert outcome.attempts == 4 and sleeps == [0.5, 1.0, 2.0]
    assert server.handler.received == []
    statuses = [e["status"] for e in log_entries(tmp_path / "log.jsonl")]
    assert statuses == ["retrying", "retrying", "retrying", "failed"]


def test_connection_failures_are_retried_and_logged(tiny_pdf: bytes, tmp_path: Path) -> None:
    closed = Server(Recorder(), free_port(), "none")  # nothing listens there
    sleeps: list[float] = []
    outcome = send(closed, tiny_pdf, ["ana@example.com"], tmp_path / "log.jsonl", sleeps)
    assert not outcome.delivered and outcome.attempts == 3 and len(sleeps) == 2
    assert "cannot connect to 127.0.0.1" in (outcome.error or "")
    entries = log_entries(tmp_path / "log.jsonl")
    assert [e["status"] for e in entries] == ["retrying", "retrying", "failed"]
    assert all(e["accepted"] == [] and e["deferred"][0]["code"] == 0 for e in entries)


def test_a_4xx_after_data_is_retried_and_arrives_once(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("none", Recorder(data_replies=["451 4.3.0 queue full"]))
    outcome = send(server, tiny_pdf, ["ana@example.com"], tmp_path / "log.jsonl")
    assert outcome.delivered and outcome.attempts == 2
    assert len(server.handler.received) == 1


def test_a_5xx_after_data_refuses_without_retry(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("none", Recorder(data_replies=["554 5.6.0 content rejected"]))
    outcome = send(server, tiny_pdf, ["ana@example.com"], tmp_path / "log.jsonl")
    assert outcome.attempts == 1
    assert [(r.address, r.code) for r in outcome.refused] == [("ana@example.com", 554)]


def test_a_connection_lost_after_the_message_is_never_resent(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("none", Recorder(drop_after_data=True))
    outcome = send(server, tiny_pdf, ["ana@example.com"], tmp_path / "log.jsonl")
    assert outcome.uncertain == ["ana@example.com"] and outcome.attempts == 1
    assert len(server.handler.received) == 1
    (entry,) = log_entries(tmp_path / "log.jsonl")
    assert entry["status"] == "uncertain" and entry["uncertain"] == ["ana@example.com"]


def test_encoded_newline_in_a_folded_header_is_caught_after_serialising(tiny_pdf: bytes) -> None:
    """CVE-2024-6923 on this Python: folding turns an encoded newline into a real Bcc header.

    Validation refuses '=?' first; this shows the second line of defence holds too.
    """
    evil = "Weekly briefing " + "x" * 60 + " =?utf-8?q?=0A?=Bcc: evil@example.com"
    problems = Problems()
    check_subject(evil, problems)
    assert "encoded-word" in str(next(iter(problems)))
    with pytest.raises(
        ReportError, match=r"does not serialise cleanly \(headers \['Subject', 'Bcc'"
    ):
        make_message(tiny_pdf, subject=evil)


def test_message_parts_are_email_safe(tiny_pdf: bytes) -> None:
    _message, raw = make_message(tiny_pdf)
    back = parsed(raw)
    assert back.get_content_type() == "multipart/mixed"
    plain = back.get_body(("plain",))
    html = back.get_body(("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    assert "about 150,000" in text and "about 150,000" in markup
    assert "briefing-2024-02-01.pdf" in text
    (part,) = back.iter_attachments()
    assert part.get_filename() == "briefing-2024-02-01.pdf"
    assert part.get_content_type() == "application/pdf"
    assert str(back["To"]) == "undisclosed-recipients:;" and back["Cc"] is None
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert raw.isascii()


# -- credentials --------------------------------------------------------------------------


class EchoingAuth(Recorder):
    """A server that quotes what the client sent for AUTH in its 535 reply, encoded and
    decoded: the worst a misbehaving server (or a verbose proxy) can do."""

    async def auth_PLAIN(self, server: Any, args: list[str]) -> AuthResult:
        token = args[-1]
        decoded = base64.b64decode(token)
        return AuthResult(
            success=False,
            handled=False,
            message=f"535 5.7.8 rejected token {token} = {decoded!r} = {quote(decoded)}",
        )

    async def auth_LOGIN(self, server: Any, args: list[str]) -> AuthResult:
        password = await server.challenge_auth("Password:")
        assert isinstance(password, bytes)
        return AuthResult(
            success=False,
            handled=False,
            message=f"535 5.7.8 user {args[-1]} password {base64.b64encode(password).decode()}"
            f" ({password.decode()})",
        )


def secret_forms(user: str, password: str) -> list[str]:
    """Every way the tests know the credentials can be spelled out."""
    plain = password.encode()
    return [
        password,
        quote(password, safe=""),
        base64.b64encode(plain).decode(),
        base64.b64encode(b"\0" + user.encode() + b"\0" + plain).decode(),
        base64.b64encode(user.encode()).decode(),
    ]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_the_auth_token_leaks_no_form_of_the_password(
    smtp_server: StartServer,
    tiny_pdf: bytes,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    mechanism: str,
) -> None:
    server = smtp_server("starttls", EchoingAuth(), auth=True, auth_only=mechanism)
    log_path = tmp_path / "deliveries.jsonl"
    with caplog.at_level("DEBUG"):
        outcome = send(
            server,
            tiny_pdf,
            ["ana@example.com"],
            log_path,
            REPORTGEN_SMTP_USER=USER,
            REPORTGEN_SMTP_PASSWORD=PASSWORD,
        )
    assert not outcome.delivered and outcome.final and outcome.attempts == 1
    # The reply itself is still reported, with the credentials masked.
    assert "535" in (outcome.error or "") and "***" in (outcome.error or "")
    # Only reportgen's own log: the test server logs what it received, as servers do.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("reportgen")]
    assert ours
    texts = [outcome.error or "", log_path.read_text(encoding="utf-8"), *ours]
    texts += [r.text for r in outcome.deferred + outcome.refused]
    for form in secret_forms(USER, PASSWORD):
        for text in texts:
            assert form not in text


@pytest.mark.parametrize(
    "password",
    ["s3cret-Pa55word!", "ü ber/=+?&%\"'\\", "x" * 90, "pw"],
)
def test_every_encoding_of_a_password_is_masked(password: str) -> None:
    redact = Redactor(USER, password)
    plain = password.encode()
    token = base64.b64encode(b"\0" + USER.encode() + b"\0" + plain).decode()
    samples = [
        password,
        quote(password, safe=""),
        quote_plus(password),
        quopri.encodestring(plain).decode(),
        json.dumps(password),
        repr(password),
        token,
        f"prefix{token}suffix",
        base64.b64encode(plain).decode(),
        base64.b64encode(b"xy" + plain + b"z").decode(),  # inside someone else's base64
    ]
    for sample in samples:
        masked = redact(f"535 rejected {sample} .")
        assert password not in masked and token not in masked, sample
        assert base64.b64encode(plain).decode().rstrip("=") not in masked, sample
        assert masked.startswith("535 rejected ") and masked.endswith(" .")
    # Ordinary text is left alone.
    assert redact("250 2.0.0 OK queued as 4F2A1B") == "250 2.0.0 OK queued as 4F2A1B"


# -- the CA file and the recipients --------------------------------------------------------


@pytest.mark.parametrize("kind", ["not-a-certificate", "missing", "directory", "fifo"])
def test_a_bad_ca_file_is_a_setting_to_fix(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "ca.pem"
    if kind == "not-a-certificate":
        path.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n", encoding="utf-8")
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(ReportError) as caught:
        read_settings(
            {
                "REPORTGEN_SMTP_HOST": "smtp.example.com",
                "REPORTGEN_MAIL_FROM": "a@example.com",
                "REPORTGEN_SMTP_CAFILE": str(path),
            }
        )
    assert str(caught.value).startswith("REPORTGEN_SMTP_CAFILE")


def test_a_ca_file_spoiled_after_the_check_fails_once_without_retry(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("starttls")
    settings = server.settings()
    assert settings.cafile is not None
    spoiled = tmp_path / "ca.pem"
    spoiled.write_text("no certificate here\n", encoding="utf-8")
    sleeps: list[float] = []
    _message, raw = make_message(tiny_pdf)
    outcome = deliver(
        raw,
        ["ana@example.com"],
        dataclasses.replace(settings, cafile=spoiled),
        message_id="<m@example.org>",
        pdf_sha256="ab" * 32,
        log_path=tmp_path / "log.jsonl",
        sleep=sleeps.append,
    )
    assert outcome.final and outcome.attempts == 1 and sleeps == []
    assert "REPORTGEN_SMTP_CAFILE" in (outcome.error or "")
    assert server.handler.rcpt_seen == []


def test_many_recipients_go_in_batches_and_never_into_a_header(
    smtp_server: StartServer, tiny_pdf: bytes, tmp_path: Path
) -> None:
    server = smtp_server("none")
    to = [f"reader{n}@example.com" for n in range(250)]
    outcome = send(server, tiny_pdf, to, tmp_path / "log.jsonl")
    assert outcome.delivered and sorted(outcome.accepted) == sorted(to)
    assert [len(rcpts) for rcpts, _ in server.handler.received] == [100, 100, 50]
    for _rcpts, raw in server.handler.received:
        assert b"reader" not in raw
        assert str(parsed(raw)["To"]) == "undisclosed-recipients:;"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REPORTGEN_MAIL_MAX_MB", "inf"),
        ("REPORTGEN_MAIL_MAX_MB", "nan"),
        ("REPORTGEN_MAIL_MAX_MB", "0"),
        ("REPORTGEN_MAIL_MAX_MB", "-1"),
        ("REPORTGEN_MAIL_MAX_MB", "1e400"),
        ("REPORTGEN_SMTP_TIMEOUT", "inf"),
        ("REPORTGEN_SMTP_TIMEOUT", "0"),
        ("REPORTGEN_SMTP_TIMEOUT", "99999999"),
        ("REPORTGEN_SMTP_ATTEMPTS", "2.7"),
        ("REPORTGEN_SMTP_ATTEMPTS", "0"),
        ("REPORTGEN_SMTP_ATTEMPTS", "1000000"),
        ("REPORTGEN_SMTP_RETRY_DELAY", "NaN"),
        ("REPORTGEN_SMTP_RETRY_DELAY", "-5"),
        ("REPORTGEN_SMTP_RETRY_DELAY", "0"),
        ("REPORTGEN_SMTP_PORT", "0"),
        ("REPORTGEN_SMTP_PORT", "65536"),
        ("REPORTGEN_SMTP_PORT", "²5"),
        ("REPORTGEN_SMTP_PORT", "25.0"),
        ("REPORTGEN_SMTP_HOST", "a" * 300),
        ("REPORTGEN_SMTP_HOST", "x" * 64 + ".example.com"),
        ("REPORTGEN_SMTP_HOST", "smtp_relay.example.com"),
        ("REPORTGEN_SMTP_HOST", "smtp.example.com/path"),
        ("REPORTGEN_SMTP_HOST", "-smtp.example.com"),
        ("REPORTGEN_SMTP_HOST", "smtp..example.com"),
        ("REPORTGEN_SMTP_HOST", "smtp.exämple.com"),
        ("REPORTGEN_SMTP_HOST", "smtp.example.com\x00"),
    ],
)
def test_out_of_range_settings_are_refused_by_name(name: str, value: str) -> None:
    env = {
        "REPORTGEN_SMTP_HOST": "smtp.example.com",
        "REPORTGEN_MAIL_FROM": "a@example.com",
        name: value,
    }
    for dry_run in (False, True):
        with pytest.raises(ReportError) as caught:
            read_settings(env, dry_run=dry_run)
        (line,) = caught.value.lines()
        assert line.startswith(name), line
        assert "\n" not in line and "\x00" not in line


def test_settings_in_range_are_taken_as_given() -> None:
    settings = read_settings(
        {
            "REPORTGEN_SMTP_HOST": "smtp-1.mail.example.com.",
            "REPORTGEN_MAIL_FROM": "a@example.com",
            "REPORTGEN_SMTP_PORT": "2525",
            "REPORTGEN_SMTP_ATTEMPTS": "7",
            "REPORTGEN_SMTP_TIMEOUT": "12.5",
            "REPORTGEN_SMTP_RETRY_DELAY": "0.25",
            "REPORTGEN_MAIL_MAX_MB": "25",
        }
    )
    assert (settings.port, settings.retry.attempts, settings.timeout) == (2525, 7, 12.5)
    assert (settings.retry.delay, settings.max_bytes) == (0.25, 25 * 1024 * 1024)
    assert read_settings({"REPORTGEN_SMTP_HOST": "::1", "REPORTGEN_MAIL_FROM": "a@b.org"}).host
