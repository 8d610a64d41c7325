"""Keeping SMTP credentials out of every text reportgen writes or prints.

A password does not only travel as itself. AUTH PLAIN sends base64 of
``authzid NUL user NUL password``, AUTH LOGIN sends base64 of the user and of the
password, and a server may echo either in an error reply; a proxy or a log may
show it URL-encoded, quoted-printable, JSON- or repr-escaped. Every such form is
replaced by ``***``, and so is any base64 run that decodes to text holding the
password, whatever encodes it around it.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import quopri
import re
from urllib.parse import quote, quote_plus

MASK = "***"
#: Shorter base64 fragments would match ordinary words: those are caught by decoding.
_MIN_FRAGMENT = 6
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def _escaped_forms(secret: str) -> set[str]:
    raw = secret.encode()
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        quopri.encodestring(raw, quotetabs=True).decode("ascii").replace("=\n", ""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
        html.escape(secret),
    }


def _base64_forms(blob: bytes) -> set[str]:
    """``blob`` in base64 as a whole, and the part of its encoding that does not
    depend on its neighbours at each of the three byte alignments."""
    forms = {base64.b64encode(blob).decode("ascii")}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + blob).decode("ascii")
        first = -(-8 * shift // 6)  # the first character made only of blob's bits
        last = 8 * (shift + len(blob)) // 6
        fragment = encoded[first:last]
        if len(fragment) >= _MIN_FRAGMENT:
            forms.add(fragment)
    return forms


class Redactor:
    """Callable that masks the credentials in a text."""

    def __init__(self, user: str | None, password: str | None) -> None:
        self._password = password.encode() if password else b""
        forms: set[str] = set()
        if password:
            forms |= _escaped_forms(password)
            blobs = [password.encode()]
            if user:
                blobs += [
                    f"\0{user}\0{password}".encode(),
                    f"{user}\0{user}\0{password}".encode(),
                    user.encode(),  # AUTH LOGIN's first answer
                ]
            for blob in blobs:
                forms |= _base64_forms(blob)
        forms.discard("")
        self._pattern = (
            re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
            if forms
            else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        text = self._pattern.sub(MASK, text)
        return _BASE64_RUN.sub(self._mask_encoded, text)

    def _mask_encoded(self, match: re.Match[str]) -> str:
        run = match.group()
        for start in range(4):
            chunk = run[start:].rstrip("=")
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            try:
                decoded = base64.b64decode(chunk, validate=True)
            except (binascii.Error, ValueError):
                continue
            if self._password in decoded:
                return MASK
        return run
