"""What the reader returns: quantities it read, and spans it could not read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from reportgen.facts.quantities.lexicon import PRECISION_WORDS

#: Kinds of quantity. "quantity", "range" (low and high), "fraction" (half, ⅓),
#: "multiplier" (double, threefold, 2.5x), "ordinal" (15th, second-highest), "date" (a
#: year, a day of a month), "period" (first half, third quarter), "vague" (hundreds).
QuantityKind = Literal[
    "quantity", "range", "fraction", "multiplier", "ordinal", "date", "period", "vague"
]
KINDS: tuple[QuantityKind, ...] = get_args(QuantityKind)


@dataclass(frozen=True)
class Quantity:
    """A number stated in text; ``start``/``end`` index the text it was found in."""

    start: int
    end: int
    text: str
    #: None for vague amounts, periods and ranges (which have ``low`` and ``high``).
    value: Decimal | None
    kind: QuantityKind
    #: What the text says the number measures: "percent", "percentage_points", "m2",
    #: "multiple", an ISO currency code, or "currency" when the sign is shared.
    unit_hint: str | None = None
    #: The qualifier in front of it ("about", "more than"), as a fact ``precision``.
    precision: str | None = None
    #: The ISO 4217 codes its currency sign, code or name may stand for.
    currencies: frozenset[str] = frozenset()
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def values(self) -> tuple[Decimal, ...]:
        """Every value it states: one, or the two ends of a range."""
        if self.low is not None and self.high is not None:
            return (self.low, self.high)
        return () if self.value is None else (self.value,)


@dataclass(frozen=True)
class Unread:
    """Something digit-like or number-like the reader could not read as a number."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Reading:
    quantities: list[Quantity]
    unread: list[Unread]


#: Longest first, so "no more than" is not read as "more than".
_PRECISION_PHRASES = sorted(PRECISION_WORDS, key=len, reverse=True)


def precision_before(text: str, start: int) -> str | None:
    """The qualifier right before ``start`` ("more than", "up to"), as a precision."""
    before = text[max(0, start - 24) : start]
    if not before[-1:].isspace():
        return None
    words = " ".join(before.lower().split()[-3:])
    for phrase in _PRECISION_PHRASES:
        if words == phrase or words.endswith(" " + phrase):
            return PRECISION_WORDS[phrase]
    return None
