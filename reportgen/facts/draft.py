"""``reportgen facts draft SOURCE_ID``: draft facts and ignore entries for every number
of a source that the store does not cover yet.

A draft is read, not invented: the quote is a verbatim run of whole clauses around the
number, the value and ``states:`` are the number as the quantity reader reads it, the
precision is the qualifier in front of it. What is guessed (id, entity, metric, unit from
a noun, period, status without a status word) carries a ``# REVIEW:`` comment saying
from what, and ``check`` refuses a fact file while any marker is left. Every drafted
quote is checked here exactly as ``check`` checks it before it is offered.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reportgen.errors import Location, Problems, ReportError, ReportErrors
from reportgen.facts import draft_guess as guess
from reportgen.facts.draft_text import Sentence, quote_span, sentence_at, sentences, window
from reportgen.facts.load import load_store
from reportgen.facts.model import Fact, Source
from reportgen.facts.pin import check_qualifiers, cuts, pin, states_value
from reportgen.facts.quantities import Quantity, Reading, Unread, read
from reportgen.facts.store import Store
from reportgen.facts.verify import Normalised
from reportgen.units import UNITS

_FACT_KINDS = {"quantity", "range", "fraction", "multiplier"}
_RANK_BEFORE = re.compile(r"\b(?:ranked|ranks|rank|placed|came|finished|position)\s+$", re.I)
_RANK_AFTER = re.compile(
    r"^[\s-]*(?:largest|biggest|highest|best|most|top|smallest|lowest|place)\b", re.I
)
_ONE_OF = re.compile(r"^\s+of\b", re.I)


@dataclass
class DraftFact:
    at: int
    quantity: Quantity
    quote: tuple[int, int]
    fields: dict[str, guess.Guess] = field(default_factory=dict)
    precision: str = "exact"
    supersedes: guess.Guess | None = None
    #: Why the quote would not pass check, if no quote tried does (never expected).
    problem: str | None = None

    def value(self, name: str) -> str:
        return self.fields[name].value


@dataclass(frozen=True)
class DraftIgnore:
    at: int
    text: str
    reason: str
    #: Whether the reason is a proposal to confirm (a date may be a fact's period).
    review: bool = True


@dataclass(frozen=True)
class NewEntity:
    id: str
    name: str


@dataclass
class Draft:
    source: Source
    text: str
    facts: list[DraftFact] = field(default_factory=list)
    ignores: list[DraftIgnore] = field(default_factory=list)
    entities: list[NewEntity] = field(default_factory=list)

    def quote(self, fact: DraftFact) -> str:
        return re.sub(r"\s+", " ", self.text[fact.quote[0] : fact.quote[1]])


def draft(project: Path, source_id: str) -> Draft:
    """The draft for ``source_id``; ReportErrors if the source cannot be read."""
    problems = Problems()
    store = load_store(project, problems)
    source = _source(store, source_id, problems)
    text = store.texts[source_id]
    reading = read(text)
    covered = _covered(store, source_id, text, reading)
    work = _Work(store, source, text, reading, Normalised.of(text))
    for quantity in reading.quantities:
        if (quantity.start, quantity.end) not in covered:
            work.take(quantity)
    for unread in reading.unread:
        if (unread.start, unread.end) not in covered:
            work.ignore_unread(unread)
    work.finish()
    return work.result


def _source(store: Store, source_id: str, problems: Problems) -> Source:
    shown = Location("seeds/sources.yaml")
    if source_id not in store.sources:
        close = difflib.get_close_matches(source_id, list(store.sources), n=2)
        hint = (
            f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else f"declared: {', '.join(sorted(store.sources)) or 'none'}"
        )
        message = f"no source '{source_id}' is declared here ({hint})"
        if store.partial:
            message += "; some records could not be read, see below"
            raise ReportErrors([ReportError(message, shown), *problems])
        raise ReportError(message + "; `reportgen sources add FILE` declares a new one", shown)
    if source_id not in store.texts:
        about = [p for p in problems if f"source '{source_id}'" in p.message]
        raise ReportErrors(about or [ReportError(f"cannot read source '{source_id}'", shown)])
    return store.sources[source_id]


def _covered(store: Store, source_id: str, text: str, reading: Reading) -> set[tuple[int, int]]:
    """Spans of the numbers a fact or an ignore entry of the store already accounts for."""
    normal = Normalised.of(text)
    spans: list[tuple[tuple[int, int], Fact | None]] = []
    for record in store.facts.values():
        if record.source == source_id:
            spans += [(span, record) for span in normal.find_all(record.quote)]
    for ignored in store.ignored:
        if ignored.source == source_id:
            spans += [(span, None) for span in normal.find_all(ignored.text)]
    found: set[tuple[int, int]] = set()
    items: list[Quantity | Unread] = [*reading.quantities, *reading.unread]
    for item in items:
        for (start, end), fact in spans:
            if not (start <= item.start and item.end <= end):
                continue
            if fact is None or not isinstance(item, Quantity) or _states(item, fact):
                found.add((item.start, item.end))
    return found


def _states(quantity: Quantity, fact: Fact) -> bool:
    if quantity.kind in ("date", "period"):
        return True
    try:
        return states_value(quantity, fact)
    except KeyError:  # a unit the project no longer declares: check reports it
        return False


class _Work:
    """The draft being made: facts, then the dates and periods no quote holds."""

    def __init__(
        self, store: Store, source: Source, text: str, reading: Reading, normal: Normalised
    ) -> None:
        self.store, self.text, self.reading, self.normal = store, text, reading, normal
        self.result = Draft(source, text)
        self.sentences = sentences(text)
        self.keep = [(q.start, q.end) for q in reading.quantities]
        self.keep += [(u.start, u.end) for u in reading.unread]
        self.deferred: list[Quantity] = []
        self.ignored: list[tuple[int, int]] = []
        self.preferred = _currencies_in_use(store)
        from reportgen.facts.draft_fields import Namer

        self.namer = Namer(store, self.result)

    def take(self, quantity: Quantity) -> None:
        sentence = sentence_at(self.sentences, quantity.start)
        if quantity.kind in ("date", "period"):
            self.deferred.append(quantity)
        elif quantity.kind == "vague":
            self._ignore(quantity, sentence, f"A vague amount (“{quantity.text.strip()}”), "
                         "with no value a fact could state.", review=False)  # fmt: skip
        elif reason := guess.name_like(self.text, quantity):
            self._ignore(quantity, sentence, reason, words=1)
        elif quantity.kind == "ordinal" and not self._rank(quantity):
            self._ignore(quantity, sentence, f"An ordinal (“{quantity.text.strip()}”) that "
                         "names one of several, not a rank.")  # fmt: skip
        elif (
            quantity.kind == "quantity"
            and quantity.value == 1
            and _ONE_OF.match(self.text[quantity.end :])
        ):
            self._ignore(quantity, sentence, "“One of” names one among several, not a count.")
        elif quantity.kind in _FACT_KINDS or quantity.kind == "ordinal":
            self._fact(quantity, sentence)

    def _rank(self, quantity: Quantity) -> bool:
        before = self.text[max(0, quantity.start - 30) : quantity.start]
        return bool(_RANK_BEFORE.search(before) or _RANK_AFTER.match(self.text[quantity.end :]))

    def _ignore(
        self,
        item: Quantity | Unread,
        sentence: Sentence,
        reason: str,
        *,
        words: int = 2,
        review: bool = True,
    ) -> None:
        start, end = window(self.text, (item.start, item.end), self.keep, sentence, words)
        self.ignored.append((start, end))
        said = re.sub(r"\s+", " ", self.text[start:end])
        self.result.ignores.append(DraftIgnore(item.start, said, reason, review))

    def ignore_unread(self, unread: Unread) -> None:
        sentence = sentence_at(self.sentences, unread.start)
        self._ignore(
            unread,
            sentence,
            f"Not read as a number (“{unread.text}”): a name, or a unit the reader does not "
            "know. If it is a figure, state it as a fact instead.",
            words=1,
        )

    def _fact(self, quantity: Quantity, sentence: Sentence) -> None:
        from reportgen.facts.draft_fields import fill

        start = quantity.start
        quote = quote_span(self.text, sentence, self.keep, (start, quantity.end))
        made = DraftFact(start, quantity, quote, precision=quantity.precision or "exact")
        fill(self, made, sentence)
        self._settle_quote(made, sentence)
        self.result.facts.append(made)

    def _settle_quote(self, made: DraftFact, sentence: Sentence) -> None:
        """Keep the first quote that passes check: the clause, then the whole sentence."""
        tried = [made.quote, (sentence.start, sentence.end)]
        for span in tried:
            problem = self.problem(made, span)
            if problem is None:
                made.quote = span
                made.problem = None
                return
            made.problem = problem

    def problem(self, made: DraftFact, span: tuple[int, int]) -> str | None:
        """What check would say about this quote for this fact; None if it passes."""
        quote = re.sub(r"\s+", " ", self.text[span[0] : span[1]])
        fact = as_fact(made, quote, "x")
        problems = Problems()
        spans = self.normal.find_all(quote)
        if not spans:
            return "the quote is not found in the source"
        for number in cuts(self.reading, spans[0]):
            problems.add(f"the quote cuts the number '{number}'")
        stated = pin(fact, spans[0], self.reading, None, problems)
        if stated is not None:
            check_qualifiers(fact, stated, Normalised.of(quote).text, None, problems)
        return next((p.message for p in problems), None)

    def finish(self) -> None:
        spans = [f.quote for f in self.result.facts]
        opening = self.sentences[:3]
        for quantity in self.deferred:
            if any(s <= quantity.start and quantity.end <= e for s, e in spans + self.ignored):
                continue
            sentence = sentence_at(self.sentences, quantity.start)
            reason = guess.name_like(self.text, quantity)
            if reason:
                self._ignore(quantity, sentence, reason, words=1)
            elif sentence in opening and len(self.text[sentence.start : sentence.end].split()) <= 8:
                if any(
                    i.text == self.text[sentence.start : sentence.end] for i in self.result.ignores
                ):
                    continue
                self.result.ignores.append(DraftIgnore(
                    quantity.start, re.sub(r"\s+", " ", self.text[sentence.start : sentence.end]),
                    "The article's dateline, recorded as the source's publication date.",
                ))  # fmt: skip
            else:
                kind = "A date" if quantity.kind == "date" else "A period"
                self._ignore(quantity, sentence, f"{kind} (“{quantity.text.strip()}”) that no "
                             "fact's quote holds.")  # fmt: skip
        self.result.ignores.sort(key=lambda i: i.at)
        self._dedupe_ignores()

    def _dedupe_ignores(self) -> None:
        seen: set[str] = set()
        kept = []
        for item in self.result.ignores:
            if item.text not in seen:
                seen.add(item.text)
                kept.append(item)
        self.result.ignores = kept


def _currencies_in_use(store: Store) -> list[str]:
    counts: dict[str, int] = {}
    for fact in store.facts.values():
        code = UNITS[fact.unit].currency if fact.unit in UNITS else None
        if code:
            counts[code] = counts.get(code, 0) + 1
    return sorted(counts, key=lambda c: -counts[c])


def number(value: Decimal) -> int | float:
    """A YAML-ready figure: an int when whole, so 21.4bn is written 21400000000."""
    if value == value.to_integral_value():
        return int(value)
    return float(format(value.normalize(), "f"))


def figures(made: DraftFact) -> dict[str, int | float]:
    """value:, or low: and high:, in base units (a fraction as a percentage)."""
    quantity = made.quantity
    scale = Decimal(100) if quantity.kind == "fraction" else Decimal(1)
    if quantity.low is not None and quantity.high is not None:
        return {"low": number(quantity.low * scale), "high": number(quantity.high * scale)}
    assert quantity.value is not None
    value = quantity.value * scale
    if quantity.kind == "fraction":
        value = value.quantize(Decimal("0.01"))
    return {"value": number(value)}


def as_fact(made: DraftFact, quote: str, source: str) -> Fact:
    """The draft as a Fact for the checks; an undeclared unit counts as a plain count."""
    unit = made.value("unit")
    fields: dict[str, object] = {
        "id": made.value("id"),
        "entity": made.value("entity"),
        "metric": made.value("metric"),
        "unit": unit if unit in UNITS else "years",
        "states": made.quantity.text.strip(),
        "precision": made.precision,
        "status": made.value("status"),
        "period": made.value("period"),
        "source": source,
        "quote": quote,
        "value": None,
        "low": None,
        "high": None,
        **figures(made),
    }
    return Fact.model_construct(**fields)  # type: ignore[arg-type]
