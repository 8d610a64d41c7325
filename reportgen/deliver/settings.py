"""SMTP settings, read from the environment only (never from files in the project).

Secrets stay out of every message this module produces: errors name the variable,
never its value.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reportgen.deliver.addresses import Recipient, parse_recipient
from reportgen.errors import Problems

Security = Literal["starttls", "ssl", "none"]
_DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to retry a delivery that failed for a temporary reason."""

    attempts: int = 4
    #: Seconds before the second attempt; doubled each time, capped at ``max_delay``.
    delay: float = 5.0
    max_delay: float = 120.0

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (1-based)."""
        if attempt <= 1:
            return 0.0
        return min(self.max_delay, self.delay * 2.0 ** (attempt - 2))


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

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be written anywhere."""
        return (self.password,) if self.password else ()

    def tls_context(self) -> ssl.SSLContext:
        """A verifying context: the system CAs, or the private CA in REPORTGEN_SMTP_CAFILE."""
        context = ssl.create_default_context(
            cafile=str(self.cafile) if self.cafile is not None else None
        )
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _number(env: Mapping[str, str], name: str, problems: Problems) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.add(f"{name} must be a number, not '{raw[:40]}'")
        return None
    if not value >= 0:  # also catches NaN
        problems.add(f"{name} must not be negative")
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
    megabytes = _number(env, "REPORTGEN_MAIL_MAX_MB", problems)
    if megabytes is not None and megabytes == 0:
        problems.add("REPORTGEN_MAIL_MAX_MB must be more than 0")
    return int((megabytes or 10) * 1024 * 1024)


def read_settings(env: Mapping[str, str] | None = None) -> SmtpSettings:
    """The SMTP settings from ``env`` (default ``os.environ``); all problems at once."""
    env = os.environ if env is None else env
    problems = Problems()
    host = env.get("REPORTGEN_SMTP_HOST", "").strip()
    if not host:
        problems.add("REPORTGEN_SMTP_HOST is not set: the SMTP server to send through")
    elif any(c.isspace() for c in host) or "/" in host:
        problems.add(f"REPORTGEN_SMTP_HOST is not a host name: '{host[:60]}'")
    security = env.get("REPORTGEN_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
    if security not in _DEFAULT_PORTS:
        problems.add(
            f"REPORTGEN_SMTP_SECURITY must be starttls, ssl or none, not '{security[:20]}'"
        )
        security = "starttls"
    if security == "none" and host and not _is_loopback(host):
        problems.add(
            "REPORTGEN_SMTP_SECURITY=none is allowed only for a server on this machine "
            f"(localhost, 127.0.0.1, ::1), not {host}"
        )
    port_value = env.get("REPORTGEN_SMTP_PORT", "").strip()
    port = _DEFAULT_PORTS[security]  # type: ignore[index]
    if port_value:
        if not port_value.isdigit() or not 0 < int(port_value) < 65536:
            problems.add(f"REPORTGEN_SMTP_PORT must be a port number, not '{port_value[:20]}'")
        else:
            port = int(port_value)
    user = env.get("REPORTGEN_SMTP_USER") or None
    password = env.get("REPORTGEN_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        problems.add("set both REPORTGEN_SMTP_USER and REPORTGEN_SMTP_PASSWORD, or neither")
    if password is not None and security == "none":
        problems.add(
            "refusing to send the SMTP password unencrypted (REPORTGEN_SMTP_SECURITY=none)"
        )
    cafile_value = env.get("REPORTGEN_SMTP_CAFILE", "").strip()
    cafile = Path(cafile_value) if cafile_value else None
    if cafile is not None and not cafile.is_file():
        problems.add(f"REPORTGEN_SMTP_CAFILE: no such file: {cafile}")
    sender = mail_from(env, problems)
    if sender is None and not env.get("REPORTGEN_MAIL_FROM", "").strip():
        problems.add("REPORTGEN_MAIL_FROM is not set: the address the briefing is sent from")
    max_bytes = max_message_bytes(env, problems)
    timeout = _number(env, "REPORTGEN_SMTP_TIMEOUT", problems)
    attempts = _number(env, "REPORTGEN_SMTP_ATTEMPTS", problems)
    delay = _number(env, "REPORTGEN_SMTP_RETRY_DELAY", problems)
    problems.raise_if_any()
    assert sender is not None
    defaults = Retry()
    return SmtpSettings(
        host=host,
        port=port,
        security=security,  # type: ignore[arg-type]
        sender=sender,
        user=user,
        password=password,
        cafile=cafile,
        max_bytes=max_bytes,
        timeout=timeout or 60.0,
        retry=Retry(
            attempts=max(1, int(attempts)) if attempts is not None else defaults.attempts,
            delay=delay if delay is not None else defaults.delay,
        ),
    )
