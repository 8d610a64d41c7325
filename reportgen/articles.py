"""Reading a source article, and what its text suggests about it.

An article is UTF-8 plain text of bounded size; anything else (another encoding, a
binary file) is refused with the line and column where it stops being text. The first
line is taken for the headline, and the first date the text states is offered as the
publication date: only as a suggestion, since a date in an article may be an event's.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import Location, ReportError
from reportgen.facts.model import MAX_SOURCE_BYTES
from reportgen.periods import MONTHS
from reportgen.readfile import read_regular
from reportgen.text import line_col

#: Line breaks and tabs are text; any other control character means a binary file.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f")


@dataclass(frozen=True)
class DateSuggestion:
    date: str
    precision: str
    line: int
    said: str


def read_article(path: Path, limit: int = MAX_SOURCE_BYTES) -> tuple[bytes, str]:
    """The article's bytes and text; a ReportError unless it is UTF-8 text of at most
    ``limit`` bytes."""
    shown = str(path)
    data = read_regular(
        path,
        shown,
        limit,
        cannot="cannot read the article",
        irregular="not a regular file: an article is a text file",
        too_large=lambda _: (
            f"larger than {limit:,} bytes, the most a source may be (max_source_bytes in "
            "seeds/report.yaml): is this a news article's text?"
        ),
    )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line, col = line_col(before, len(before))
        raise ReportError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the article as UTF-8 "
            "plain text and add it again",
            Location(shown, line, col),
        ) from None
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            line, col = line_col(text, index)
            raise ReportError(
                f"control character U+{ord(char):04X}: this looks like a binary file, "
                "not an article's plain text",
                Location(shown, line, col),
            )
    if not text.strip():
        raise ReportError("empty: an article needs text to quote", Location(shown))
    return data, text


def first_line(text: str) -> str:
    """The article's first non-blank line, which news texts use for the headline."""
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            return " ".join(line.split())[:300]
    return ""


_MONTHS = [m.lower() for m in MONTHS]
#: "Sep", "Sept", "Sept." and "September" alike.
_MONTH = (
    r"(?P<month>"
    + "|".join(m[:3] + f"(?:{m[3:]}{'|t' if m == 'september' else ''})?" for m in _MONTHS)
    + r")\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})\b"
_DATE_PATTERNS = (
    ("day", re.compile(r"\b(?P<year>\d{4})-(?P<mm>\d{2})-(?P<day>\d{2})\b")),
    ("day", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE)),
    ("day", re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}", re.IGNORECASE)),
    ("month", re.compile(rf"\b{_MONTH},?\s+{_YEAR}", re.IGNORECASE)),
)


def suggest_date(text: str) -> DateSuggestion | None:
    """The first full date the text states, else its first month and year.

    A dateline comes first in a news text; a date elsewhere may be an event's, which is
    why this is only offered as a suggestion."""
    for precision in ("day", "month"):
        found: list[tuple[int, DateSuggestion]] = []
        for kind, pattern in _DATE_PATTERNS:
            if kind != precision:
                continue
            for match in pattern.finditer(text):
                date = _as_date(match, precision)
                if date is not None:
                    line = text.count("\n", 0, match.start()) + 1
                    found.append((match.start(), DateSuggestion(date, precision, line, match[0])))
        if found:
            return min(found, key=lambda item: item[0])[1]
    return None


def _as_date(match: re.Match[str], precision: str) -> str | None:
    parts = match.groupdict()
    year = int(parts["year"])
    name = (parts.get("month") or "").lower()
    month = int(parts["mm"]) if parts.get("mm") else _month_number(name)
    day = int(parts["day"]) if precision == "day" else 1
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    if not 1900 <= year <= 2200:
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if precision == "day" else "")


def _month_number(name: str) -> int:
    return next((n for n, m in enumerate(_MONTHS, 1) if name and m.startswith(name[:3])), 0)
