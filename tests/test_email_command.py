"""``reportgen email`` end to end: CLI, build check, message, real SMTP server, exit codes."""

# The SMTP server fixtures are imported from test_email_smtp; pytest finds them by
# name, which ruff reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from test_email_smtp import (
    PASSWORD,
    USER,
    Recorder,
    StartServer,
    attachment_bytes,
    certificate,  # noqa: F401 - fixture used by smtp_server
    log_entries,
    parsed,
    smtp_server,  # noqa: F401 - fixture
)

from reportgen.cli import main

#: The small project's own email content: one takeaway and two key figures.
EMAIL_CONTENT = """{% macro takeaways(point) %}
{% call point("The plant would add capacity.") %}
  Eastbrook is to make {{ fig("eastbrook-capacity") }}, against
  {{ fig("tallgrass-2023-output") }} in {{ period("tallgrass-2023-output") }}.
{% endcall %}
{% endmacro %}
{% set key_figures = [("eastbrook-capacity", "Eastbrook capacity"),
  ("tallgrass-2023-output", "Tallgrass output")] %}
{% set chart = none %}
"""

SMTP_ENV = (
    "REPORTGEN_SMTP_HOST",
    "REPORTGEN_SMTP_PORT",
    "REPORTGEN_SMTP_SECURITY",
    "REPORTGEN_SMTP_USER",
    "REPORTGEN_SMTP_PASSWORD",
    "REPORTGEN_MAIL_FROM",
    "REPORTGEN_SMTP_CAFILE",
    "REPORTGEN_MAIL_MAX_MB",
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A new project (``reportgen init``) with its own email content, built once."""
    project = tmp_path_factory.mktemp("small") / "project"
    assert main(["init", str(project), "--title", "Chongqing & SERES test briefing"]) == 0
    (project / "templates" / "email").mkdir()
    (project / "templates" / "email" / "content.j2").write_text(EMAIL_CONTENT)
    assert main(["build", "--project", str(project), "--out", str(project / "build")]) == 0
    return project, project / "build"


@pytest.fixture
def briefing_pdf(small_build: tuple[Path, Path]) -> bytes:
    return (small_build[1] / "briefing.pdf").read_bytes()


@pytest.fixture
def built(
    tmp_path: Path, small_build: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """A copy of the small project and of its current build."""
    for name in SMTP_ENV:
        monkeypatch.delenv(name, raising=False)
    project = tmp_path / "project"
    shutil.copytree(small_build[0], project, symlinks=True)
    return project, project / "build"


def run(project: Path, out: Path, *args: str) -> int:
    return main(["email", "--project", str(project), "--out", str(out), *args])


def use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_dry_run_writes_the_eml_and_sends_nothing(
    built: tuple[Path, Path],
    briefing_pdf: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, out = built
    monkeypatch.setenv("REPORTGEN_SMTP_USER", USER)
    monkeypatch.setenv("REPORTGEN_SMTP_PASSWORD", PASSWORD)
    assert (
        run(
            project,
            out,
            "--dry-run",
            "--to",
            "Ana <ana@example.com>",
            "--to",
            "bo@example.net",
            "--subject",
            "Weekly: SERES",
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "nothing sent" in printed and "Ana <ana@example.com>" in printed
    assert "bo@example.net" in printed and "Weekly: SERES" in printed
    eml = (out / "briefing.eml").read_bytes()
    message = parsed(eml)
    assert attachment_bytes(message) == briefing_pdf
    assert message["Subject"] == "Weekly: SERES"
    assert str(message["To"]) == "undisclosed-recipients:;"
    assert b"ana@example.com" not in eml and b"bo@example.net" not in eml
    assert PASSWORD.encode() not in eml and PASSWORD not in printed
    assert not (out / "deliveries.jsonl").exists()


def test_send_through_a_real_server(
    built: tuple[Path, Path],
    briefing_pdf: bytes,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    server = smtp_server("starttls", auth=True)
    use(monkeypatch, server.env(REPORTGEN_SMTP_USER=USER, REPORTGEN_SMTP_PASSWORD=PASSWORD))
    recipients = out.parent / "recipients.txt"
    recipients.write_text("# the desk\nana@example.com\n\nBo Li <bo@example.net>\n")
    assert run(project, out, "--to-file", str(recipients), "--to", "ana@example.com") == 0
    ((rcpts, raw),) = server.handler.received
    assert rcpts == ["ana@example.com", "bo@example.net"]  # the duplicate went once
    message = parsed(raw)
    assert attachment_bytes(message) == (out / "briefing.pdf").read_bytes() == briefing_pdf
    assert message["Subject"] == "Edition 1: the first edition"
    html = message.get_body(("html",))
    assert html is not None
    markup = html.get_content()
    assert "The plant would add capacity." in markup and "Eastbrook capacity" in markup
    assert "[1]" not in markup and "“" not in markup  # citation marks, hover quotes
    (entry,) = log_entries(out / "deliveries.jsonl")
    assert entry["status"] == "delivered" and entry["pdf_sha256"] == _sha(briefing_pdf)
    assert entry["message_id"] == message["Message-ID"]
    printed = capsys.readouterr()
    for text in (
        printed.out,
        printed.err,
        (out / "deliveries.jsonl").read_text(),
        (out / "manifest.json").read_text(),
    ):
        assert PASSWORD not in text
    # Running it again sends nothing to someone who has this PDF, unless asked to.
    assert run(project, out, "--to", "ana@example.com") == 0
    assert "has it:    ana@example.com" in capsys.readouterr().out
    assert len(server.handler.received) == 1
    assert run(project, out, "--to", "ana@example.com", "--resend") == 0
    assert len(server.handler.received) == 2


def test_refusals_and_deferrals_set_the_exit_code(
    built: tuple[Path, Path],
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    handler = Recorder(
        rcpt_replies={"gone@example.com": "550 5.1.1 no such user"},
        defer_times={"busy@example.com": 99},
    )
    server = smtp_server("none", handler)
    use(monkeypatch, server.env())
    assert run(project, out, "--to", "ana@example.com", "--to", "gone@example.com") == 1
    printed = capsys.readouterr().out
    assert "REFUSED:   gone@example.com: 550 5.1.1 no such user" in printed
    assert "accepted:  ana@example.com" in printed
    assert run(project, out, "--to", "busy@example.com") == 75
    assert "NOT SENT:  busy@example.com: 451" in capsys.readouterr().out
    statuses = [e["status"] for e in log_entries(out / "deliveries.jsonl")]
    assert statuses == ["partial", "retrying", "retrying", "failed"]


@pytest.mark.parametrize(
    "args",
    [
        ["--to", "ana@example.com\r\nBcc: evil@example.com"],
        ["--to", "ana@example.com\nBcc: evil@example.com"],
        ["--to", "ana@example.com, evil@example.com"],
        ["--to", "ana@example.com;evil@example.com"],
        ["--to", "=?utf-8?q?Ana=0ABcc:_evil@example.com?= <ana@example.com>"],
        ["--to", "ana@example.com", "--to", "Evil <evil@example.com>, x@example.com"],
        ["--to", "ana@example.com", "--subject", "Hi=?utf-8?q?=0D=0ABcc:_evil@example.com?="],
        ["--to", "ana@example.com", "--subject", "Hi\r\nBcc: evil@example.com"],
    ],
)
def test_header_injection_never_reaches_the_server(
    built: tuple[Path, Path],
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env())
    assert run(project, out, *args) == 1
    assert server.handler.rcpt_seen == [] and server.handler.received == []
    assert not (out / "deliveries.jsonl").exists()
    assert capsys.readouterr().err.strip()


def test_injection_in_the_recipient_file_names_the_line(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project, out = built
    recipients = out.parent / "to.txt"
    recipients.write_bytes(b"ana@example.com\nbo@example.net\rBcc: evil@example.com\nx, y@z.org\n")
    assert run(project, out, "--dry-run", "--to-file", str(recipients)) == 1
    err = capsys.readouterr().err
    assert f"{recipients}:2: " in err and f"{recipients}:3: " in err
    assert not (out / "briefing.eml").exists()


def test_missing_settings_are_all_reported(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, out = built
    monkeypatch.setenv("REPORTGEN_SMTP_PASSWORD", PASSWORD)
    assert run(project, out, "--to", "ana@example.com") == 1
    err = capsys.readouterr().err
    for name in ("REPORTGEN_SMTP_HOST", "REPORTGEN_MAIL_FROM", "REPORTGEN_SMTP_USER"):
        assert name in err
    assert PASSWORD not in err


def test_an_oversized_message_is_refused_with_its_size(
    built: tuple[Path, Path],
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env(REPORTGEN_MAIL_MAX_MB="0.01"))
    assert run(project, out, "--to", "ana@example.com") == 1
    err = capsys.readouterr().err
    assert "over the 0.01 MB limit" in err and "bytes" in err
    assert server.handler.rcpt_seen == []


@pytest.mark.parametrize("tamper", ["inputs", "pdf"])
def test_a_stale_or_altered_build_is_rebuilt_and_a_failed_build_sends_nothing(
    built: tuple[Path, Path],
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tamper: str,
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env())
    if tamper == "pdf":
        pdf = out / "briefing.pdf"
        edited = pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% edited")
        pdf.write_bytes(edited)
        # Rebuilt first: what goes out is the PDF the new build's manifest records.
        assert run(project, out, "--to", "ana@example.com") == 0
        ((_, raw),) = server.handler.received
        assert attachment_bytes(parsed(raw)) == pdf.read_bytes() != edited
        return
    (project / "seeds" / "report.yaml").write_text("title: changed\n")
    assert run(project, out, "--to", "ana@example.com") != 0
    assert server.handler.rcpt_seen == []
    assert capsys.readouterr().err.strip()


def _words(html: str) -> str:
    """The words a reader of the HTML sees: no tags, entities as characters."""
    return " ".join(unescape(re.sub(r"<[^>]+>|\u2060", "", html)).split())


def test_digest_of_the_real_briefing(built_briefing: Any, tmp_path: Path) -> None:
    """The real build: the email's takeaways and key figures say what the briefing
    says, figure for figure, and it carries the briefing's exact PDF and a chart."""
    out = tmp_path / "build"
    shutil.copytree(built_briefing.out, out)
    assert run(built_briefing.project, out, "--dry-run", "--to", "ana@example.com") == 0
    message = parsed((out / "briefing.eml").read_bytes())
    assert attachment_bytes(message) == built_briefing.pdf.read_bytes()
    plain = message.get_body(("plain",))
    assert plain is not None
    text = " ".join(plain.get_content().split())
    html = built_briefing.html_text
    section = html[html.index('class="takeaways"') :]
    points = re.findall(r"<li>(.*?)</li>", section[: section.index("</ol>")], re.S)
    assert len(points) == 7
    for number, point in enumerate(points, start=1):
        # Each takeaway reads as in the briefing, less the citation marks.
        words = _words(re.sub(r'<sup class="cite".*?</sup>', "", point, flags=re.S))
        assert f"{number}. {words}" in text
    for value in re.findall(r'class="keyfig-value"><a [^>]*>([^<]+)</a>', html):
        assert f" {value} " in text
    # The chart travels inline, referenced from the HTML by its CID.
    (image,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert image.get_content() == (out / "charts" / "seres-capacity.png").read_bytes()
    shown = message.get_body(("html",))
    assert shown is not None
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in shown.get_content()
