"""Sending the briefing over SMTP: verified TLS, per-recipient results, careful retries.

The SMTP transaction is driven one command at a time instead of through
``SMTP.send_message`` for two reasons: ``send_message`` raises only when *every*
recipient is refused (partial refusals hide in its return value), and it cannot
tell "the server refused the message" from "the connection dropped after the
server had the whole message". The second case must never be retried, or a
recipient gets the briefing twice. So:

- connection failures and 4xx replies before the server accepted the message are
  retried (for the recipients that have not got it yet), with exponential backoff,
  a bounded number of times;
- 5xx replies are final, for the recipient or the message they answer;
- once the message body has been sent, a lost connection is reported as
  "uncertain" and never retried.

Recipients go in the envelope only (the message says ``To: undisclosed-recipients:;``),
at most :data:`BATCH` per transaction: RFC 5321 servers must take 100 RCPTs, and
may refuse more. Every attempt is appended to ``deliveries.jsonl``; every text from
the server or an exception is redacted before it is kept, logged or printed.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reportgen.deliver.addresses import address_problem
from reportgen.deliver.journal import DeliveryLog
from reportgen.deliver.redact import Redactor
from reportgen.deliver.settings import SmtpSettings

log = logging.getLogger(__name__)

#: Recipients per SMTP transaction (the least a server must accept, RFC 5321 4.5.3.1.8).
BATCH = 100


@dataclass(frozen=True)
class Reply:
    """A recipient and the server's answer about it."""

    address: str
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.address}: {self.code} {self.text}".rstrip()


@dataclass
class Outcome:
    """What happened to each recipient, over all attempts."""

    message_id: str
    accepted: list[str] = field(default_factory=list)
    #: Permanently refused (5xx): never retried.
    refused: list[Reply] = field(default_factory=list)
    #: Still failing temporarily when the attempts ran out.
    deferred: list[Reply] = field(default_factory=list)
    #: The body was sent but the server's answer was lost: it may or may not have it.
    uncertain: list[str] = field(default_factory=list)
    attempts: int = 0
    #: The last attempt's error that was not about one recipient (connection, TLS, login).
    error: str | None = None
    #: Whether that error is permanent (retrying later will not help).
    final: bool = False

    @property
    def delivered(self) -> bool:
        return not (self.refused or self.deferred or self.uncertain or self.error)


class _Temporary(Exception):
    """Worth another attempt later."""


class _Permanent(Exception):
    """Another attempt would fail the same way."""


class _Uncertain(Exception):
    """Lost after the body was sent: retrying could deliver twice."""


def _text(raw: bytes | str) -> str:
    value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(value.split())


def _classify(code: int, text: str) -> Exception:
    return _Temporary(text) if 400 <= code < 500 else _Permanent(text)


@contextmanager
def _session(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """A connected, greeted, encrypted (unless loopback 'none') and logged-in session."""
    context = _context(settings)
    smtp: smtplib.SMTP
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except ssl.SSLError as exc:
        raise _tls_failure(settings, exc) from None
    except smtplib.SMTPConnectError as exc:
        raise _classify(
            exc.smtp_code,
            f"{settings.server} refused the connection: {exc.smtp_code} {_text(exc.smtp_error)}",
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _Temporary(
            f"cannot connect to {settings.server}: {exc or type(exc).__name__}"
        ) from None
    try:
        _hello(smtp, settings, context)
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _context(settings: SmtpSettings) -> ssl.SSLContext | None:
    """The TLS context; a CA file that cannot be loaded is a setting to fix, not a retry."""
    if settings.security == "none":
        return None
    try:
        return settings.tls_context()
    except (ssl.SSLError, OSError, ValueError):
        if settings.cafile is None:
            raise _Permanent("cannot load the system's CA certificates; nothing was sent") from None
        raise _Permanent(
            "REPORTGEN_SMTP_CAFILE: cannot load a CA certificate from "
            f"{settings.cafile}; nothing was sent"
        ) from None


def _tls_failure(settings: SmtpSettings, exc: ssl.SSLError) -> _Permanent:
    """A TLS failure is permanent: retrying cannot make a certificate valid."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _Permanent(_tls_message(settings, exc))
    return _Permanent(f"TLS with {settings.server} failed: {exc.reason or exc}")


def _tls_message(settings: SmtpSettings, exc: ssl.SSLCertVerificationError) -> str:
    hint = (
        "check REPORTGEN_SMTP_CAFILE"
        if settings.cafile is not None
        else "if the server uses a private CA, set REPORTGEN_SMTP_CAFILE to its certificate"
    )
    return f"the TLS certificate of {settings.server} is not trusted ({exc.verify_message}); {hint}"


def _hello(smtp: smtplib.SMTP, settings: SmtpSettings, context: ssl.SSLContext | None) -> None:
    try:
        code, text = smtp.ehlo()
        if code != 250:
            raise _classify(code, f"EHLO refused: {code} {_text(text)}")
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise _Permanent(
                    f"{settings.server} does not offer STARTTLS; refusing to send unencrypted "
                    "(use REPORTGEN_SMTP_SECURITY=ssl for a TLS-only port)"
                )
            code, text = smtp.starttls(context=context)
            if code != 220:
                raise _classify(code, f"STARTTLS refused: {code} {_text(text)}")
            smtp.ehlo()
        if settings.user is not None and settings.password is not None:
            if not smtp.has_extn("auth"):
                raise _Permanent(f"{settings.server} offers no AUTH, but a user is configured")
            smtp.login(settings.user, settings.password)
    except ssl.SSLError as exc:
        raise _tls_failure(settings, exc) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise _classify(
            exc.smtp_code,
            f"login as {settings.user} refused: {exc.smtp_code} {_text(exc.smtp_error)} "
            "(check REPORTGEN_SMTP_USER and REPORTGEN_SMTP_PASSWORD)",
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise _classify(exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise _Permanent(str(exc)) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _Temporary(
            f"connection to {settings.server} lost: {exc or type(exc).__name__}"
        ) from None


_DOT = re.compile(rb"(?m)^\.")


def _transaction(
    smtp: smtplib.SMTP, raw: bytes, sender: str, pending: list[str], outcome: Outcome
) -> list[Reply]:
    """One MAIL/RCPT/DATA exchange; returns the temporarily refused recipients."""
    options: list[str] = []
    if smtp.has_extn("size"):
        limit = int(smtp.esmtp_features.get("size", "0") or 0)
        if limit and len(raw) > limit:
            raise _Permanent(
                f"the server takes messages up to {limit / 1e6:.1f} MB; this one is "
                f"{len(raw) / 1e6:.1f} MB"
            )
        options.append(f"SIZE={len(raw)}")
    code, text = smtp.mail(sender, options)
    if code != 250:
        raise _classify(code, f"sender {sender} refused: {code} {_text(text)}")
    ok: list[str] = []
    temporary: list[Reply] = []
    for address in pending:
        code, text = smtp.rcpt(address)
        if code in (250, 251):
            ok.append(address)
        elif 400 <= code < 500:
            temporary.append(Reply(address, code, _text(text)))
        else:
            outcome.refused.append(Reply(address, code, _text(text)))
    if not ok:
        smtp.rset()
        return temporary
    code, text = smtp.docmd("DATA")
    if code != 354:
        if 400 <= code < 500:
            return temporary + [Reply(a, code, _text(text)) for a in ok]
        outcome.refused.extend(Reply(a, code, _text(text)) for a in ok)
        return temporary
    body = _DOT.sub(b"..", raw)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        smtp.send(body + b".\r\n")
        code, text = smtp.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        outcome.uncertain.extend(ok)
        raise _Uncertain(f"connection lost after the message was sent: {exc}") from None
    if code == 250:
        outcome.accepted.extend(ok)
    elif 400 <= code < 500:
        temporary.extend(Reply(a, code, _text(text)) for a in ok)
    else:
        outcome.refused.extend(Reply(a, code, _text(text)) for a in ok)
    return temporary


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _attempt(
    settings: SmtpSettings, raw: bytes, pending: list[str], outcome: Outcome
) -> tuple[list[Reply], str | None, bool]:
    """One session, every pending recipient in batches: (deferred, error, final)."""
    deferred: list[Reply] = []
    try:
        with _session(settings) as smtp:
            for start in range(0, len(pending), BATCH):
                batch = pending[start : start + BATCH]
                deferred += _transaction(smtp, raw, settings.sender.address, batch, outcome)
    except (_Uncertain, _Permanent) as exc:
        return deferred, str(exc), True
    except _Temporary as exc:
        return deferred, str(exc), False
    except (OSError, smtplib.SMTPException) as exc:
        # Raised before DATA (the body phase turns errors into _Uncertain): retryable.
        return deferred, f"connection to {settings.server} lost: {exc or type(exc).__name__}", False
    return deferred, None, False


def _status(outcome: Outcome, retrying: bool, pending: list[str], error: str | None) -> str:
    if outcome.uncertain:
        return "uncertain"
    if retrying:
        return "retrying"
    if pending or error is not None:
        return "failed"
    return "partial" if outcome.refused else "delivered"


def deliver(
    raw: bytes,
    recipients: list[str],
    settings: SmtpSettings,
    *,
    message_id: str,
    pdf_sha256: str,
    log_path: Path,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send ``raw`` (CRLF line ends) to ``recipients``; every attempt goes into ``log_path``.

    Raises a located ReportError, before anything is sent, if the log cannot be opened.
    """
    bad = [a for a in recipients if address_problem(a)]
    if bad:
        raise ValueError(f"not bare, validated addresses: {bad!r}")
    journal = DeliveryLog(log_path)
    try:
        return _deliver(raw, recipients, settings, message_id, pdf_sha256, journal, sleep)
    finally:
        journal.close()


def _deliver(
    raw: bytes,
    recipients: list[str],
    settings: SmtpSettings,
    message_id: str,
    pdf_sha256: str,
    journal: DeliveryLog,
    sleep: Callable[[float], None],
) -> Outcome:
    outcome = Outcome(message_id=message_id)
    redact = settings.redactor
    pending = list(recipients)
    attempts = settings.retry.attempts
    for attempt in range(1, attempts + 1):
        wait = settings.retry.wait_before(attempt)
        if wait:
            log.info("attempt %d of %d in %.0f s", attempt, attempts, wait)
            sleep(wait)
        outcome.attempts = attempt
        before_accepted, before_refused = len(outcome.accepted), len(outcome.refused)
        deferred, error, final = _attempt(settings, raw, pending, outcome)
        # Server replies and exception texts may echo the credentials: clean them once, here.
        error = redact(error) if error is not None else None
        deferred = [_redacted(r, redact) for r in deferred]
        outcome.refused[before_refused:] = [
            _redacted(r, redact) for r in outcome.refused[before_refused:]
        ]
        done = set(outcome.accepted) | {r.address for r in outcome.refused} | set(outcome.uncertain)
        pending = [a for a in pending if a not in done]
        if error is not None:
            # A failure of the whole session is every waiting recipient's reason.
            answered = {r.address for r in deferred}
            deferred += [Reply(a, 0, error) for a in pending if a not in answered]
        deferred = [r for r in deferred if r.address in pending]
        retrying = bool(pending) and not final and attempt < attempts
        journal.append(
            {
                "time": _now(),
                "attempt": attempt,
                "server": settings.server,
                "message_id": message_id,
                "pdf_sha256": pdf_sha256,
                "accepted": outcome.accepted[before_accepted:],
                "refused": [_reply_json(r) for r in outcome.refused[before_refused:]],
                "deferred": [_reply_json(r) for r in deferred],
                "uncertain": list(outcome.uncertain),
                "status": _status(outcome, retrying, pending, error),
                "error": error,
            }
        )
        if error:
            log.warning("attempt %d of %d: %s", attempt, attempts, error)
        for reply in deferred:
            if reply.code:
                log.info("attempt %d of %d: %s", attempt, attempts, reply)
        if not retrying:
            outcome.deferred, outcome.error, outcome.final = deferred, error, final
            break
    return outcome


def _redacted(reply: Reply, redact: Redactor) -> Reply:
    return Reply(reply.address, reply.code, redact(reply.text))


def _reply_json(reply: Reply) -> dict[str, Any]:
    return {"address": reply.address, "code": reply.code, "text": reply.text}
