"""Hostile cases: Email delivery: settings, the delivery log, the lock and recipient files.

Each case runs ``reportgen email`` (through ``wrap``) on the case's project copy, with
its own output folder ``mail/`` (a copy of the good build), so that the build's
outputs the harness watches stay the previous ones. Every case here fails before a
connection is opened; the server-side cases (echoed AUTH tokens, reruns, thousands
of recipients) are in test_hostile_email.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.hostile.harness import Case, Context, Mutation, Run

MAIL = "mail"
#: A valid sending setup pointing at a port nothing listens on: no case gets that far.
SEND_ENV = {
    "REPORTGEN_SMTP_HOST": "127.0.0.1",
    "REPORTGEN_SMTP_PORT": "9",
    "REPORTGEN_SMTP_SECURITY": "none",
    "REPORTGEN_MAIL_FROM": "Briefings <briefings@example.org>",
    "REPORTGEN_SMTP_ATTEMPTS": "1",
    "REPORTGEN_SMTP_TIMEOUT": "5",
}
_UNSET = (
    "REPORTGEN_SMTP_USER",
    "REPORTGEN_SMTP_PASSWORD",
    "REPORTGEN_SMTP_CAFILE",
    "REPORTGEN_MAIL_MAX_MB",
    "REPORTGEN_SMTP_RETRY_DELAY",
)


def email(*args: str, **env: str) -> Callable[[list[str]], list[str]]:
    """Turn the harness's ``build`` command into ``reportgen email`` with ``env`` set.

    ``{PROJECT}`` in an argument or a value is the project copy."""

    def wrap(argv: list[str]) -> list[str]:
        project = argv[argv.index("--project") + 1]
        settings = {**SEND_ENV, **env}
        return [
            "env",
            *(f"-u{name}" for name in _UNSET if name not in settings),
            *(f"{k}={v.replace('{PROJECT}', project)}" for k, v in settings.items()),
            argv[0],
            "-m",
            "reportgen",
            "email",
            "--project",
            project,
            "--out",
            f"{project}/{MAIL}",
            *(a.replace("{PROJECT}", project) for a in args),
        ]

    return wrap


def mail_folder(*plant: Callable[[Path, Context], object]) -> Mutation:
    """``mail/``: a copy of the good build, then each ``plant`` run in it."""

    def apply(ctx: Context) -> None:
        folder = ctx.project / MAIL
        shutil.copytree(ctx.project / "build", folder)
        for step in plant:
            step(folder, ctx)

    return apply


def log_lines(*lines: str) -> Callable[[Path, Context], None]:
    def step(folder: Path, ctx: Context) -> None:
        (folder / "deliveries.jsonl").write_text("".join(lines), encoding="utf-8")

    return step


def special(name: str, kind: str) -> Callable[[Path, Context], None]:
    def step(folder: Path, ctx: Context) -> None:
        path = folder / name
        if kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(ctx.outside / "secret.txt")

    return step


def nothing_sent(ctx: Context, out: Path, runs: list[Run]) -> None:
    """The secret beside the project is intact and no message was written or logged."""
    secret = ctx.outside / "secret.txt"
    assert secret.read_text(encoding="utf-8") == f"{ctx.canary}\n", "a file outside changed"
    folder = ctx.project / MAIL
    assert not (folder / "briefing.eml").exists(), "a message was written"
    for run in runs:
        assert "sending through" not in run.stdout, "it went on to send"


GOOD_LINE = '{"pdf_sha256": "0", "accepted": ["bo@example.net"]}\n'
TO = ("--to", "ana@example.com")


def _case(
    id: str, mutate: Mutation, wrap: Callable[[list[str]], list[str]], message: str, **kw: object
) -> Case:
    return Case(
        id,
        "email",
        mutate,
        message=message,
        wrap=wrap,
        verify=nothing_sent,
        timeout=60,
        **kw,  # type: ignore[arg-type]
    )


def _setting(id: str, name: str, value: str, *args: str) -> Case:
    return _case(id, mail_folder(), email(*TO, *args, **{name: value}), rf"^{name}\b")


_LOG = r"mail/deliveries\.jsonl"

EMAIL_ATTACKS: list[Case] = [
    # The delivery log decides who is sent what: any line it cannot read stops the send.
    _case(
        "email-log-accepted-not-a-list",
        mail_folder(log_lines(GOOD_LINE, '{"pdf_sha256": "0", "accepted": 5}\n')),
        email(*TO),
        rf"{_LOG}:2: .*accepted",
    ),
    _case(
        "email-log-wrong-types",
        mail_folder(log_lines('{"pdf_sha256": ["x"], "accepted": [1, 2]}\n')),
        email(*TO),
        rf"{_LOG}:1: ",
    ),
    _case(
        "email-log-truncated",
        mail_folder(log_lines(GOOD_LINE, '{"pdf_sha256": "0", "acc')),
        email(*TO),
        rf"{_LOG}:2: .*cut short",
    ),
    _case(
        "email-log-nested-200000-deep",
        mail_folder(log_lines("[" * 200_000 + "]" * 200_000 + "\n")),
        email(*TO),
        rf"{_LOG}:1: ",
    ),
    _case(
        "email-log-huge-number",
        mail_folder(log_lines('{"pdf_sha256": "0", "accepted": [], "n": ' + "9" * 5000 + "}\n")),
        email(*TO),
        rf"{_LOG}:1: ",
    ),
    _case(
        "email-log-not-utf8",
        mail_folder(log_lines(GOOD_LINE), lambda f, c: _append(f / "deliveries.jsonl", b"\xff\n")),
        email(*TO),
        rf"{_LOG}:2: ",
    ),
    _case(
        "email-log-symlink-outside",
        mail_folder(special("deliveries.jsonl", "symlink")),
        email(*TO),
        rf"{_LOG}: .*symbolic link",
    ),
    _case(
        "email-log-fifo",
        mail_folder(special("deliveries.jsonl", "fifo")),
        email(*TO),
        rf"{_LOG}: .*FIFO",
    ),
    _case(
        "email-log-directory",
        mail_folder(special("deliveries.jsonl", "dir")),
        email(*TO),
        rf"{_LOG}: .*directory",
    ),
    # The lock file.
    _case(
        "email-lock-directory",
        mail_folder(special(".email.lock", "dir")),
        email(*TO, "--dry-run"),
        r"mail/\.email\.lock: .*directory",
    ),
    _case(
        "email-lock-fifo",
        mail_folder(special(".email.lock", "fifo")),
        email(*TO),
        r"mail/\.email\.lock: .*FIFO",
    ),
    _case(
        "email-lock-symlink",
        mail_folder(special(".email.lock", "symlink")),
        email(*TO),
        r"mail/\.email\.lock: .*symbolic link",
    ),
    # Recipient files that are not lists.
    _case(
        "email-to-file-dev-zero",
        mail_folder(),
        email("--to-file", "/dev/zero"),
        r"^/dev/zero: .*device",
    ),
    _case(
        "email-to-file-fifo-without-writer",
        mail_folder(lambda folder, ctx: os.mkfifo(ctx.project / "to.fifo")),
        email("--to-file", "{PROJECT}/to.fifo"),
        r"/to\.fifo: .*FIFO",
    ),
    _case(
        "email-to-file-too-big",
        mail_folder(
            lambda folder, ctx: (ctx.project / "to.txt").write_bytes(b"a@example.com\n" * 200_000)
        ),
        email("--to-file", "{PROJECT}/to.txt"),
        r"/to\.txt: .*larger than",
    ),
    _case(
        "email-to-file-directory",
        mail_folder(),
        email("--to-file", "{PROJECT}/seeds"),
        r"/seeds: .*directory",
    ),
    # Settings: every variable named, whatever is wrong with its value.
    _setting("email-max-mb-inf", "REPORTGEN_MAIL_MAX_MB", "inf"),
    _setting("email-max-mb-nan", "REPORTGEN_MAIL_MAX_MB", "NaN"),
    _setting("email-max-mb-huge", "REPORTGEN_MAIL_MAX_MB", "1e400"),
    _setting("email-max-mb-zero", "REPORTGEN_MAIL_MAX_MB", "0"),
    _setting("email-timeout-inf", "REPORTGEN_SMTP_TIMEOUT", "inf"),
    _setting("email-timeout-negative", "REPORTGEN_SMTP_TIMEOUT", "-1"),
    _setting("email-attempts-fraction", "REPORTGEN_SMTP_ATTEMPTS", "2.7"),
    _setting("email-attempts-huge", "REPORTGEN_SMTP_ATTEMPTS", "99999999999"),
    _setting("email-retry-delay-nan", "REPORTGEN_SMTP_RETRY_DELAY", "nan"),
    _setting("email-port-zero", "REPORTGEN_SMTP_PORT", "0"),
    _setting("email-port-superscript", "REPORTGEN_SMTP_PORT", "²5"),
    _setting("email-host-300-characters", "REPORTGEN_SMTP_HOST", "a" * 300),
    _setting("email-host-long-label", "REPORTGEN_SMTP_HOST", "b" * 64 + ".example.com"),
    _setting("email-host-bad-characters", "REPORTGEN_SMTP_HOST", "smtp_relay.example.com"),
    _setting(
        "email-cafile-not-a-certificate", "REPORTGEN_SMTP_CAFILE", "{PROJECT}/seeds/report.yaml"
    ),
    _setting("email-cafile-directory", "REPORTGEN_SMTP_CAFILE", "{PROJECT}/seeds"),
    _setting("email-cafile-device", "REPORTGEN_SMTP_CAFILE", "/dev/zero"),
    # A dry run checks what a send would.
    _setting("email-dry-run-port", "REPORTGEN_SMTP_PORT", "70000", "--dry-run"),
    _setting("email-dry-run-host", "REPORTGEN_SMTP_HOST", "c" * 300, "--dry-run"),
    _setting("email-dry-run-security", "REPORTGEN_SMTP_SECURITY", "sometimes", "--dry-run"),
    # Recipients never see each other: there is no Cc to put them in.
    _case(
        "email-cc-refused",
        mail_folder(),
        email(*TO, "--cc", "bo@example.net"),
        r"reportgen email: there is no --cc",
        exit=2,
    ),
]


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as stream:
        stream.write(data)
