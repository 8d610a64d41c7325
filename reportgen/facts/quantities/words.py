"""Numbers written in words: cardinals ("twenty-five", "a trillion"), fractions ("a
third", "two-thirds", "½"), multipliers ("doubled", "threefold"), ordinals
("second-highest") and periods ("first half", "third quarter")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from functools import cache

from reportgen.facts.quantities.currency import currencies_of, lexicon
from reportgen.facts.quantities.lexicon import (
    CARDINALS,
    DENOMINATORS,
    MULTIPLIERS,
    ORDINALS,
    SCALES,
    TENS,
    VAGUE,
    as_decimal,
)
from reportgen.facts.quantities.model import QuantityKind

Found = tuple[int, int, Decimal | None, QuantityKind, str | None]
_BIG = ("hundred", *SCALES)
_WORD = "|".join(sorted([*CARDINALS, *TENS, *_BIG, "dozen", "a"], key=len, reverse=True))
_AND_AFTER_BIG = "(?:" + "|".join(f"(?<={w})" for w in _BIG) + r")\s+and\s+"
CARDINAL_RE = re.compile(
    r"(?<![\w-])(?P<words>(?:"
    + _WORD
    + r")(?:(?:[\s-]+|"
    + _AND_AFTER_BIG
    + r")(?:"
    + _WORD
    + r"))*)(?P<half>\s+and\s+a\s+half)?(?![\w])",
    re.IGNORECASE,
)
_SMALL = "|".join(sorted([*CARDINALS, *TENS, "a"], key=len, reverse=True))
_FRACTION_RE = re.compile(
    r"(?<![\w-])(?P<num>" + _SMALL + r"|\d+)[\s-]+(?P<den>" + "|".join(DENOMINATORS) + r")\b",
    re.IGNORECASE,
)
_VULGAR_RE = re.compile(r"(?<![\d\w])[\u00bc-\u00be\u2150-\u215e](?![\d\w])")
_LONE_HALF = re.compile(r"(?<![\w-])half(?![\w-])", re.IGNORECASE)
_MULTIPLIER_RE = re.compile(
    r"(?<![\w-])(?P<w>"
    + "|".join(MULTIPLIERS)
    + r"|(?P<n>"
    + "|".join([*CARDINALS, *TENS, "hundred"])
    + r")-?fold)(?![\w-])",
    re.IGNORECASE,
)
_ORDINAL_WORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
_ORDINAL_RE = re.compile(
    r"(?<![\w-])(?P<w>(?:(?P<tens>" + "|".join(TENS) + r")-)?(?P<o>" + _ORDINAL_WORD + r"))(?!\w)",
    re.IGNORECASE,
)
_PERIOD_RE = re.compile(
    r"(?<![\w-])(?:first|second|third|fourth|final|1st|2nd|3rd|4th)[\s-]+(?:half|quarter)"
    r"(?:[\s-]+year)?(?![\w-])",
    re.IGNORECASE,
)
_VAGUE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(sorted(VAGUE, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
#: "the one", "each earlier one", "another one": a determiner, perhaps one adjective of
#: comparison or order between, makes "one" a pronoun.
_PRONOUN_BEFORE = re.compile(
    r"\b(?:the|this|that|each|every|which|any|another|its|their|" + _ORDINAL_WORD + r")\s+"
    r"(?:(?:[a-z]+(?:er|est)|other|new|old|last|next|previous|same|only|former|latter)\s+)?$",
    re.IGNORECASE,
)
#: After "a third" or "a fifth", these make it a share; a noun makes it an ordinal.
_SHARE_AFTER = re.compile(
    r"^(?:\s*(?:[.,;:!?)]|$)|\s+(?:of|more|less|fewer|higher|lower|as|larger|smaller)\b)",
    re.IGNORECASE,
)
_TIME_SECOND = re.compile(r"\b(?:per|every|each|one|split|a|\d+)\s+$", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r"[\s-]?(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)
_TIMES_AFTER = re.compile(r"\s+times\b", re.IGNORECASE)


def cardinal_value(words: str) -> Decimal | None:
    """'two million' -> 2000000, 'a trillion' -> 10**12, 'a dozen' -> 12; None if the
    words are not one cardinal ("a", "hundred hundred" read as written)."""
    total, current, seen = 0, 0, False
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "and"]
    for index, token in enumerate(tokens):
        if token == "a":
            if index + 1 >= len(tokens) or tokens[index + 1] not in (*_BIG, "dozen"):
                return None
            current, seen = 1, True
        elif token in CARDINALS or token in TENS:
            current += CARDINALS.get(token) or TENS.get(token, 0)
            seen = True
        elif token in ("hundred", "dozen"):
            current = max(current, 1) * (100 if token == "hundred" else 12)
            seen = True
        elif token in SCALES:
            total += max(current, 1) * SCALES[token]
            current, seen = 0, True
    return Decimal(total + current) if seen else None


def _unit_after(text: str, end: int) -> str | None:
    if _PERCENT_AFTER.match(text, end):
        return "percent"
    if _TIMES_AFTER.match(text, end):
        return "multiple"
    codes = currencies_after(text, end)
    if codes:
        return next(iter(codes)) if len(codes) == 1 else "currency"
    return None


@cache
def _name_after() -> re.Pattern[str]:
    return re.compile(r"[\s-]?(?P<n>(?i:" + lexicon().name_re + r"))(?![^\W\d_])")


def currencies_after(text: str, end: int) -> frozenset[str]:
    match = _name_after().match(text, end)
    return currencies_of(match.group("n")) if match else frozenset()


def cardinals(text: str) -> Iterator[Found]:
    for match in CARDINAL_RE.finditer(text):
        value = cardinal_value(match.group("words"))
        if value is None:
            continue
        if match.group("words").lower() == "one" and _PRONOUN_BEFORE.search(text[: match.start()]):
            continue  # "the second one is": a pronoun, not a count
        if match.group("half"):
            value += Decimal("0.5")
        yield match.start(), match.end(), value, "quantity", _unit_after(text, match.end())


def fractions(text: str) -> Iterator[Found]:
    for match in _FRACTION_RE.finditer(text):
        num, den = match.group("num").lower(), match.group("den").lower()
        count = int(num) if num.isdigit() else 1 if num == "a" else CARDINALS.get(num)
        if count is None or (count > 1) != den.endswith("s"):
            continue
        shares = den == "half" or _SHARE_AFTER.match(text[match.end() :])
        if num in ("a", "one") and not shares:
            continue  # "a third factory": an ordinal, read later
        if den == "half" and re.search(r"\band\s+$", text[: match.start()], re.IGNORECASE):
            continue  # "one and a half": read with its whole number
        if den == "quarter" and re.search(r"\b(?:in|per|each|every)\s+$", text[: match.start()]):
            continue  # "in a quarter": a period of time
        value = as_decimal(Fraction(count, DENOMINATORS[den]))
        yield match.start(), match.end(), value, "fraction", _unit_after(text, match.end())
    for match in _VULGAR_RE.finditer(text):
        value = as_decimal(Fraction(unicodedata.numeric(match.group(0))).limit_denominator(10))
        yield match.start(), match.end(), value, "fraction", None


def lone_halves(text: str) -> Iterator[Found]:
    for match in _LONE_HALF.finditer(text):
        if re.search(r"\b(?:the|this|that|a)\s+$", text[: match.start()], re.IGNORECASE):
            continue  # "in the half": a period; "a half" was read as a fraction
        yield match.start(), match.end(), Decimal("0.5"), "fraction", None


def multipliers(text: str) -> Iterator[Found]:
    for match in _MULTIPLIER_RE.finditer(text):
        word = match.group("w").lower()
        if match.group("n"):
            number = match.group("n").lower()
            factor = Fraction(CARDINALS.get(number) or TENS.get(number) or 100)
        else:
            factor = Fraction(MULTIPLIERS[word])
        yield match.start(), match.end(), as_decimal(factor), "multiplier", "multiple"


def ordinals(text: str) -> Iterator[Found]:
    for match in _ORDINAL_RE.finditer(text):
        word = match.group("o").lower()
        before = text[: match.start()]
        if word == "second" and _TIME_SECOND.search(before):
            after = text[match.end() :]
            if not re.match(r"\s+[a-z]", after) or not re.search(r"\ba\s+$", before, re.I):
                continue  # "every second", "a second." : time, not a rank
        value = ORDINALS[word] + (TENS[match.group("tens").lower()] if match.group("tens") else 0)
        yield match.start(), match.end(), Decimal(value), "ordinal", None


def periods(text: str) -> Iterator[Found]:
    for match in _PERIOD_RE.finditer(text):
        yield match.start(), match.end(), None, "period", None


def vague(text: str) -> Iterator[Found]:
    for match in _VAGUE_RE.finditer(text):
        yield match.start(), match.end(), None, "vague", None
