"""Email against real SMTP servers on loopback, run as a user runs ``reportgen email``.

A server that echoes the AUTH token in its refusal; a server that defers a recipient
until the command is run again; ten thousand recipients. Each test records the same
figures as the case table (group "email"), counting in ``bytes_leaked`` every byte of
any form of the password found on stdout, stderr or in any file under OUT.
"""

from __future__ import annotations

import base64
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.hostile.harness import Run, copy_project, has_traceback, reportgen_env, run, snapshot

USER, PASSWORD = "briefing-bot", "Tr0ub4dor&3-horse"


def _forms() -> list[str]:
    plain = PASSWORD.encode()
    return [
        PASSWORD,
        quote(PASSWORD, safe=""),
        base64.b64encode(plain).decode(),
        base64.b64encode(b"\0" + USER.encode() + b"\0" + plain).decode(),
        base64.b64encode(USER.encode()).decode(),
    ]


def leaked_bytes(result: Run, out: Path) -> int:
    texts = [result.stdout, result.stderr]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()]
    return sum(text.count(form) * len(form) for text in texts for form in _forms())


class Handler:
    """Records envelopes; defers the addresses in ``busy``; echoes AUTH tokens."""

    def __init__(self) -> None:
        self.busy: set[str] = set()
        self.received: list[tuple[list[str], bytes]] = []
        self.rcpt_seen: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.rcpt_seen.append(address)
        if address in self.busy:
            return "450 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    async def auth_PLAIN(self, server: Any, args: list[str]) -> AuthResult:
        token = args[-1]
        decoded = base64.b64decode(token).decode()
        return AuthResult(
            success=False,
            handled=False,
            message=f"535 5.7.8 bad token {token} ({decoded!r}, {quote(decoded)})",
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Smtp:
    def __init__(self, certificate: tuple[Path, Path], tls: bool) -> None:
        self.handler = Handler()
        self.port = _free_port()
        self.cafile = certificate[0]
        kwargs: dict[str, Any] = {}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, certificate))
            kwargs.update(tls_context=context, require_starttls=True, auth_required=True)
            kwargs.update(auth_exclude_mechanism=["LOGIN"])
        self.tls = tls
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def env(self) -> dict[str, str]:
        env = {
            "REPORTGEN_SMTP_HOST": "127.0.0.1",
            "REPORTGEN_SMTP_PORT": str(self.port),
            "REPORTGEN_SMTP_SECURITY": "starttls" if self.tls else "none",
            "REPORTGEN_MAIL_FROM": "Briefings <briefings@example.org>",
            "REPORTGEN_SMTP_TIMEOUT": "20",
            "REPORTGEN_SMTP_ATTEMPTS": "2",
            "REPORTGEN_SMTP_RETRY_DELAY": "0.01",
        }
        if self.tls:
            env.update(
                REPORTGEN_SMTP_CAFILE=str(self.cafile),
                REPORTGEN_SMTP_USER=USER,
                REPORTGEN_SMTP_PASSWORD=PASSWORD,
            )
        return env


@pytest.fixture
def scene(tmp_path: Path, previous_build: Path, reference: Path) -> tuple[Path, Path]:
    project = copy_project(tmp_path / "project", reference)
    out = tmp_path / "out"
    shutil.copytree(previous_build, out)
    return project, out


@pytest.fixture
def servers(certificate: tuple[Path, Path]) -> Iterator[list[Smtp]]:
    started: list[Smtp] = []
    yield started
    for server in started:
        server.controller.stop()


def email(project: Path, out: Path, server: Smtp, *args: str, to_file: Path | None = None) -> Run:
    argv = [sys.executable, "-m", "reportgen", "-v", "email", "--project", str(project)]
    argv += ["--out", str(out), *args]
    return run(argv, cwd=project, timeout=300, env=reportgen_env(server.env()))


def _record(
    record_property: pytest.RecordProperty, runs: list[Run], changed: int, leaked: int
) -> None:
    record_property("group", "email")
    record_property("tracebacks", sum(1 for r in runs if has_traceback(r)))
    record_property("outputs_changed", changed)
    record_property("bytes_leaked", leaked)
    record_property("seconds", round(sum(r.seconds for r in runs), 2))


_BUILD_OUTPUTS = ("briefing.html", "briefing.pdf", "manifest.json")


def _build_changed(before: dict[str, str], out: Path, project: Path) -> int:
    """Build outputs changed other than by a complete rebuild (which email does when
    reportgen's code or inputs changed since the previous build)."""
    from reportgen.build import is_up_to_date

    after = snapshot(out)
    changed = sum(1 for k in _BUILD_OUTPUTS if before.get(k) != after.get(k))
    return 0 if changed and is_up_to_date(project, out, {"html", "pdf"}) else changed


def test_a_server_echoing_the_auth_token_leaks_no_byte_of_it(
    scene: tuple[Path, Path],
    servers: list[Smtp],
    certificate: tuple[Path, Path],
    record_property: pytest.RecordProperty,
) -> None:
    project, out = scene
    before = snapshot(out)
    server = Smtp(certificate, tls=True)
    servers.append(server)
    result = email(project, out, server, "--to", "ana@example.com")
    leaked = leaked_bytes(result, out)
    _record(record_property, [result], _build_changed(before, out, project), leaked)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "535" in result.stdout + result.stderr
    assert leaked == 0, result.stdout + result.stderr
    assert server.handler.received == []


def test_a_rerun_after_a_deferral_sends_to_exactly_the_rest(
    scene: tuple[Path, Path],
    servers: list[Smtp],
    certificate: tuple[Path, Path],
    record_property: pytest.RecordProperty,
) -> None:
    project, out = scene
    before = snapshot(out)
    server = Smtp(certificate, tls=False)
    servers.append(server)
    server.handler.busy = {"busy@example.com"}
    args = ("--to", "ana@example.com", "--to", "busy@example.com")
    first = email(project, out, server, *args)
    server.handler.busy = set()
    second = email(project, out, server, *args)
    third = email(project, out, server, *args)
    runs = [first, second, third]
    _record(record_property, runs, _build_changed(before, out, project), 0)
    assert first.returncode == 75, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    assert third.returncode == 0, third.stdout + third.stderr
    envelopes = [rcpts for rcpts, _ in server.handler.received]
    assert envelopes == [["ana@example.com"], ["busy@example.com"]]


def test_ten_thousand_recipients_never_see_each_other(
    scene: tuple[Path, Path],
    servers: list[Smtp],
    certificate: tuple[Path, Path],
    record_property: pytest.RecordProperty,
    tmp_path: Path,
) -> None:
    project, out = scene
    before = snapshot(out)
    server = Smtp(certificate, tls=False)
    servers.append(server)
    everyone = [f"reader{n:05d}@example.com" for n in range(10_000)]
    listing = tmp_path / "recipients.txt"
    listing.write_text("\n".join(everyone) + "\n", encoding="utf-8")
    result = email(project, out, server, "--to-file", str(listing))
    _record(record_property, [result], _build_changed(before, out, project), 0)
    assert result.returncode == 0, result.stderr[-2000:]
    delivered = sorted(a for rcpts, _ in server.handler.received for a in rcpts)
    assert delivered == everyone
    for _rcpts, raw in server.handler.received:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert str(message["To"]) == "undisclosed-recipients:;"
        assert b"reader" not in raw and message["Cc"] is None
