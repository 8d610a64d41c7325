"""SMTP settings, read from the environment only (never from files in the project).

The variables are declared once, in :class:`SmtpEnvironment` (pydantic-settings).
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
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, ValidationInfo
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUseDefault
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

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


# -- each variable on its own ----------------------------------------------------------------
# These checks run as pydantic validators but write the whole message themselves, variable
# name first, and _variables reports it as it is: pydantic's own text has another wording
# and would quote the value, which may be a secret.


def _variable(info: ValidationInfo) -> str:
    """The environment variable the field being validated is read from."""
    assert info.field_name is not None
    return str(SmtpEnvironment.model_fields[info.field_name].validation_alias)


def _text(raw: object) -> str:
    """The value without surrounding white space; a blank one counts as not set."""
    text = str(raw).strip()
    if not text:
        raise PydanticUseDefault
    return text


def _decimal(low: float, high: float, unit: str = "", *, whole: bool = False) -> BeforeValidator:
    """A plain decimal within [low, high]: pydantic's own parsing would take 'inf' or '1e400'."""
    kind = "a whole number" if whole else "a number"
    wanted = f"{kind}{f' of {unit}' if unit else ''} from {low:g} to {high:g}"

    def check(raw: object, info: ValidationInfo) -> float:
        text = _text(raw)
        if not (_WHOLE if whole else _DECIMAL).fullmatch(text) or not low <= float(text) <= high:
            raise ValueError(f"{_variable(info)} must be {wanted}, not {_shown(text)}")
        return int(text) if whole else float(text)

    return BeforeValidator(check)


def _security(raw: object, info: ValidationInfo) -> str:
    value = _text(raw).lower()
    if value not in _DEFAULT_PORTS:
        raise ValueError(f"{_variable(info)} must be starttls, ssl or none, not {_shown(value)}")
    return value


def _host(raw: object, info: ValidationInfo) -> str:
    host = _text(raw)
    problem = host_problem(host)
    if problem:
        raise ValueError(f"{_variable(info)} {problem}")
    return host


def _cafile(raw: object, info: ValidationInfo) -> Path:
    """The CA file, if it is a readable regular file holding at least one PEM certificate."""
    text = _text(raw)
    where = f"{_variable(info)}: {_shown(text)}"
    path = Path(text)
    try:
        details = path.stat()  # follows symlinks: /etc/ssl links its bundles
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "bad path"
        raise ValueError(f"{_variable(info)}: cannot use {_shown(text)}: {reason}") from None
    if not stat.S_ISREG(details.st_mode):
        raise ValueError(f"{where} is not a regular file")
    if details.st_size > MAX_CAFILE_BYTES:
        raise ValueError(f"{where} is too large for a CA file")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        raise ValueError(
            f"{where} holds no PEM certificate "
            "(give the CA certificate, -----BEGIN CERTIFICATE-----)"
        ) from None
    return path


def _sender(raw: object, info: ValidationInfo) -> Recipient:
    _text(raw)  # a blank sender counts as not set
    # As written, not stripped: a trailing line break is refused, not trimmed away.
    return parse_recipient(str(raw), _variable(info))


# -- reading them ---------------------------------------------------------------------------

#: The mapping read_settings reads; pydantic-settings builds its sources in a classmethod,
#: so this is how one call passes its own mapping (tests pass dicts) to it.
_ENVIRON: ContextVar[Mapping[str, str]] = ContextVar("_ENVIRON")


class _Environment(EnvSettingsSource):
    """The environment variables from a given mapping, each one plain value (never JSON)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        # EnvSettingsSource looks every variable up in env_vars, filled from os.environ.
        self.env_vars = {
            name: value for name, value in environ.items() if value or not self.env_ignore_empty
        }

    def prepare_field_value(
        self, field_name: str, field: FieldInfo, value: Any, value_is_complex: bool
    ) -> Any:
        # A sender such as "Briefings <a@b.org>" would otherwise be parsed as JSON.
        return value


class SmtpEnvironment(BaseSettings):
    """The REPORTGEN_SMTP_* and REPORTGEN_MAIL_* variables, each checked on its own.

    The rules across variables, and which ones a send needs, are in read_settings."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_ignore_empty=True,
        # The defaults below are final values, not text to check.
        validate_default=False,
        frozen=True,
        use_attribute_docstrings=True,
    )

    security: Annotated[Security, BeforeValidator(_security)] = Field(
        "starttls", alias="REPORTGEN_SMTP_SECURITY"
    )
    """starttls, ssl (TLS from the first byte), or none for a server on this machine only."""
    host: Annotated[str | None, BeforeValidator(_host)] = Field(None, alias="REPORTGEN_SMTP_HOST")
    """The SMTP server, a host name or an IP address. A send needs it."""
    port: Annotated[int | None, _decimal(1, 65535, whole=True)] = Field(
        None, alias="REPORTGEN_SMTP_PORT"
    )
    """The server's port; by default 587, 465 or 25 for starttls, ssl or none."""
    user: str | None = Field(None, alias="REPORTGEN_SMTP_USER")
    """The login name; set it with REPORTGEN_SMTP_PASSWORD, or neither."""
    password: SecretStr | None = Field(None, alias="REPORTGEN_SMTP_PASSWORD")
    """The login password: never sent unencrypted, never shown in a message."""
    cafile: Annotated[Path | None, BeforeValidator(_cafile)] = Field(
        None, alias="REPORTGEN_SMTP_CAFILE"
    )
    """A PEM file of the private CA to trust for the server instead of the system's CAs."""
    sender: Annotated[Recipient | None, BeforeValidator(_sender)] = Field(
        None, alias="REPORTGEN_MAIL_FROM"
    )
    """The sender, 'address' or 'Name <address>'. A send needs it; a dry run does not."""
    max_mb: Annotated[float, _decimal(0.01, 1024, "megabytes")] = Field(
        10.0, alias="REPORTGEN_MAIL_MAX_MB"
    )
    """The largest message to send, in megabytes."""
    timeout: Annotated[float, _decimal(1, 600, "seconds")] = Field(
        60.0, alias="REPORTGEN_SMTP_TIMEOUT"
    )
    """Seconds for connecting and for each reply of the server."""
    attempts: Annotated[int, _decimal(1, 20, "attempts", whole=True)] = Field(
        Retry.attempts, alias="REPORTGEN_SMTP_ATTEMPTS"
    )
    """Attempts at a delivery that fails for a temporary reason."""
    retry_delay: Annotated[float, _decimal(0.01, 300, "seconds")] = Field(
        Retry.delay, alias="REPORTGEN_SMTP_RETRY_DELAY"
    )
    """Seconds before the second attempt, doubled before each further one."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment only: no .env file, no secrets directory, no keyword arguments.
        return (_Environment(settings_cls, _ENVIRON.get(os.environ)),)


def _read(environ: Mapping[str, str]) -> SmtpEnvironment:
    token = _ENVIRON.set(environ)
    try:
        return SmtpEnvironment()
    finally:
        _ENVIRON.reset(token)


def _variables(env: Mapping[str, str], problems: Problems) -> tuple[SmtpEnvironment, set[str]]:
    """The variables, and the names of those that failed their own check (each a problem).

    pydantic stops before the rules across variables when one fails, yet all problems are
    reported at once: so the rest are read again, the failed ones counting as not set."""
    try:
        return _read(env), set()
    except ValidationError as exc:
        failed = set()
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0])
            cause = error.get("ctx", {}).get("error")
            problems.add(str(cause) if cause else f"{name}: {error['msg']}")
            failed.add(name)
    # Cannot fail again: each check looks at its own variable only.
    return _read({name: value for name, value in env.items() if name not in failed}), failed


def _across(variables: SmtpEnvironment, problems: Problems) -> None:
    """The rules that concern more than one variable."""
    if (variables.user is None) != (variables.password is None):
        problems.add("set both REPORTGEN_SMTP_USER and REPORTGEN_SMTP_PASSWORD, or neither")
    if variables.security != "none":
        return
    if variables.password is not None:
        problems.add(
            "refusing to send the SMTP password unencrypted (REPORTGEN_SMTP_SECURITY=none)"
        )
    if variables.host and not _is_loopback(variables.host):
        problems.add(
            "REPORTGEN_SMTP_SECURITY=none is allowed only for a server on this machine "
            f"(localhost, 127.0.0.1, ::1), not {variables.host}"
        )


def read_settings(env: Mapping[str, str] | None = None, *, dry_run: bool = False) -> SmtpSettings:
    """The SMTP settings from ``env`` (default ``os.environ``); all problems at once.

    A dry run checks every variable that is set exactly as a send would, and lists the
    required ones that are not set in ``missing`` instead of refusing.
    """
    problems = Problems()
    variables, failed = _variables(os.environ if env is None else env, problems)
    _across(variables, problems)
    required = {"REPORTGEN_SMTP_HOST": variables.host, "REPORTGEN_MAIL_FROM": variables.sender}
    missing = tuple(
        name for name, value in required.items() if value is None and name not in failed
    )
    if not dry_run:
        for name in missing:
            what = "the SMTP server to send through" if "HOST" in name else "the sender"
            problems.add(f"{name} is not set: {what}")
    problems.raise_if_any()
    password = variables.password
    return SmtpSettings(
        host=variables.host or "",
        port=variables.port or _DEFAULT_PORTS[variables.security],
        security=variables.security,
        sender=variables.sender or DRY_RUN_SENDER,
        user=variables.user,
        password=password.get_secret_value() if password is not None else None,
        cafile=variables.cafile,
        max_bytes=int(variables.max_mb * 1024 * 1024),
        timeout=variables.timeout,
        retry=Retry(attempts=variables.attempts, delay=variables.retry_delay),
        missing=missing,
    )
