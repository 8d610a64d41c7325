"""Pinning a fact to the one number its quote states, read in the source's own text.

The quote's numbers are read where the quote stands in the article, so a quote that
stops inside a number ("capacity of 70" out of "700,000") is caught, and a qualifier just
outside the quote ("about 700,000") still counts.
"""

from __future__ import annotations

import re
from decimal import Decimal

from reportgen.errors import Location, Problems
from reportgen.facts.model import Fact
from reportgen.facts.quantities import STATUS_WORDS, Quantity, Reading, same_value
from reportgen.units import UNITS

#: Kinds that are not a fact's figure unless the fact is a year.
_NOT_FIGURES = {"date", "period", "vague"}
_UNIT_KINDS = {"percent": "percent", "percentage_points": "points", "m2": "area"}


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip().lower()


def fact_values(fact: Fact) -> tuple[float, ...]:
    if fact.low is not None and fact.high is not None:
        return (fact.low, fact.high)
    return () if fact.value is None else (fact.value,)


def states_value(quantity: Quantity, fact: Fact) -> bool:
    """Whether the quantity states the fact's value (or range), in the fact's unit."""
    wanted = fact_values(fact)
    stated: tuple[Decimal, ...] = quantity.values
    if quantity.kind == "fraction" and UNITS[fact.unit].kind == "percent":
        stated = tuple(v * 100 for v in stated)
    return len(stated) == len(wanted) and all(
        same_value(s, w) or (quantity.kind == "fraction" and abs(float(s) - w) < 0.05)
        for s, w in zip(stated, wanted, strict=True)
    )


def candidates(fact: Fact, inside: list[Quantity]) -> list[Quantity]:
    """The numbers in a quote that could be the fact's figure."""
    if fact.unit in UNITS and UNITS[fact.unit].kind == "year":
        return [q for q in inside if q.kind == "date" and q.value is not None]
    return [q for q in inside if q.kind not in _NOT_FIGURES]


def cuts(reading: Reading, span: tuple[int, int]) -> list[str]:
    """Numbers the quote's span starts or stops inside of."""
    start, end = span
    spans = [(q.start, q.end, q.text) for q in reading.quantities]
    spans += [(u.start, u.end, u.text) for u in reading.unread]
    return [text for s, e, text in spans if s < end and e > start and (s < start or e > end)]


def pin(
    fact: Fact,
    span: tuple[int, int],
    reading: Reading,
    where: Location | None,
    problems: Problems,
) -> Quantity | None:
    """The quote's number this fact states; a problem (listing the quote's numbers) if
    the quote states several and the fact does not say which, or another value."""
    inside = [q for q in reading.quantities if span[0] <= q.start and q.end <= span[1]]
    found = candidates(fact, inside)
    shown = ", ".join(q.text.strip() for q in found) or "no number"
    if fact.states is not None:
        wanted = _folded(fact.states)
        chosen = [q for q in found if wanted == _folded(q.text) or wanted in _folded(q.text)]
        if not chosen:
            problems.add(
                f"fact '{fact.id}': states '{fact.states}' is not a number of its quote "
                f"(it states: {shown})",
                where,
            )
            return None
    else:
        chosen = found
        if len({q.values for q in found}) > 1:
            problems.add(
                f"fact '{fact.id}': its quote states several numbers ({shown}); say which "
                'one the fact states with states: "…"',
                where,
            )
            return None
    if not chosen or not states_value(chosen[0], fact):
        got = ", ".join(f"{v:g}" for v in fact_values(fact))
        problems.add(
            f"fact '{fact.id}': value {got} is not stated in its quote (it states: {shown})",
            where,
        )
        return None
    return chosen[0]


def check_qualifiers(
    fact: Fact, quantity: Quantity, quote: str, where: Location | None, problems: Problems
) -> None:
    """A qualifier, unit or status the quote states must be the fact's: never dropped."""
    said = quantity.precision
    if said is not None and fact.precision != said:
        problems.add(
            f"fact '{fact.id}': the quote says '{quantity.text.strip()}' with a qualifier "
            f"('{said.replace('_', ' ')}') but precision is '{fact.precision}'",
            where,
        )
    unit = UNITS[fact.unit]
    hint = quantity.unit_hint
    wrong = False
    if quantity.currencies:
        wrong = unit.currency not in quantity.currencies
    elif hint in _UNIT_KINDS:
        wrong = _UNIT_KINDS[hint] != unit.kind
    if wrong:
        stated = "/".join(sorted(quantity.currencies)[:4]) or hint
        problems.add(
            f"fact '{fact.id}': unit mismatch: the quote states '{quantity.text.strip()}' as "
            f"{stated}, the fact's unit is '{fact.unit}'",
            where,
        )
    lowered = quote.lower()
    words = [w for w in STATUS_WORDS if re.search(r"\b" + w + r"\b", lowered)]
    statuses = {STATUS_WORDS[w] for w in words}
    if statuses and fact.status not in statuses:
        problems.add(
            f"fact '{fact.id}': the quote says '{words[0]}' but status is '{fact.status}' "
            f"(use status: {' or '.join(sorted(statuses))})",
            where,
        )
