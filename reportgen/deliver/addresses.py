"""Recipient, sender and subject validation, done before anything connects.

The rules are stricter than RFC 5322 on purpose. Everything that ends up in a
header is checked here, because the ``email`` package of the Python this runs on
(3.11.7) is affected by CVE-2024-6923: when it folds a long header it can turn an
RFC 2047 encoded-word such as ``=?utf-8?q?=0A?=`` into a real line break, i.e.
an attacker-controlled header. So we refuse:

- control characters (CR, LF, NUL, tab, ...) anywhere;
- ``=?`` anywhere, which is how an encoded-word starts;
- more than one address in one argument (commas, semicolons, a second ``<``),
  so that one ``--to`` never becomes several recipients;
- non-ASCII addresses (SMTPUTF8 is not negotiated). Display names may be Unicode:
  the ``email`` package encodes those itself.
"""

from __future__ import annotations

import email.errors
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from reportgen.deliver.files import read_regular
from reportgen.errors import Location, Problems, ReportError

#: RFC 5322 dot-atom text for the local part ("atext" with dots between atoms).
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
#: A host name of LDH labels; a single label ("localhost") is allowed for local relays.
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
#: "Display Name <local@domain>".
_NAMED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>$")
# C0 and C1 controls, line and paragraph separators, BOM and lone surrogates (argv's
# surrogateescape): none has a place in a header, and several re-fold differently.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
#: Characters that would need quoting in a display name; refusing them keeps one
#: argument one address and spares us quoted-string parsing.
_NAME_SPECIALS = set('",;:<>@[]\\()')

MAX_SUBJECT = 200
#: Some 25,000 addresses: more than one briefing should go to.
MAX_RECIPIENT_FILE = 1024 * 1024


@dataclass(frozen=True)
class Recipient:
    """One validated address, with an optional display name."""

    address: str
    name: str = ""

    @property
    def key(self) -> str:
        """The address as compared for duplicates (domains are case-insensitive)."""
        local, _, domain = self.address.rpartition("@")
        return f"{local}@{domain.lower()}"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


def _describe(text: str) -> str:
    """The offending text for an error message, with control characters made visible."""
    shown = text if len(text) <= 80 else text[:77] + "..."
    return ascii(shown) if _CONTROL.search(shown) or not shown.isascii() else f"'{shown}'"


def header_problem(text: str, what: str) -> str | None:
    """Why ``text`` may not go into a header, or None."""
    if _CONTROL.search(text):
        return f"{what} contains a line break or control character: {_describe(text)}"
    if "=?" in text:
        return f"{what} contains '=?' (an RFC 2047 encoded-word): {_describe(text)}"
    return None


def address_problem(address: str) -> str | None:
    """Why ``address`` (a bare local@domain) is not one we send to, or None."""
    if not address.isascii():
        return f"address {_describe(address)} is not ASCII (only ASCII addresses are supported)"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return f"{_describe(address)} is not an email address (expected name@domain)"
    if len(address) > 254 or len(local) > 64:
        return f"address {_describe(address)} is too long"
    if not _LOCAL.match(local):
        return f"address {_describe(address)} has characters not allowed before the '@'"
    labels = domain.split(".")
    if len(domain) > 253 or not all(_LABEL.match(label) for label in labels):
        return f"address {_describe(address)} has an invalid domain '{domain}'"
    return None


def parse_recipient(text: str, what: str = "address") -> Recipient:
    """One address, ``local@domain`` or ``Name <local@domain>``; ValueError says why not."""
    problem = header_problem(text, what)
    if problem:
        raise ValueError(problem)
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"{what} is empty")
    if "," in stripped or ";" in stripped or stripped.count("<") > 1:
        raise ValueError(
            f"{what} {_describe(stripped)} holds more than one address; "
            "give each recipient its own --to"
        )
    match = _NAMED.match(stripped)
    if match:
        # Runs of spaces (and no-break spaces) do not survive header folding unchanged.
        name, address = " ".join(match["name"].split()), match["addr"].strip()
        bad = sorted({c for c in name if c in _NAME_SPECIALS})
        if bad:
            raise ValueError(
                f"display name in {_describe(stripped)} contains {' '.join(bad)}; use plain words"
            )
    elif "<" in stripped or ">" in stripped:
        raise ValueError(f"{what} {_describe(stripped)} has unbalanced '<' '>'")
    else:
        name, address = "", stripped
    problem = address_problem(address)
    if problem:
        raise ValueError(problem)
    if name and not _name_round_trips(name, address):
        raise ValueError(
            f"display name in {_describe(stripped)} does not survive header encoding "
            "unchanged; give the address alone or a plainer name"
        )
    return Recipient(address=address, name=name)


def _name_round_trips(name: str, address: str) -> bool:
    """Whether a To header with this name reads back as written.

    Python's header folding mangles some long runs of non-ASCII text; refusing such a
    name here, before anything is built, beats refusing the finished message."""
    message = EmailMessage(policy=email.policy.SMTP)
    try:
        message["To"] = Address(display_name=name, addr_spec=address)
        raw = message.as_bytes()
    except (ValueError, TypeError, IndexError, email.errors.HeaderParseError):
        return False
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    found: tuple[Address, ...] = tuple(getattr(parsed["To"], "addresses", ()))
    return [(a.display_name, a.addr_spec) for a in found] == [(name, address)]


def read_recipient_file(path: Path, problems: Problems) -> list[tuple[str, Location]]:
    """The addresses in ``path``: one per line; blank lines and ``#`` comments skipped.

    Only a regular file of at most :data:`MAX_RECIPIENT_FILE` bytes is read: a FIFO or
    a device is refused before it is opened (it could block or never end).
    """
    try:
        # Bytes, not read_text: universal newlines would turn a lone CR into a line break.
        text = read_regular(path, MAX_RECIPIENT_FILE, "recipient file").decode("utf-8")
    except ReportError as exc:
        problems.extend(exc)
        return []
    except UnicodeDecodeError as exc:
        where = Location(str(path), exc.object[: exc.start].count(b"\n") + 1)
        problems.add("the recipient file is not UTF-8 text", where)
        return []
    entries: list[tuple[str, Location]] = []
    # split("\n") rather than splitlines(): a lone CR or U+2028 inside a line must be
    # seen (and refused) as part of that line, not quietly start a new one.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entries.append((line, Location(str(path), number)))
    return entries


def collect_recipients(
    entries: Iterable[tuple[str, Location | None]], problems: Problems
) -> tuple[Recipient, ...]:
    """Validated recipients, each address once, in the order given.

    Every bad entry is added to ``problems`` so that all are reported together.
    """
    seen: set[str] = set()
    found: list[Recipient] = []
    for text, where in entries:
        try:
            recipient = parse_recipient(text, "--to")
        except ValueError as exc:
            problems.add(str(exc), where)
            continue
        if recipient.key not in seen:
            seen.add(recipient.key)
            found.append(recipient)
    return tuple(found)


def check_subject(subject: str, problems: Problems) -> str:
    """The subject, or a problem if it could smuggle a header or is unreasonably long."""
    problem = header_problem(subject, "--subject")
    if problem:
        problems.add(problem)
    elif not subject.strip():
        problems.add("--subject is empty")
    elif len(subject) > MAX_SUBJECT:
        problems.add(f"--subject is {len(subject)} characters long; the limit is {MAX_SUBJECT}")
    return subject.strip()
