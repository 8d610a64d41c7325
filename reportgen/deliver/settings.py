"""SMTP settings, read from the environment only (never from files in the project).

Secrets stay out of every message this module produces: errors name the variable,
never its value. Every value is checked the same way for a dry run and a real send;
a dry run only tolerates settings that are missing altogether.
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reportgen.deliver.addresses import Recipient, parse_recipient
from reportgen.deliver.redact import Redactor
from reportgen.errors import Problems

Security = Literal["starttls", "ssl", "none"]
_DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "ssl": 465, "none": 25}
#: Used when REPORTGEN_MAIL_FROM is not set, in a dry run only.
DRY_RUN_SENDER = Recipient("briefing@localhost")
#: A CA bundle larger than this is not a CA file someone meant to give.
MAX_CAFILE_BYTES = 4 * 1024 * 1024

#: Plain decimal numbers only: float() would also take "inf", "nan", "1e400", "1_0", "١".
_DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
_WHOLE = re.compile(r"[0-9]{1,9}")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to retry a delivery that failed for a temporary reason."""

    attempts: int = 4
    #: Seconds before the second attempt; doubled each time, capped at ``max_delay``.
    delay: float = 5.0
    max_delay: float = 300.0

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (1-based)."""
        if attempt <= 1:
            return 0.0
        return min(self.max_delay, self.delay * 2.0 ** min(attempt - 2, 30))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    sender: Recipient
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None
    max_bytes: int = 10 * 1024 * 1024
    #: Seconds for connecting and for each reply.
    timeout: float = 60.0
    retry: Retry = Retry()
    #: Variables a real send needs that are not set (a dry run goes on without them).
    missing: tuple[str, ...] = ()

    @property
    def redactor(self) -> Redactor:
        """Removes the credentials, in every encoding they travel in, from a text."""
        return Redactor(self.user, self.password)

    def tls_context(self) -> ssl.SSLContext:
        """A verifying context: the system CAs, or the private CA in REPORTGEN_SMTP_CAFILE.

        Raises ssl.SSLError or OSError when the CA file cannot be loaded."""
        context = ssl.create_default_context(
            cafile=str(self.cafile) if self.cafile is not None else None
        )
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def _shown(raw: str) -> str:
    text = raw if len(raw) <= 40 else raw[:37] + "..."
    return ascii(text) if not text.isprintable() or not text.isascii() else f"'{text}'"


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_problem(host: str) -> str | None:
    """Why ``host`` is neither an IP address nor a DNS host name, or None."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    name = host.removesuffix(".")
    if len(name) > 253:
        return f"is {len(host)} characters long; a host name has at most 253"
    for label in name.split("."):
        if len(label) > 63:
            return f"has a label of {len(label)} characters; at most 63 are allowed"
        if not _LABEL.fullmatch(label):
            return (
                f"is not a host name: {_shown(host)} (letters, digits and '-' between dots; "
                "write an international name in its xn-- form)"
            )
    return None


def _number(
    env: Mapping[str, str],
    name: str,
    problems: Problems,
    *,
    low: float,
    high: float,
    unit: str,
    whole: bool = False,
) -> float | None:
    """A set variable within [low, high]; None (after adding a problem) if it is not one."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    kind = "a whole number" if whole else "a number"
    wanted = f"{kind}{f' of {unit}' if unit else ''} from {low:g} to {high:g}"
    if not (_WHOLE if whole else _DECIMAL).fullmatch(raw):
        problems.add(f"{name} must be {wanted}, not {_shown(raw)}")
        return None
    value = float(raw)
    if not low <= value <= high:
        problems.add(f"{name} must be {wanted}, not {_shown(raw)}")
        return None
    return value


def mail_from(env: Mapping[str, str], problems: Problems) -> Recipient | None:
    raw = env.get("REPORTGEN_MAIL_FROM", "")
    if not raw.strip():
        return None
    try:
        return parse_recipient(raw, "REPORTGEN_MAIL_FROM")
    except ValueError as exc:
        problems.add(str(exc))
        return None


def max_message_bytes(env: Mapping[str, str], problems: Problems) -> int:
    megabytes = _number(
        env, "REPORTGEN_MAIL_MAX_MB", problems, low=0.01, high=1024, unit="megabytes"
    )
    return int((megabytes or 10) * 1024 * 1024)


def _check_cafile(raw: str, problems: Problems) -> Path | None:
    """The CA file, if it is a readable regular file holding at least one PEM certificate."""
    if not raw:
        return None
    path = Path(raw)
    try:
        info = path.stat()  # follows symlinks: /etc/ssl links its bundles
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "bad path"
        problems.add(f"REPORTGEN_SMTP_CAFILE: cannot use {_shown(raw)}: {reason}")
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.add(f"REPORTGEN_SMTP_CAFILE: {_shown(raw)} is not a regular file")
        return None
    if info.st_size > MAX_CAFILE_BYTES:
        problems.add(f"REPORTGEN_SMTP_CAFILE: {_shown(raw)} is too large for a CA file")
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        problems.add(
            f"REPORTGEN_SMTP_CAFILE: {_shown(raw)} holds no PEM certificate "
            "(give the CA certificate, -----BEGIN CERTIFICATE-----)"
        )
        return None
    return path


def _security(env: Mapping[str, str], problems: Problems) -> Security:
    value = env.get("REPORTGEN_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
    if value == "ssl":
        return "ssl"
    if value == "none":
        return "none"
    if value != "starttls":
        problems.add(f"REPORTGEN_SMTP_SECURITY must be starttls, ssl or none, not {_shown(value)}")
    return "starttls"


def _host(env: Mapping[str, str], problems: Problems, security: Security) -> str:
    host = env.get("REPORTGEN_SMTP_HOST", "").strip()
    if not host:
        return ""
    problem = host_problem(host)
    if problem:
        problems.add(f"REPORTGEN_SMTP_HOST {problem}")
    elif security == "none" and not _is_loopback(host):
        problems.add(
            "REPORTGEN_SMTP_SECURITY=none is allowed only for a server on this machine "
            f"(localhost, 127.0.0.1, ::1), not {host}"
        )
    return host


def read_settings(env: Mapping[str, str] | None = None, *, dry_run: bool = False) -> SmtpSettings:
    """The SMTP settings from ``env`` (default ``os.environ``); all problems at once.

    A dry run checks every variable that is set exactly as a send would, and lists the
    required ones that are not set in ``missing`` instead of refusing.
    """
    env = os.environ if env is None else env
    problems = Problems()
    security = _security(env, problems)
    host = _host(env, problems, security)
    port = _number(env, "REPORTGEN_SMTP_PORT", problems, low=1, high=65535, unit="", whole=True)
    user = env.get("REPORTGEN_SMTP_USER") or None
    password = env.get("REPORTGEN_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        problems.add("set both REPORTGEN_SMTP_USER and REPORTGEN_SMTP_PASSWORD, or neither")
    if password is not None and security == "none":
        problems.add(
            "refusing to send the SMTP password unencrypted (REPORTGEN_SMTP_SECURITY=none)"
        )
    cafile = _check_cafile(env.get("REPORTGEN_SMTP_CAFILE", "").strip(), problems)
    sender = mail_from(env, problems)
    max_bytes = max_message_bytes(env, problems)
    timeout = _number(env, "REPORTGEN_SMTP_TIMEOUT", problems, low=1, high=600, unit="seconds")
    attempts = _number(
        env, "REPORTGEN_SMTP_ATTEMPTS", problems, low=1, high=20, unit="attempts", whole=True
    )
    delay = _number(env, "REPORTGEN_SMTP_RETRY_DELAY", problems, low=0.01, high=300, unit="seconds")
    missing = tuple(
        name
        for name, value in (("REPORTGEN_SMTP_HOST", host), ("REPORTGEN_MAIL_FROM", sender))
        if not value and not env.get(name, "").strip()
    )
    if not dry_run:
        for name in missing:
            what = "the SMTP server to send through" if "HOST" in name else "the sender"
            problems.add(f"{name} is not set: {what}")
    problems.raise_if_any()
    defaults = Retry()
    return SmtpSettings(
        host=host,
        port=int(port) if port is not None else _DEFAULT_PORTS[security],
        security=security,
        sender=sender or DRY_RUN_SENDER,
        user=user,
        password=password,
        cafile=cafile,
        max_bytes=max_bytes,
        timeout=timeout or 60.0,
        retry=Retry(
            attempts=int(attempts) if attempts is not None else defaults.attempts,
            delay=delay if delay is not None else defaults.delay,
        ),
        missing=missing,
    )
