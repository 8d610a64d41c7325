"""How the briefing writes a figure: one module, Babel underneath.

Source precision is kept: a figure prints with as many decimals as it has
(30.161 million, 68.14%), never more and never rounded away. Qualifiers are never
dropped: "about", "nearly", "more than" lead the number, and a status other than
"actual" (estimated, expected, planned, target) follows it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Literal

from babel.numbers import format_decimal

from reportgen.facts.store import Figure
from reportgen.units import UNITS

LOCALE = "en_GB"
Style = Literal["text", "short", "table"]

_PRECISION_WORDS = {
    "exact": "",
    "about": "about",
    "nearly": "nearly",
    "more_than": "more than",
    "over": "over",
    "at_least": "at least",
    "around": "around",
    "roughly": "roughly",
    "almost": "almost",
    "up_to": "up to",
    "at_most": "at most",
    "less_than": "less than",
}
_SCALES = [
    (Decimal(10) ** 12, "trillion", "tn"),
    (Decimal(10) ** 9, "billion", "bn"),
    (Decimal(10) ** 6, "million", "m"),
]
_SHORT_THOUSANDS = (Decimal(1000), "thousand", "k")


def _decimal(value: float) -> Decimal:
    # repr() gives the shortest string that round-trips, so 12.416e9 stays exact.
    return Decimal(repr(float(value)))


def _places(value: Decimal, limit: int) -> int:
    """Decimal places needed to show ``value`` exactly, capped at ``limit``."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, min(limit, -exponent))


def format_number(value: float, decimals: int | None = None) -> str:
    """Digits with thousands separators; ``decimals=None`` keeps the value's own precision."""
    number = _decimal(value)
    if decimals is None:
        decimals = _places(number, 6)
    # Negative decimals round to tens, hundreds, ...: a value derived from rounded inputs
    # ("about 365,000") must not print digits the inputs never had.
    rounded = round(number, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE)


def _scaled(value: float, decimals: int | None, short: bool) -> str:
    """'30.161 million' / '30.161m'; plain digits below a million (or a thousand, short)."""
    number = _decimal(value)
    magnitude = abs(number)
    scales = [*_SCALES, _SHORT_THOUSANDS] if short else _SCALES
    for size, word, abbrev in scales:
        # Short labels abbreviate thousands only from 10,000: "1,000+" reads better than "1k+".
        if magnitude >= size and (word != "thousand" or magnitude >= 10 * size):
            scaled = round(number / size, 1 if word == "thousand" else 3)
            # A label never rounds a figure away: 10,045 stays "10,045", not "10k".
            if word == "thousand" and scaled * size != round(number, decimals or 0):
                continue
            places = _places(scaled, 3)
            digits = format_number(float(scaled), places)
            return f"{digits}{abbrev}" if short else f"{digits} {word}"
    return format_number(value, decimals)


def format_value(fig: Figure, style: Style = "text") -> str:
    """The number with its unit symbol but no words: '¥12.416 billion', '68.14%', '700,000'."""
    unit = UNITS[fig.unit]
    if unit.kind in ("year", "rank"):
        return format_number(fig.value, 0).replace(",", "")
    digits = (
        format_number(fig.value, fig.decimals)
        if unit.kind in ("percent", "multiple") or (style == "table" and abs(fig.value) < 1e6)
        else _scaled(fig.value, fig.decimals, short=style == "short")
    )
    if unit.kind == "currency":
        return f"{unit.symbol}{digits}"
    if unit.kind == "percent":
        return f"{digits}%"
    if unit.kind == "multiple":
        return f"{digits}×"
    return digits


def qualifier_prefix(fig: Figure, style: Style = "text") -> str:
    if style == "short":
        return "~" if fig.precision in ("about", "nearly") else ""
    return _PRECISION_WORDS[fig.precision]


def format_figure(fig: Figure, style: Style = "text", *, status: bool = True) -> str:
    """A figure as the briefing prints it.

    text:  'about 150,000 vehicles a year', 'more than 1.5 million vehicles a year (target)'
    short: '~150k', '1.5m+', '¥10bn'  (chart labels)
    table: 'about 150,000', '¥4 billion', '68.14%'
    """
    if fig.low is not None and fig.high is not None:
        return _format_range(fig, style, status=status)
    value = format_value(fig, style)
    unit = UNITS[fig.unit]
    if style == "short":
        plus = "+" if fig.precision in ("more_than", "over", "at_least") else ""
        return f"{qualifier_prefix(fig, style)}{value}{plus}"
    words = ""
    if style == "text" and unit.kind in ("count", "area") and unit.plural:
        noun = unit.singular if fig.value == 1 else unit.plural
        if unit.kind == "area":
            noun = unit.symbol
        words = f" {noun}"
    elif style == "text" and unit.kind == "currency" and unit.suffix:
        words = f" {unit.suffix}"
    prefix = qualifier_prefix(fig, style)
    text = f"{prefix} {value}{words}" if prefix else f"{value}{words}"
    if status and fig.status != "actual":
        text += f" ({fig.status})"
    return text


def _format_range(fig: Figure, style: Style, *, status: bool) -> str:
    """'between 180,000 and 200,000 vehicles'; '180k–200k' in chart labels."""
    assert fig.low is not None and fig.high is not None
    low, high = (replace(fig, value=end, low=None, high=None) for end in (fig.low, fig.high))
    if style == "short":
        return f"{format_value(low, style)}–{format_value(high, style)}"
    text = f"between {format_value(low, style)} and " + format_figure(
        replace(high, precision="exact"), style, status=False
    )
    if status and fig.status != "actual":
        text += f" ({fig.status})"
    return text


def format_ordinal(fig: Figure, *, status: bool = True) -> str:
    """A rank as an English ordinal: '2nd', '11th', '23rd' (status appended as in text)."""
    number = int(fig.value)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    text = f"{format_number(number, 0)}{suffix}"
    return text if fig.status == "actual" or not status else f"{text} ({fig.status})"
