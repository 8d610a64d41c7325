"""``reportgen email`` against hostile state: reruns, a damaged delivery log, odd files
where regular ones belong, settings a dry run must check, servers that echo secrets."""

# The fixtures come from the other email test modules; pytest finds them by name,
# which ruff reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_email_command import (
    SMTP_ENV,  # noqa: F401 - used by built
    briefing_pdf,  # noqa: F401 - fixture
    built,  # noqa: F401 - fixture
    run,
    small_build,  # noqa: F401 - fixture
    use,
)
from test_email_smtp import (
    PASSWORD,
    USER,
    EchoingAuth,
    Recorder,
    StartServer,
    certificate,  # noqa: F401 - fixture used by smtp_server
    log_entries,
    secret_forms,
    smtp_server,  # noqa: F401 - fixture
)

Built = tuple[Path, Path]


def test_a_rerun_after_exit_75_sends_to_exactly_the_deferred_recipients(
    built: Built,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    handler = Recorder(defer_times={"busy@example.com": 3})
    server = smtp_server("none", handler)
    use(monkeypatch, server.env())
    args = ("--to", "ana@example.com", "--to", "busy@example.com")
    assert run(project, out, *args) == 75
    assert "NOT SENT:  busy@example.com: 451" in capsys.readouterr().out
    assert [rcpts for rcpts, _ in handler.received] == [["ana@example.com"]]
    # The server has room again: the identical command finishes the job.
    assert run(project, out, *args) == 0
    printed = capsys.readouterr().out
    assert "has it:    ana@example.com" in printed
    assert "accepted:  busy@example.com" in printed
    assert [rcpts for rcpts, _ in handler.received] == [
        ["ana@example.com"],
        ["busy@example.com"],
    ]
    # And once more: nobody gets a second copy.
    assert run(project, out, *args) == 0
    assert "nothing to send" in capsys.readouterr().out
    assert len(handler.received) == 2
    assert handler.rcpt_seen.count("ana@example.com") == 1


def test_a_recipient_whose_delivery_is_in_doubt_is_not_sent_again_unasked(
    built: Built,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    handler = Recorder(drop_after_data=True)
    server = smtp_server("none", handler)
    use(monkeypatch, server.env())
    assert run(project, out, "--to", "ana@example.com") == 1
    handler.drop_after_data = False
    assert run(project, out, "--to", "ana@example.com") == 1
    assert "UNKNOWN:   ana@example.com" in capsys.readouterr().out
    assert len(handler.received) == 1
    assert run(project, out, "--to", "ana@example.com", "--resend") == 0
    assert len(handler.received) == 2


def test_a_server_echoing_the_auth_token_leaks_nothing_anywhere(
    built: Built,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    server = smtp_server("starttls", EchoingAuth(), auth=True, auth_only="PLAIN")
    use(monkeypatch, server.env(REPORTGEN_SMTP_USER=USER, REPORTGEN_SMTP_PASSWORD=PASSWORD))
    assert run(project, out, "-v", "--to", "ana@example.com") == 1
    printed = capsys.readouterr()
    assert "535" in printed.out + printed.err
    texts = [printed.out, printed.err]
    texts += [p.read_text("utf-8", "replace") for p in out.rglob("*") if p.is_file()]
    for form in secret_forms(USER, PASSWORD):
        assert not [t for t in texts if form in t], form


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"pdf_sha256": "x", "accepted": 5}', "accepted"),
        ('{"pdf_sha256": 7, "accepted": []}', "pdf_sha256"),
        ('{"pdf_sha256": "x", "accepted": ["a@b.org", 3]}', "accepted"),
        ('{"pdf_sha256": "x"}', "accepted"),
        ('{"pdf_sha256": "x", "accepted": [], "uncertain": "a@b.org"}', "uncertain"),
        ('{"pdf_sha256": "x", "acc', "JSON"),
        ("[" * 100_000 + "]" * 100_000, ""),
        ("12" * 5000, ""),
        ('"just a string"', "object"),
    ],
)
def test_a_bad_delivery_log_line_is_located_and_nothing_is_sent(
    built: Built,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    line: str,
    why: str,
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env())
    good = json.dumps({"pdf_sha256": "y", "accepted": ["bo@example.net"]})
    (out / "deliveries.jsonl").write_text(f"{good}\n{line}\n{good}\n", encoding="utf-8")
    assert run(project, out, "--to", "ana@example.com") == 1
    err = capsys.readouterr().err
    located = [x for x in err.splitlines() if x.startswith(f"{out / 'deliveries.jsonl'}:2: ")]
    assert located and why in located[0], err
    assert server.handler.rcpt_seen == []


def test_a_delivery_log_cut_short_or_with_a_huge_line_is_located(
    built: Built,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env())
    log = out / "deliveries.jsonl"
    with log.open("w", encoding="utf-8") as stream:
        stream.write('{"pdf_sha256": "x", "accepted": []}\n')
        stream.write('"' + "x" * (17 * 1024 * 1024) + '"\n')
        stream.write('{"pdf_sha256": "x", "accep')
    assert run(project, out, "--to", "ana@example.com") == 1
    err = capsys.readouterr().err
    assert f"{log}:2: " in err and f"{log}:3: " in err
    assert server.handler.rcpt_seen == []


@pytest.mark.parametrize("kind", ["symlink", "directory", "fifo"])
def test_a_delivery_log_that_is_not_a_regular_file_is_refused(
    built: Built,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    kind: str,
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env())
    log = out / "deliveries.jsonl"
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("keep\n", encoding="utf-8")
    if kind == "symlink":
        log.symlink_to(outside)
    elif kind == "directory":
        log.mkdir()
    else:
        os.mkfifo(log)
    assert run(project, out, "--to", "ana@example.com") == 1
    err = capsys.readouterr().err
    assert any(line.startswith(f"{log}: ") for line in err.splitlines()), err
    assert outside.read_text(encoding="utf-8") == "keep\n"
    assert server.handler.rcpt_seen == []


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink"])
def test_a_lock_that_is_not_a_regular_file_is_refused(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    project, out = built
    lock = out / ".email.lock"
    if kind == "directory":
        lock.mkdir()
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.symlink_to(tmp_path / "elsewhere")
    assert run(project, out, "--dry-run", "--to", "ana@example.com") == 1
    assert capsys.readouterr().err.startswith(f"{lock}: ")
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "huge", "binary"])
def test_a_recipient_file_that_is_no_list_is_refused_before_reading(
    built: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    project, out = built
    path = tmp_path / "to.txt"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: opening it to read would wait forever
    elif kind == "device":
        path = Path("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    elif kind == "huge":
        path.write_bytes(b"ana@example.com\n" * 100_000)
    else:
        path.write_bytes(b"ana@example.com\n\xff\xfe\n")
    assert run(project, out, "--dry-run", "--to-file", str(path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:"), err
    assert len(err.splitlines()) == 1
    assert not (out / "briefing.eml").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REPORTGEN_SMTP_PORT", "0"),
        ("REPORTGEN_SMTP_HOST", "h" * 300),
        ("REPORTGEN_SMTP_SECURITY", "tls"),
        ("REPORTGEN_SMTP_TIMEOUT", "inf"),
        ("REPORTGEN_SMTP_CAFILE", "/dev/null"),
    ],
)
def test_a_dry_run_checks_the_settings_a_send_would(
    built: Built,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
) -> None:
    project, out = built
    monkeypatch.setenv(name, value)
    assert run(project, out, "--dry-run", "--to", "ana@example.com") == 1
    assert capsys.readouterr().err.startswith(name)
    assert not (out / "briefing.eml").exists()


def test_a_dry_run_without_a_server_notes_what_a_send_needs(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    project, out = built
    assert run(project, out, "--dry-run", "--to", "ana@example.com") == 0
    printed = capsys.readouterr().out
    assert "REPORTGEN_SMTP_HOST is not set" in printed
    assert (out / "briefing.eml").is_file()


def test_cc_is_a_usage_error_that_says_why(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    project, out = built
    assert run(project, out, "--to", "ana@example.com", "--cc", "bo@example.net") == 2
    assert "see each other" in capsys.readouterr().err


def test_the_log_records_each_recipient_once_per_attempt(
    built: Built, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, out = built
    server = smtp_server("none")
    use(monkeypatch, server.env())
    assert run(project, out, "--to", "ana@example.com", "--to", "bo@example.net") == 0
    (entry,) = log_entries(out / "deliveries.jsonl")
    assert entry["accepted"] == ["ana@example.com", "bo@example.net"]
