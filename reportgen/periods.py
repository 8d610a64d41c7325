"""Periods and dates as the store writes them, and as the briefing words them."""

from __future__ import annotations

import re

from babel.dates import get_month_names

#: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1, YYYY-Q3, optionally "as-of", "by" or "since".
PERIOD = re.compile(
    r"^(?:(?P<prefix>as-of|by|since) )?(?P<year>\d{4})"
    r"(?:-(?P<month>0[1-9]|1[0-2])(?:-(?P<day>0[1-9]|[12]\d|3[01]))?"
    r"|-(?P<half>H[12])|-(?P<quarter>Q[1-4]))?$"
)
#: "January" to "December": the briefing is written in British English.
MONTHS = tuple(get_month_names("wide", locale="en_GB")[m] for m in range(1, 13))


def month_year(date: str) -> str:
    """'2022-09' -> 'September 2022'; '2022' -> '2022'; a day is dropped on purpose."""
    year, _, rest = date.partition("-")
    if not rest:
        return year
    return f"{MONTHS[int(rest[:2]) - 1]} {year}"


def period_words(period: str) -> str:
    """A fact's period as prose: '2022-H1' -> 'H1 2022', 'by 2025' -> 'by 2025'."""
    match = PERIOD.match(period)
    if match is None:
        return period
    parts = match.groupdict()
    year = parts["year"]
    if parts["half"]:
        text = f"{parts['half']} {year}"
    elif parts["quarter"]:
        text = f"{parts['quarter']} {year}"
    elif parts["month"]:
        text = f"{MONTHS[int(parts['month']) - 1]} {year}"
        if parts["day"]:
            text = f"{int(parts['day'])} {text}"
    else:
        text = year
    prefix = parts["prefix"]
    return f"{prefix.replace('-', ' ')} {text}" if prefix else text
