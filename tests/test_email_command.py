"""``reportgen email`` end to end: CLI, build check, message, real SMTP server, exit codes."""

# The SMTP server fixtures are imported from test_email_smtp; pytest finds them by
# name, which ruff reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import shutil
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

from reportgen import __version__
from reportgen.cli import main
from reportgen.deliver.content import read_content
from reportgen.manifest import built_with, hash_inputs, inputs_digest

#: The markup the briefing templates produce for the parts the email digests.
BRIEFING_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Test briefing</title></head><body>
<header class="cover"><h1 class="cover-title">Chongqing &amp; SERES test briefing</h1>
<p class="cover-subtitle">What the tests need</p>
<dl><dt>Data as of</dt><dd><span class="asof">September 2022 <span class="asof-what">(First
article)</span></span><br><span class="asof">January 2024 <span class="asof-what">(Second)</span>
</span></dd></dl></header>
<ol class="takeaways">
  <li><strong>The factory would triple capacity.</strong> The project is to reach an estimated
  <a class="fig" href="#f-a" data-fact="a" data-quote="“quote”">about 700,000 vehicles a
  year</a><sup class="cite" data-nonfact="citation">[<a href="#src-x">1</a>]</sup>, or
  <a class="fig" data-fact="b">3.2 times</a><sup class="cite">[1]</sup> the <strong>old</strong>
  total.</li>
  <li><strong>Chongqing is second.</strong> It expected
  <a class="fig" data-fact="c">2.3 million vehicles</a><sup class="cite">[2]</sup>.</li>
</ol>
<ul class="keyfigs">
  <li class="keyfig"><span class="keyfig-value"><a class="fig" data-fact="a">~700k</a></span>
  <span class="keyfig-label">SE Project annual capacity</span>
  <span class="keyfig-meta">estimated <sup class="cite">[1]</sup></span></li>
  <li class="keyfig"><span class="keyfig-value"><a class="fig" data-fact="c">2.3m</a></span>
  <span class="keyfig-label">Chongqing vehicle output</span>
  <span class="keyfig-meta"><span class="period">2023</span> · expected</span></li>
</ul></body></html>
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
def briefing_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=BRIEFING_HTML).write_pdf()
    return pdf


@pytest.fixture
def built(
    tmp_path: Path, briefing_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """A small project and a current build of it, recorded in a real manifest.

    The project is not a valid report project, so if reportgen decides the build is
    stale it tries to rebuild, fails, and must send nothing.
    """
    for name in SMTP_ENV:
        monkeypatch.delenv(name, raising=False)
    project, out = tmp_path / "project", tmp_path / "build"
    (project / "seeds").mkdir(parents=True)
    (project / "seeds" / "report.yaml").write_text("title: broken on purpose\n")
    out.mkdir()
    html = BRIEFING_HTML.encode()
    (out / "briefing.html").write_bytes(html)
    (out / "briefing.pdf").write_bytes(briefing_pdf)
    manifest = {
        "reportgen": __version__,
        "built_with": built_with(),
        "inputs_digest": inputs_digest(hash_inputs(project)),
        "source_date_epoch": 1704067200,
        "outputs": {
            "briefing.pdf": {"sha256": _sha(briefing_pdf), "bytes": len(briefing_pdf), "pages": 1},
            "briefing.html": {"sha256": _sha(html), "bytes": len(html)},
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    return project, out


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
    assert message["Subject"] == "Briefing: Chongqing & SERES test briefing"
    html = message.get_body(("html",))
    assert html is not None
    markup = html.get_content()
    assert "about 700,000 vehicles a year" in markup and "2.3m" in markup
    assert "[1]" not in markup and "“quote”" not in markup  # citation marks, hover quotes
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
    if tamper == "inputs":
        (project / "seeds" / "report.yaml").write_text("title: changed\n")
    else:
        pdf = out / "briefing.pdf"
        pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% edited"))
    server = smtp_server("none")
    use(monkeypatch, server.env())
    assert run(project, out, "--to", "ana@example.com") != 0
    assert server.handler.rcpt_seen == []
    assert capsys.readouterr().err.strip()


def test_digest_of_the_real_briefing(built_briefing: Any, tmp_path: Path) -> None:
    """The real build: the email carries its takeaways and key figures and its exact PDF."""
    out = tmp_path / "build"
    shutil.copytree(built_briefing.out, out)
    content = read_content(out / "briefing.html")
    html = built_briefing.html_text
    section = html[html.index('class="takeaways"') :]
    assert len(content.takeaways) == section[: section.index("</ol>")].count("<li")
    assert len(content.key_figures) == html.count('class="keyfig"')
    assert all(t.headline and t.figures for t in content.takeaways)
    assert all(k.value and k.label for k in content.key_figures)
    assert content.as_of
    assert run(built_briefing.project, out, "--dry-run", "--to", "ana@example.com") == 0
    message = parsed((out / "briefing.eml").read_bytes())
    assert attachment_bytes(message) == built_briefing.pdf.read_bytes()
    plain = message.get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    for point in content.takeaways:
        assert point.headline in text
        for figure in point.figures:
            assert figure in text
    # The first chart of the briefing travels inline, referenced from the HTML by its CID.
    assert content.chart_png is not None and content.chart_png.startswith(b"\x89PNG")
    (image,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    html = message.get_body(("html",))
    assert html is not None
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html.get_content()
    assert image.get_content() == content.chart_png
