"""``reportgen email``: check everything, make sure the build is current, then send once.

Order matters: every address, header and SMTP setting is validated before the
briefing is built or a connection opened, and the PDF that goes out is the one
the build manifest vouches for, byte for byte.

Exit status: 0 every recipient accepted the briefing; 1 a problem to fix (bad
address or setting, failed or stale build, a recipient refused, a delivery whose
outcome is unknown); 75 (EX_TEMPFAIL) the server kept deferring some recipients:
running the command again later is safe for them.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reportgen.deliver.addresses import (
    Recipient,
    Recipients,
    check_subject,
    collect_recipients,
    header_problem,
    read_recipient_file,
)
from reportgen.deliver.content import read_content
from reportgen.deliver.message import Envelope, build_message, check_serialized, serialize
from reportgen.deliver.settings import SmtpSettings, mail_from, max_message_bytes, read_settings
from reportgen.deliver.smtp import DELIVERY_LOG, Outcome, deliver
from reportgen.errors import Location, Problems, ReportError, ReportErrors, UsageError

log = logging.getLogger(__name__)

EX_TEMPFAIL = 75
EML = "briefing.eml"
#: Used in a dry run when REPORTGEN_MAIL_FROM is not set; never for a real send.
_DRY_RUN_SENDER = Recipient("briefing@localhost")


def _recipients(args: argparse.Namespace, problems: Problems) -> Recipients:
    to: list[tuple[str, Location | None]] = [(a, None) for a in args.to]
    if args.to_file is not None:
        to += read_recipient_file(args.to_file, problems)
    return collect_recipients(to, [(a, None) for a in args.cc], problems)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_build(project: Path, out: Path) -> tuple[bytes, dict[str, Any]]:
    """The PDF of an up-to-date, successful build (building first if needed), and its manifest.

    Raises ReportError when the build fails (nothing is sent) or when the PDF on
    disk is not the one the manifest records.
    """
    from reportgen.build import build, is_up_to_date
    from reportgen.manifest import read_manifest

    formats = {"html", "pdf"}
    if is_up_to_date(project, out, formats):
        log.info("using the current build in %s", out)
    else:
        log.info("the build in %s is missing or out of date: building it first", out)
        build(project, out, formats=formats)
        if not is_up_to_date(project, out, formats):
            raise ReportError("the inputs changed while the briefing was being built; run again")
    manifest = read_manifest(out)
    pdf_path = out / "briefing.pdf"
    try:
        pdf = pdf_path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot read the briefing: {exc}", Location(str(pdf_path))) from None
    recorded = manifest["outputs"].get("briefing.pdf", {})
    if _sha256(pdf) != recorded.get("sha256") or not pdf.startswith(b"%PDF-"):
        raise ReportError(
            "is not the PDF the build manifest records; rebuild with 'reportgen build --force'",
            Location(str(pdf_path)),
        )
    return pdf, manifest


@contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One sender per output folder: two runs at once could both send the briefing."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".email.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReportError(f"another 'reportgen email' is sending from {out}") from None
        yield


def already_delivered(out: Path, pdf_sha256: str) -> set[str]:
    """Addresses the delivery log says have accepted this very PDF."""
    path = out / DELIVERY_LOG
    done: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return done
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read the delivery log: {exc}", Location(str(path))) from None
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            log.warning("%s:%d: not a delivery record; ignored", path, number)
            continue
        if isinstance(entry, dict) and entry.get("pdf_sha256") == pdf_sha256:
            done.update(a for a in entry.get("accepted", []) if isinstance(a, str))
    return done


def _write_eml(path: Path, raw: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(raw)
    temporary.replace(path)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"


def email_command(args: argparse.Namespace, out: Path) -> int:
    problems = Problems()
    recipients = _recipients(args, problems)
    subject = check_subject(args.subject, problems) if args.subject is not None else None
    settings: SmtpSettings | None = None
    if args.dry_run:
        sender = mail_from(os.environ, problems) or _DRY_RUN_SENDER
        max_bytes = max_message_bytes(os.environ, problems)
    else:
        try:
            settings = read_settings()
        except ReportErrors as exc:
            problems.extend(exc)
        sender = settings.sender if settings else _DRY_RUN_SENDER
        max_bytes = settings.max_bytes if settings else 0
    problems.raise_if_any()
    if not recipients.to:
        raise UsageError("reportgen email: give at least one --to ADDR (or --to-file FILE)")

    with _exclusive(out):
        pdf, manifest = current_build(args.project, out)
        pdf_sha256 = _sha256(pdf)
        content = read_content(out / "briefing.html")
        if subject is None:
            subject = f"Briefing: {content.title}"
            problem = header_problem(subject, "the briefing's title")
            if problem:
                raise ReportError(problem)
        envelope = Envelope(sender, recipients, subject, datetime.now(UTC).replace(microsecond=0))
        message = build_message(content, envelope, pdf)
        raw = serialize(message)
        check_serialized(raw, message)
        if len(raw) > max_bytes:
            raise ReportError(
                f"the briefing email is {_mb(len(raw))} ({len(raw):,} bytes), over the "
                f"{_mb(max_bytes)} limit (REPORTGEN_MAIL_MAX_MB); nothing was sent"
            )
        message_id = str(message["Message-ID"])
        facts = {
            "from": str(sender),
            "to": ", ".join(map(str, recipients.to)),
            "cc": ", ".join(map(str, recipients.cc)),
            "subject": subject,
            "attachment": f"{envelope.attachment_name} ({len(pdf):,} bytes, "
            f"{manifest['outputs']['briefing.pdf'].get('pages', '?')} pages, "
            f"sha256 {pdf_sha256[:12]})",
            "message": f"{len(raw):,} bytes of {_mb(max_bytes)} allowed, {message_id}",
        }
        if args.dry_run:
            _write_eml(out / EML, raw)
            print(f"dry run, nothing sent: the message is in {out / EML}")
            _print_facts(facts)
            return 0
        assert settings is not None
        done = already_delivered(out, pdf_sha256)
        repeat = [r.address for r in recipients.all if r.address in done]
        if repeat and not getattr(args, "resend", False):
            raise ReportError(
                f"{', '.join(repeat)} already received this briefing (see {out / DELIVERY_LOG}); "
                "nothing was sent. Use --resend to send it again"
            )
        print(f"sending through {settings.server} ({settings.security})")
        _print_facts(facts)
        outcome = deliver(
            raw,
            [r.address for r in recipients.all],
            settings,
            message_id=message_id,
            pdf_sha256=pdf_sha256,
            log_path=out / DELIVERY_LOG,
        )
    return _report(outcome, len(recipients.all))


def _print_facts(facts: dict[str, str]) -> None:
    for key, value in facts.items():
        if value:
            print(f"  {key + ':':<11} {value}")


def _report(outcome: Outcome, total: int) -> int:
    """Print what happened to each recipient; the exit status follows the worst case."""
    print(
        f"delivered to {len(outcome.accepted)} of {total} recipients "
        f"in {outcome.attempts} attempt{'s' if outcome.attempts != 1 else ''}"
    )
    for address in outcome.accepted:
        print(f"  accepted:  {address}")
    for reply in outcome.refused:
        print(f"  REFUSED:   {reply.address}: {reply.code} {reply.text}")
    for reply in outcome.deferred:
        reason = f"{reply.code} {reply.text}" if reply.code else reply.text
        print(f"  NOT SENT:  {reply.address}: {reason}")
    for address in outcome.uncertain:
        print(
            f"  UNKNOWN:   {address}: the connection was lost after the server received the "
            "message; check with the recipient before sending again"
        )
    if outcome.error and not outcome.deferred and not outcome.uncertain:
        print(f"  error:     {outcome.error}")
    if outcome.refused or outcome.uncertain or (outcome.error and outcome.final):
        return 1
    if outcome.deferred:
        return EX_TEMPFAIL
    return 0
