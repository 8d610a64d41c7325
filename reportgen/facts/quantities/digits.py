"""Numbers written with digits: separators, signs, currencies, scales, percentages,
ordinal and multiplier suffixes, and ranges of two of them.

Any run of letters and digits that starts with a digit and is not one of those shapes
("5G", "10km") is returned as unread, so the caller can fail closed on it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Literal

from reportgen.facts.quantities.currency import currencies_of, lexicon
from reportgen.facts.quantities.lexicon import (
    SCALE_ABBREVIATIONS,
    SCALES,
    SINGLE_LETTER_SCALES,
)
from reportgen.facts.quantities.model import Quantity, QuantityKind, Unread, precision_before

#: Thousands separators: comma, no-break, narrow no-break and thin space, Arabic and
#: full-width comma. Decimal marks: point, Arabic and full-width point.
_GROUP = ",\u00a0\u202f\u2009\u066c\uff0c"
_POINT = ".\u066b\uff0e"
NUM = rf"\d{{1,3}}(?:[{_GROUP}]\d{{3}})+(?:[{_POINT}]\d+)?|\d+(?:[{_POINT}]\d+)?"
_LETTER_NEXT = r"(?![^\W\d_])"
_SCALE_WORDS = "|".join(sorted([*SCALES, *SCALE_ABBREVIATIONS], key=len, reverse=True))
_PERCENT = r"%|\uff05|percentage\s+points?|per\s?cent|pct|pc|ppts?|pp|basis\s+points?|bps"
_SQUARE = re.compile(r"\s*(?:square\s+(?:met(?:er|re)s?|kilomet(?:er|re)s?)|sq\.?\s*m\b|m²)", re.I)
_TIMES = re.compile(r"\s+times\b", re.I)


@cache
def _pattern() -> re.Pattern[str]:
    table = lexicon()
    return re.compile(
        r"(?<![\w.,%)])"
        r"(?P<sign>[-\u2212](?=\S))?"
        r"(?:(?:(?P<cur>" + table.sign_re + r")|(?P<code>(?<![^\W\d_])(?:" + table.code_re + r"))"
        r"(?=\s?\d))\s?)?"
        r"(?P<num>" + NUM + r")"
        r"(?P<vulgar>[\u00bc-\u00be\u2150-\u215e])?"
        r"(?:(?:(?P<ord>st|nd|rd|th)|(?P<decade>s)|(?P<mult>x|×|-?fold)|(?P<sq>k?m²))"
        + _LETTER_NEXT
        + r")?"
        r"(?:(?P<sp>\s?)(?P<scale>(?i:" + _SCALE_WORDS + r"))" + _LETTER_NEXT + r")?"
        r"(?:\s?(?P<pct>(?i:" + _PERCENT + r"))" + _LETTER_NEXT + r")?"
        r"(?:(?:\s?-?\s?)(?P<after>(?i:"
        + table.name_re
        + r")|"
        + table.code_re
        + r")"
        + _LETTER_NEXT
        + r")?"
    )


@dataclass
class Token:
    """One number in digits, before ranges are merged."""

    start: int
    end: int
    number: Decimal
    scale: int | None = None
    currencies: frozenset[str] = field(default_factory=frozenset)
    percent: str | None = None
    #: What the number is, or "unread" for digits no reading covers.
    kind: QuantityKind | Literal["unread"] = "quantity"
    hint: str | None = None

    @property
    def value(self) -> Decimal:
        return self.number * (self.scale or 1)


def to_decimal(raw: str) -> Decimal:
    """Digits in any script, with any separator the reader knows, as a Decimal."""
    out = []
    for char in raw:
        if char in _GROUP:
            continue
        out.append("." if char in _POINT else str(unicodedata.digit(char)))
    return Decimal("".join(out))


def _token(match: re.Match[str]) -> Token:
    number = to_decimal(match.group("num"))
    if match.group("vulgar"):
        number += Decimal(str(unicodedata.numeric(match.group("vulgar"))))
    token = Token(match.start(), match.end(), -number if match.group("sign") else number)
    currency = match.group("cur") or match.group("code")
    if currency:
        token.currencies = currencies_of(currency)
    if match.group("after"):
        token.currencies = token.currencies or currencies_of(match.group("after"))
    if scale := match.group("scale"):
        spaced_letter = scale.lower() in SINGLE_LETTER_SCALES and match.group("sp")
        if spaced_letter and not currency:
            token.end = match.start("sp")  # "5 m" alone is five metres, not five million
            token.currencies = frozenset()
            return token
        token.scale = SCALES.get(scale.lower()) or SCALE_ABBREVIATIONS[scale.lower()]
    if match.group("pct"):
        token.percent = match.group("pct").lower()
    if match.group("ord"):
        token.kind = "ordinal"
    elif match.group("mult"):
        token.kind = "multiplier"
    elif match.group("decade"):
        token.kind = "date" if len(match.group("num")) == 4 else "unread"
    elif match.group("sq"):
        token.hint = "m2"
    raw = match.group("num")
    if (
        token.kind == "quantity"
        and token.scale is None
        and not token.currencies
        and not token.percent
        and re.fullmatch(r"\d{4}", raw)
        and 1800 <= int(raw) <= 2200
    ):
        token.kind = "date"
    return token


def _hint(token: Token, text: str) -> str | None:
    if token.percent:
        last = token.percent.split()[-1]
        if last.startswith("b"):
            return "basis_points"
        return "percentage_points" if re.match(r"p(?:oin|p|t)", last) else "percent"
    if token.hint:
        return token.hint
    if token.currencies:
        return next(iter(token.currencies)) if len(token.currencies) == 1 else "currency"
    if token.kind == "multiplier" or _TIMES.match(text, token.end):
        return "multiple"
    if _SQUARE.match(text, token.end):
        return "m2"
    return None


def read_digit_tokens(text: str) -> tuple[list[Token], list[Unread]]:
    tokens: list[Token] = []
    unread: list[Unread] = []
    for match in _pattern().finditer(text):
        token = _token(match)
        glued = re.match(r"[^\W_]*", text[token.end :])
        if token.kind == "unread" or (glued and glued.end()):
            end = token.end + (glued.end() if glued else 0)
            unread.append(Unread(token.start, end, text[token.start : end]))
            continue
        token.hint = _hint(token, text)
        tokens.append(token)
    return tokens, unread


_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
_FROM = re.compile(r"\bfrom\s+$", re.I)
_AND = re.compile(r"\s+and\s+$", re.I)
_DASH = re.compile(r"^(?:\s?[-\u2013\u2014]\s?|\s+to\s+)$", re.I)
_TO = re.compile(r"^\s+to\s+$", re.I)


def _share(first: Token, second: Token) -> None:
    """'2.1 to 2.7 billion', '$5-6m', '3-5%': a scale or percent sign written once, at
    the end, holds for both ends; a currency written at either end holds for both."""
    if first.scale is None and first.percent is None:
        first.scale, first.percent = second.scale, second.percent
        first.hint = first.hint or second.hint
    first.currencies = first.currencies or second.currencies
    second.currencies = second.currencies or first.currencies
    second.hint = second.hint or first.hint


def _bare(token: Token) -> bool:
    return token.scale is None and token.percent is None and not token.currencies


def merge_ranges(text: str, tokens: list[Token]) -> list[Quantity]:
    """Tokens as quantities, with "between A and B", "A-B" and "A to B" as one range."""
    out: list[Quantity] = []
    index = 0
    while index < len(tokens):
        first = tokens[index]
        second = tokens[index + 1] if index + 1 < len(tokens) else None
        if second is not None and first.kind == second.kind == "quantity":
            gap = text[first.end : second.start]
            before = text[max(0, first.start - 12) : first.start]
            is_between = bool(_BETWEEN.search(before)) and bool(_AND.search(gap + " "))
            is_from = bool(_FROM.search(before)) and bool(_TO.match(gap))
            # "A to B" is a range only with a bare A ("2.1 to 2.7 billion"): "up 1.2
            # points to 8.8%" is a change and a level.
            is_dash = bool(_DASH.match(gap)) and (not _TO.match(gap) or _bare(first))
            if is_between or is_from or is_dash:
                _share(first, second)
            if is_from:
                pass  # "from 3.8bn to 2.1bn": a change, two values
            elif (is_between or is_dash) and first.value < second.value:
                out.append(
                    Quantity(
                        first.start,
                        second.end,
                        text[first.start : second.end],
                        None,
                        "range",
                        second.hint,
                        precision_before(text, first.start),
                        second.currencies,
                        first.value,
                        second.value,
                    )
                )
                index += 2
                continue
        out.append(_quantity(text, first))
        index += 1
    return out


def _quantity(text: str, token: Token) -> Quantity:
    assert token.kind != "unread", "unread digits are no quantity"
    return Quantity(
        token.start,
        token.end,
        text[token.start : token.end],
        token.value,
        token.kind,
        token.hint if token.kind != "date" else None,
        precision_before(text, token.start) if token.kind != "date" else None,
        token.currencies,
    )
