"""Checks that tie every figure to its source: quotes, values, qualifiers, units,
references, dates, and the coverage of every number each source states."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from reportgen.errors import Location, Problems
from reportgen.facts.model import Conflict, Derived, Fact
from reportgen.facts.pin import check_qualifiers, cuts, pin, states_value
from reportgen.facts.quantities import Quantity, Reading, Unread, read
from reportgen.facts.store import Store
from reportgen.periods import PERIOD
from reportgen.text import line_col

_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_SPACE = re.compile(r"\s+")


@dataclass
class Normalised:
    """Text with typographic quotes straightened and whitespace runs folded, keeping a
    map back to the original offsets so coverage can speak of the source's own text."""

    text: str
    offsets: list[int]

    @classmethod
    def of(cls, raw: str) -> Normalised:
        chars: list[str] = []
        offsets: list[int] = []
        for index, char in enumerate(raw.translate(_TYPOGRAPHIC)):
            if char.isspace():
                if chars and chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            offsets.append(index)
        offsets.append(len(raw))
        return cls("".join(chars), offsets)

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        """Spans (in original offsets) of every occurrence of ``needle``."""
        wanted = _SPACE.sub(" ", needle.translate(_TYPOGRAPHIC)).strip()
        spans, start = [], self.text.find(wanted)
        while wanted and start >= 0:
            end = start + len(wanted)
            spans.append((self.offsets[start], self.offsets[end - 1] + 1))
            start = self.text.find(wanted, start + 1)
        return spans


@dataclass
class SourceCoverage:
    """One article's numbers: stated by facts, ignored with a reason, or neither."""

    file: str
    facts: int = 0
    ignored: int = 0
    uncovered: int = 0
    unread: int = 0

    def line(self) -> str:
        total = self.facts + self.ignored + self.uncovered + self.unread
        return (
            f"{self.file}: {total} numbers: {self.facts} facts, {self.ignored} ignored, "
            f"{self.unread} unread, {self.uncovered} unaccounted"
        )


@dataclass
class Coverage:
    """How many numeric statements of each source the store accounts for."""

    statements: int = 0
    covered: int = 0
    uncovered: list[tuple[str, Quantity | Unread]] = field(default_factory=list)
    sources: dict[str, SourceCoverage] = field(default_factory=dict)

    @property
    def unread(self) -> int:
        return sum(s.unread for s in self.sources.values())

    @property
    def percent(self) -> float:
        """Never 100 while anything is unread or unaccounted, however it rounds."""
        if not self.statements:
            return 100.0
        share = 100.0 * self.covered / self.statements
        return share if self.covered == self.statements else min(share, 99.0)


def verify(store: Store, problems: Problems) -> Coverage:
    """Run every check; add problems; return the coverage of numeric statements."""
    texts = {source_id: Normalised.of(text) for source_id, text in store.texts.items()}
    readings = {source_id: read(text) for source_id, text in store.texts.items()}
    if not store.partial:
        _check_references(store, problems)
    _check_dates(store, problems)
    _check_units(store, problems)
    _check_ranges_in_formulas(store, problems)
    quote_spans: dict[str, list[tuple[int, int]]] = {}
    for fact in store.facts.values():
        if fact.source in texts:
            quote_spans[fact.id] = _check_quote(
                store, fact, texts[fact.source], readings[fact.source], problems
            )
    ignore_spans: list[tuple[str, tuple[int, int]]] = []
    for index, ignored in enumerate(store.ignored):
        where = store.where(f"ignore:{index}")
        if ignored.source not in store.sources:
            problems.add(f"ignore entry names unknown source '{ignored.source}'", where)
            continue
        if ignored.source not in texts:
            continue
        spans = texts[ignored.source].find_all(ignored.text)
        if not spans:
            problems.add(f"ignored text not found in source '{ignored.source}'", where)
        ignore_spans += [(ignored.source, span) for span in spans]
    store.detected_conflicts = _detect_conflicts(store)
    if store.partial:
        return Coverage()
    return _coverage(store, readings, quote_spans, ignore_spans, problems)


def _check_references(store: Store, problems: Problems) -> None:
    for entity in store.entities.values():
        for relation, targets in entity.relations.items():
            for target in [targets] if isinstance(targets, str) else targets:
                if target not in store.entities:
                    problems.add(
                        f"entity '{entity.id}': {relation} names unknown entity '{target}'",
                        store.where(entity.id),
                    )
    for fact in store.facts.values():
        where = store.where(fact.id)
        if fact.entity not in store.entities:
            problems.add(f"fact '{fact.id}': unknown entity '{fact.entity}'", where)
        if fact.source not in store.sources:
            problems.add(f"fact '{fact.id}': unknown source '{fact.source}'", where)
        if fact.equivalent_of is not None and fact.equivalent_of not in store.facts:
            problems.add(
                f"fact '{fact.id}': equivalent_of names unknown fact '{fact.equivalent_of}'", where
            )
    for metric in store.derived.values():
        if metric.entity is not None and metric.entity not in store.entities:
            problems.add(
                f"derived '{metric.id}': unknown entity '{metric.entity}'", store.where(metric.id)
            )
    for conflict in store.conflicts.values():
        for fact_id in conflict.facts:
            if not store.has(fact_id):
                problems.add(
                    f"conflict '{conflict.id}': unknown fact '{fact_id}'", store.where(conflict.id)
                )


def _valid_period(period: str) -> str | None:
    match = PERIOD.match(period)
    if not match:
        return f"period '{period}' is not a valid period"
    if match.group("day"):
        try:
            dt.date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        except ValueError:
            return f"period '{period}' is not a real date"
    return None


def _check_dates(store: Store, problems: Problems) -> None:
    records: list[Fact | Derived] = [*store.facts.values(), *store.derived.values()]
    for record in records:
        if record.period is not None and (message := _valid_period(record.period)):
            problems.add(f"'{record.id}': {message}", store.where(record.id))
    for source in store.sources.values():
        parts = source.published.date.split("-")
        expected = {"year": 1, "month": 2, "day": 3}[source.published.precision]
        if len(parts) != expected:
            problems.add(
                f"source '{source.id}': published date '{source.published.date}' does not have "
                f"{source.published.precision} precision",
                store.where(source.id),
            )
        elif len(parts) == 3 and (message := _valid_period(source.published.date)):
            problems.add(f"source '{source.id}': {message}", store.where(source.id))


def _check_units(store: Store, problems: Problems) -> None:
    """One unit per metric, so charts and tables never add yuan to vehicles."""
    first: dict[str, Fact] = {}
    for fact in store.facts.values():
        if fact.equivalent_of is not None:
            continue  # restates another fact in another currency on purpose
        seen = first.setdefault(fact.metric, fact)
        if seen.unit != fact.unit:
            problems.add(
                f"fact '{fact.id}': metric '{fact.metric}' is in '{seen.unit}' elsewhere "
                f"(fact '{seen.id}'), not '{fact.unit}'",
                store.where(fact.id),
            )


def _check_ranges_in_formulas(store: Store, problems: Problems) -> None:
    """A formula takes one value per input: a range fact would enter as its low end."""
    for metric in store.derived.values():
        for ref in re.findall(r"\{([^{}]+)\}", metric.formula):
            fact = store.facts.get(ref)
            if fact is not None and fact.low is not None:
                problems.add(
                    f"derived '{metric.id}': '{ref}' is a range (low, high); a formula "
                    "takes facts with one value",
                    store.where(metric.id),
                )


def _check_quote(
    store: Store, fact: Fact, text: Normalised, reading: Reading, problems: Problems
) -> list[tuple[int, int]]:
    where = store.where(fact.id)
    spans = text.find_all(fact.quote)
    if not spans:
        problems.add(f"fact '{fact.id}': quote not found in source '{fact.source}'", where)
        return []
    for span in spans[:1]:
        for number in cuts(reading, span):
            problems.add(
                f"fact '{fact.id}': the quote starts or stops inside the number '{number}'; "
                "quote it whole",
                where,
            )
    quantity = pin(fact, spans[0], reading, where, problems)
    if quantity is not None:
        check_qualifiers(fact, quantity, Normalised.of(fact.quote).text, where, problems)
        if (at := _in_quote(fact.quote, quantity.text.strip())) is not None:
            store.stated[fact.id] = at
    return spans


def _detect_conflicts(store: Store) -> list[Conflict]:
    """Same entity, metric and period with different values: a finding for the notes."""
    groups: dict[tuple[str, str, str, str], list[Fact]] = defaultdict(list)
    for fact in store.facts.values():
        groups[(fact.entity, fact.metric, fact.period, fact.unit)].append(fact)
    declared = {frozenset(c.facts) for c in store.conflicts.values()}
    found = []
    for (entity, metric, period, _unit), facts in sorted(groups.items()):
        values = {f.value for f in facts}
        ids = [f.id for f in facts]
        if len(values) > 1 and not any(set(ids) <= d for d in declared):
            found.append(
                Conflict(
                    id=f"auto-{ids[0]}",
                    kind="conflict",
                    facts=ids,
                    summary=(
                        f"{len(facts)} facts give {store.entity_name(entity)}'s "
                        f"{metric.replace('_', ' ')} "
                        f"for {period} as different values"
                    ),
                )
            )
    return found


def _coverage(
    store: Store,
    readings: dict[str, Reading],
    quote_spans: dict[str, list[tuple[int, int]]],
    ignore_spans: list[tuple[str, tuple[int, int]]],
    problems: Problems,
) -> Coverage:
    coverage = Coverage()
    for source_id, text in sorted(store.texts.items()):
        file = store.sources[source_id].file
        counts = coverage.sources.setdefault(source_id, SourceCoverage(file))
        facts = [f for f in store.facts.values() if f.source == source_id]
        ignores = [span for sid, span in ignore_spans if sid == source_id]
        spans = [(fact, span) for fact in facts for span in quote_spans.get(fact.id, [])]
        reading = readings[source_id]
        numbers: list[Quantity | Unread] = [*reading.quantities, *reading.unread]
        for found in numbers:
            coverage.statements += 1
            if isinstance(found, Quantity) and any(
                _inside(span, found)
                and (found.kind in ("date", "period") or states_value(found, fact))
                for fact, span in spans
            ):
                counts.facts += 1
            elif any(_inside(span, found) for span in ignores):
                counts.ignored += 1
            else:
                if isinstance(found, Quantity):
                    counts.uncovered += 1
                else:
                    counts.unread += 1
                coverage.uncovered.append((source_id, found))
                problems.add(_unaccounted(found), _location(file, text, found.start))
        coverage.covered += counts.facts + counts.ignored
    return coverage


def _unaccounted(found: Quantity | Unread) -> str:
    """What to do about a number that no fact states and no ignore entry explains."""
    if isinstance(found, Unread):
        return (
            f"'{found.text}' looks like a number but could not be read as one; state it "
            "as a fact, or ignore it with a reason (seeds/facts/ignore.yaml)"
        )
    return (
        f"'{found.text.strip()}' ({found.kind}) is neither a fact nor in an "
        "ignore list (seeds/facts/ignore.yaml) with a reason"
    )


def _in_quote(quote: str, number: str) -> tuple[int, int] | None:
    """Where the stated number stands in the quote as written (for the briefing to mark)."""
    match = re.search(r"(?<![\w.,])" + re.escape(number) + r"(?![\w])", quote)
    return match.span() if match else None


def _inside(span: tuple[int, int], found: Quantity | Unread) -> bool:
    return span[0] <= found.start and found.end <= span[1]


def _location(file: str, text: str, start: int) -> Location:
    return Location(file, *line_col(text, start))
