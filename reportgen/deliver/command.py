"""``reportgen email``: check everything, make sure the build is current, then send once.

Order matters: every address, header and SMTP setting is validated before the
briefing is built or a connection opened (in a dry run too), and the PDF that goes
out is the one the build manifest vouches for, byte for byte.

Running the command again is always safe: recipients the delivery log shows as
having accepted this very PDF are skipped, and so are those whose delivery ended in
doubt (the connection was lost after the server had the message), unless
``--resend`` asks for everyone again.

Exit status: 0 every recipient has the briefing; 1 a problem to fix (bad address or
setting, failed or stale build, a recipient refused, a delivery whose outcome is
unknown); 75 (EX_TEMPFAIL) the server kept deferring some recipients: running the
command again later sends to exactly those.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from reportgen.atomic import write_atomic
from reportgen.deliver.addresses import (
    Recipient,
    check_subject,
    collect_recipients,
    header_problem,
    read_recipient_file,
)
from reportgen.deliver.journal import DELIVERY_LOG, History, exclusive, read_history
from reportgen.deliver.message import Envelope, build_message, check_serialized, serialize
from reportgen.deliver.settings import SmtpSettings, read_settings
from reportgen.deliver.smtp import Outcome, deliver
from reportgen.errors import Location, Problems, ReportError, ReportErrors, UsageError

log = logging.getLogger(__name__)

EX_TEMPFAIL = 75
EML = "briefing.eml"
#: Recipients named in the summary before "and N more".
_SHOWN = 10


@dataclass(frozen=True)
class EmailOptions:
    """What ``reportgen email`` is asked to do (the CLI's options, typed)."""

    project: Path
    out: Path
    to: tuple[str, ...] = ()
    to_file: Path | None = None
    subject: str | None = None
    dry_run: bool = False
    resend: bool = False


@dataclass(frozen=True)
class _Prepared:
    """A message ready to go, and what the summary says about it."""

    raw: bytes
    message: EmailMessage
    pdf_sha256: str
    facts: dict[str, str]


def _recipients(options: EmailOptions, problems: Problems) -> tuple[Recipient, ...]:
    entries: list[tuple[str, Location | None]] = [(a, None) for a in options.to]
    if options.to_file is not None:
        entries += read_recipient_file(options.to_file, problems)
    return collect_recipients(entries, problems)


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


def _key(address: str) -> str:
    """An address as compared with the log (domains are case-insensitive)."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"


def _validated(options: EmailOptions) -> tuple[tuple[Recipient, ...], str | None, SmtpSettings]:
    """Recipients, subject and settings, or every problem with them at once."""
    problems = Problems()
    recipients = _recipients(options, problems)
    subject = check_subject(options.subject, problems) if options.subject is not None else None
    settings: SmtpSettings | None = None
    try:
        settings = read_settings(dry_run=options.dry_run)
    except ReportErrors as exc:
        problems.extend(exc)
    problems.raise_if_any()
    assert settings is not None
    if not recipients:
        raise UsageError("reportgen email: give at least one --to ADDR (or --to-file FILE)")
    return recipients, subject, settings


def _listed(recipients: tuple[Recipient, ...]) -> str:
    shown = ", ".join(map(str, recipients[:_SHOWN]))
    more = len(recipients) - _SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown


def email_command(options: EmailOptions) -> int:
    """Check, build if needed, then write (``dry_run``) or send the briefing email."""
    recipients, subject, settings = _validated(options)
    out = options.out
    with exclusive(out):
        prepared = _prepare(options, subject, settings)
        history = read_history(out, prepared.pdf_sha256)
        todo, have, doubtful = _split(recipients, history, resend=options.resend)
        facts = {
            "from": str(settings.sender),
            "to": f"{_listed(todo)} (each sees only 'undisclosed-recipients')" if todo else "",
            **prepared.facts,
        }
        if options.dry_run:
            write_atomic(out / EML, prepared.raw, shown=str(out / EML))
            print(f"dry run, nothing sent: the message is in {out / EML}")
            _print_facts(facts)
            _print_skipped(have, doubtful, out)
            for name in settings.missing:
                print(f"  note:       {name} is not set; a real send needs it")
            return 0
        _print_skipped(have, doubtful, out)
        if not todo:
            print("nothing to send: every recipient is accounted for in the delivery log")
            return 1 if doubtful else 0
        print(f"sending through {settings.server} ({settings.security})")
        _print_facts(facts)
        outcome = deliver(
            prepared.raw,
            [r.address for r in todo],
            settings,
            message_id=str(prepared.message["Message-ID"]),
            pdf_sha256=prepared.pdf_sha256,
            log_path=out / DELIVERY_LOG,
        )
    return _report(outcome, len(todo), doubtful=bool(doubtful))


def _prepare(options: EmailOptions, subject: str | None, settings: SmtpSettings) -> _Prepared:
    """The message for the current build: rendered from its store, checked, within size."""
    from reportgen.deliver.view import email_view
    from reportgen.editions.command import open_checked_store

    pdf, manifest = current_build(options.project, options.out)
    view = email_view(open_checked_store(options.project), options.project, options.out / "charts")
    if subject is None:
        subject = view.subject()
        problem = header_problem(subject, "the briefing's title and edition")
        if problem:
            raise ReportError(problem)
    envelope = Envelope(settings.sender, subject, datetime.now(UTC).replace(microsecond=0))
    message = build_message(view, envelope, pdf)
    raw = serialize(message)
    check_serialized(raw, message)
    if len(raw) > settings.max_bytes:
        raise ReportError(
            f"the briefing email is {_mb(len(raw))} ({len(raw):,} bytes), over the "
            f"{_mb(settings.max_bytes)} limit (REPORTGEN_MAIL_MAX_MB); nothing was sent"
        )
    pdf_sha256 = _sha256(pdf)
    pages = manifest["outputs"]["briefing.pdf"].get("pages", "?")
    facts = {
        "subject": subject,
        "attachment": f"{envelope.attachment_name} ({len(pdf):,} bytes, {pages} pages, "
        f"sha256 {pdf_sha256[:12]})",
        "message": f"{len(raw):,} bytes of {_mb(settings.max_bytes)} allowed, "
        f"{message['Message-ID']}",
    }
    return _Prepared(raw, message, pdf_sha256, facts)


def _split(
    recipients: tuple[Recipient, ...], history: History, *, resend: bool
) -> tuple[tuple[Recipient, ...], list[Recipient], list[Recipient]]:
    """(to send, already accepted, outcome unknown): the last two only without --resend."""
    if resend:
        return recipients, [], []
    accepted = {_key(a) for a in history.accepted}
    uncertain = {_key(a) for a in history.uncertain}
    have = [r for r in recipients if r.key in accepted]
    doubtful = [r for r in recipients if r.key in uncertain and r.key not in accepted]
    skip = {r.key for r in have + doubtful}
    return tuple(r for r in recipients if r.key not in skip), have, doubtful


def _print_skipped(have: list[Recipient], doubtful: list[Recipient], out: Path) -> None:
    for recipient in have:
        print(f"  has it:    {recipient.address}: accepted earlier, not sent again")
    for recipient in doubtful:
        print(
            f"  UNKNOWN:   {recipient.address}: an earlier run lost the connection after the "
            f"server had the message (see {out / DELIVERY_LOG}); not sent again: check with "
            "the recipient, then use --resend"
        )


def _print_facts(facts: dict[str, str]) -> None:
    for key, value in facts.items():
        if value:
            print(f"  {key + ':':<11} {value}")


def _report(outcome: Outcome, total: int, *, doubtful: bool = False) -> int:
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
    if outcome.refused or outcome.uncertain or doubtful or (outcome.error and outcome.final):
        return 1
    if outcome.deferred:
        return EX_TEMPFAIL
    return 0
