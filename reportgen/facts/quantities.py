"""Finding the numbers a piece of English text states.

Used twice: to check that a fact's value is stated in its quote, and to find every
numeric statement in a source so that none escapes the store.

Written by hand after measuring the maintained parsers on the seeds (41 fact values):
text2num's ``alpha2digit`` plus a digit regex finds 28 (it misses "a trillion-yuan" and
reads "hundreds" as exactly 100); quantulum3 finds all of them but takes 3.1 s for the
two articles (this module: 3.5 ms) and reports neither the qualifier in front of a
number ("nearly", "more than") nor which numbers are years. The seeds need digits with
separators and decimals, scale words, number words, percentages, currency signs and
those qualifiers, which fit in this module with exact Decimal arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
#: Vague amounts: a numeric statement, but no value a fact could match.
_VAGUE = {"hundreds", "thousands", "millions", "billions", "dozens", "dozen"}

#: Words before a number that qualify it, mapped to a fact's ``precision``.
PRECISION_WORDS = {
    "about": "about",
    "around": "about",
    "approximately": "about",
    "roughly": "about",
    "some": "about",
    "nearly": "nearly",
    "almost": "nearly",
    "close to": "nearly",
    "more than": "more_than",
    "exceeding": "more_than",
    "surpassing": "more_than",
    "over": "over",
    "above": "over",
    "at least": "at_least",
}

_SCALE_ALT = "|".join(_SCALES)
_DIGITS = re.compile(
    # A minus sign counts only where it cannot be a hyphen: "-5%" or "−1.7 billion",
    # not the "20" of "10-20" (the lookbehind refuses a sign glued to a word).
    r"(?<![\w.,])(?P<sign>[-\u2212](?=[$¥€£\d]))?(?P<cur>[$¥€£])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![\w])(?!\.\d)(?:(?P<pct>\s?%)|[\s-](?P<scale>" + _SCALE_ALT + r")\b)?"
)
_WORD = r"(?:" + "|".join([*_UNITS_WORDS, *_TENS_WORDS, "hundred", *_SCALES, "a"]) + r")"
_WORDS = re.compile(
    r"(?<![\w-])(?P<words>" + _WORD + r"(?:[\s-]+(?:and\s+)?" + _WORD + r")*)(?![\w])",
    re.IGNORECASE,
)
_VAGUE_RE = re.compile(r"\b(?P<w>" + "|".join(_VAGUE) + r")\b", re.IGNORECASE)
_ORDINAL_RE = re.compile(r"\b(?P<w>" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_PRONOUN_BEFORE = re.compile(
    r"\b(?:the|this|that|each|every|" + "|".join(_ORDINALS) + r")\s+$", re.IGNORECASE
)
_MONTH_DAY = re.compile(r"\b(?:" + _MONTHS + r")\s+\d{1,2}(?!\d)(?!,\d)")


@dataclass(frozen=True)
class Quantity:
    """A number stated in text; ``start``/``end`` index the text it was found in."""

    start: int
    end: int
    text: str
    #: None for vague amounts ("hundreds").
    value: Decimal | None
    #: "quantity", "date" (a year, or a month and day), "vague" or "ordinal".
    kind: str
    #: What the text says the number measures, where a sign or word makes it clear.
    unit_hint: str | None = None
    #: The qualifier in front of it ("about", "more than"), as a fact ``precision``.
    precision: str | None = None


def _word_value(words: str) -> Decimal | None:
    """'two million' -> 2000000, 'a trillion' -> 10**12; None if not a cardinal."""
    total, current, seen_number = 0, 0, False
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "and"]
    for index, token in enumerate(tokens):
        if token == "a":
            if index + 1 >= len(tokens) or tokens[index + 1] not in (*_SCALES, "hundred"):
                return None
            current, seen_number = 1, True
        elif token in _UNITS_WORDS:
            current += _UNITS_WORDS[token]
            seen_number = True
        elif token in _TENS_WORDS:
            current += _TENS_WORDS[token]
            seen_number = True
        elif token == "hundred":
            current = max(current, 1) * 100
            seen_number = True
        elif token in _SCALES:
            total += max(current, 1) * _SCALES[token]
            current, seen_number = 0, True
    return Decimal(total + current) if seen_number else None


def _unit_after(text: str, end: int) -> str | None:
    after = text[end : end + 20].lower()
    if re.match(r"\s*(?:-|\s)?yuan", after):
        return "CNY"
    if re.match(r"\s*square\s+met(?:er|re)s?", after):
        return "m2"
    return None


def _precision_before(text: str, start: int) -> str | None:
    before = text[max(0, start - 24) : start].lower().rstrip()
    for phrase, precision in PRECISION_WORDS.items():
        if re.search(r"\b" + phrase + r"$", before):
            return precision
    return None


def find_quantities(text: str, *, ordinals: bool = False) -> list[Quantity]:
    """Every numeric statement in ``text``, in order. Digits glued to letters (AITO M5)
    are names, not numbers. With ``ordinals``, "second-highest" counts as 2."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _MONTH_DAY.finditer(text):
        found.append(Quantity(match.start(), match.end(), match.group(0), None, "date"))
        taken.append(match.span())
    for match in _DIGITS.finditer(text):
        if not free(*match.span()):
            continue
        raw = match.group("num")
        value = Decimal(raw.replace(",", ""))
        if match.group("sign"):
            value = -value
        scale, currency = match.group("scale"), match.group("cur")
        if scale:
            value *= _SCALES[scale.lower()]
        unit = "percent" if match.group("pct") else None
        if currency:
            unit = {"$": "USD", "¥": "CNY", "€": "EUR", "£": "GBP"}[currency]
        unit = unit or _unit_after(text, match.end())
        is_year = (
            not scale
            and unit is None
            and "," not in raw
            and "." not in raw
            and len(raw) == 4
            and 1900 <= int(raw) <= 2100
        )
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(0),
                value,
                "date" if is_year else "quantity",
                unit,
                _precision_before(text, match.start()),
            )
        )
        taken.append(match.span())
    for match in _WORDS.finditer(text):
        word_value = _word_value(match.group("words"))
        if word_value is None or not free(*match.span()):
            continue
        if match.group("words").lower() == "one" and _PRONOUN_BEFORE.search(text[: match.start()]):
            continue  # "the second one is": a pronoun, not a count
        found.append(
            Quantity(
                match.start(),
                match.end(),
                match.group(0),
                word_value,
                "quantity",
                _unit_after(text, match.end()),
                _precision_before(text, match.start()),
            )
        )
        taken.append(match.span())
    for match in _VAGUE_RE.finditer(text):
        if free(*match.span()):
            found.append(Quantity(match.start(), match.end(), match.group(0), None, "vague"))
    if ordinals:
        for match in _ORDINAL_RE.finditer(text):
            value = Decimal(_ORDINALS[match.group("w").lower()])
            found.append(Quantity(match.start(), match.end(), match.group(0), value, "ordinal"))
    return sorted(found, key=lambda q: q.start)


def same_value(stated: Decimal, value: float) -> bool:
    """Whether a fact's value is what the text states (exactly, in decimal)."""
    return stated == Decimal(repr(float(value))) or stated == Decimal(str(value))
