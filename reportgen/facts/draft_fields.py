"""Filling a drafted fact's guessed fields: period, status, unit, metric, entity, id,
and the ``supersedes:`` a newer source's figure needs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reportgen.facts import draft_guess as guess
from reportgen.facts.draft_text import Sentence, quote_span
from reportgen.facts.model import Fact
from reportgen.facts.store import Store
from reportgen.units import UNITS

if TYPE_CHECKING:
    from reportgen.facts.draft import Draft, DraftFact, _Work


def fill(work: _Work, made: DraftFact, sentence: Sentence) -> None:
    text = work.text
    published = work.result.source.published.date
    quote_text = text[made.quote[0] : made.quote[1]]
    future = guess.is_future(quote_text)
    found, span = guess.period(text, made.quote, made.at, published, future)
    if span is None and made.quote[0] > sentence.start:
        # Only a time phrase before the figure ("In 2023, it sold…"): one after it may
        # belong to the next clause's figure.
        lead = max(
            [sentence.start]
            + [m.end() for m in _COORDINATED.finditer(text, sentence.start, made.quote[0])]
        )
        wider, wide_span = guess.period(text, (lead, made.quote[1]), made.at, published, future)
        if wide_span is not None:
            need = (min(made.at, wide_span[0]), max(made.quantity.end, wide_span[1]))
            made.quote = quote_span(text, sentence, work.keep, need)
            found = wider
    made.fields["period"] = found
    quote_text = text[made.quote[0] : made.quote[1]]
    made.fields["status"] = guess.status(quote_text, text[sentence.start : made.quote[0]])
    made.fields["unit"] = _unit(work, made, sentence)
    made.fields["metric"] = work.namer.metric(
        guess.metric(text, made.quote, made.at, made.value("unit"))
    )
    made.fields["entity"] = work.namer.entity(text, made.quote, made.at, sentence)
    made.fields["id"] = work.namer.fact_id(made)
    made.supersedes = work.namer.supersedes(made)


#: Where a coordinated clause starts, often with another subject ("…, and the
#: government has offered…"): a time phrase before it is not this figure's.
_COORDINATED = re.compile(r",\s+(?:and|but|while)\s|;\s")
_ANNUAL = re.compile(r"\bannual(?:ly)?\b|\b(?:a|per|each) year\b", re.I)
_PRONOUN = re.compile(
    r"^(?:it|its|they|their|the (?:company|group|carmaker|truckmaker|firm|maker|operator))\b",
    re.I,
)


def _unit(work: _Work, made: DraftFact, sentence: Sentence) -> guess.Guess:
    """Said by the number, else named before it in the sentence, else the unit of the
    figure before (a list of counts: "31,000 cars in the UK and 22,500 in Germany")."""
    found = guess.unit(work.text, made.quantity, work.preferred)
    quote = work.text[made.quote[0] : made.quote[1]]
    yearly = f"{found.value}/year"
    if found.value and yearly in UNITS and _ANNUAL.search(quote):
        return guess.Guess(yearly, f"{found.basis}; 'annual' in the quote")
    if found.value:
        return found
    before = guess.unit_before(work.text, sentence.start, made.at)
    if before is not None:
        return before
    for earlier in reversed(work.result.facts):
        code = earlier.value("unit")
        if code in UNITS and UNITS[code].kind == "count":
            return guess.Guess(code, "no unit by the number: the unit of the figure before")
    return guess.Guess("count", "no unit by the number: name one of seeds/units.yaml")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Namer:
    """Names that must fit the store: entities by name or alias, ids unique across the
    store and the draft, one unit per metric."""

    def __init__(self, store: Store, result: Draft) -> None:
        self.store, self.result = store, result
        self.taken = set(store.locations) | set(store.sources)
        self.units: dict[str, str] = {f.metric: f.unit for f in store.facts.values()}
        self.names: list[tuple[str, str]] = []
        for entity in store.entities.values():
            for name in {entity.name, entity.short_name, *entity.aliases} - {None}:
                assert name is not None
                self.names.append((name, entity.id))
        self.names.sort(key=lambda n: -len(n[0]))
        #: The entity the last figure was about: "It" in the next sentence.
        self.last: str | None = None

    def metric(self, found: guess.Guess) -> guess.Guess:
        return found

    def unique_metric(self, name: str, unit: str) -> str:
        """``name``, or ``name_<unit>`` when the store counts ``name`` in another unit."""
        if self.units.setdefault(name, unit) == unit:
            return name
        other = f"{name}_{re.sub(r'[^a-z0-9]+', '_', unit.lower()).strip('_')}"
        self.units.setdefault(other, unit)
        return other

    def _known(self, text: str, span: tuple[int, int], at: int) -> tuple[str, str] | None:
        hits: list[tuple[int, int, str, str]] = []
        for name, entity_id in self.names:
            pattern = r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"
            for match in re.finditer(pattern, text[span[0] : span[1]]):
                where = span[0] + match.start()
                distance = abs(where - at) + (0 if where < at else 1000)
                hits.append((distance, -len(name), name, entity_id))
        if not hits:
            return None
        _, _, name, entity_id = min(hits)
        return name, entity_id

    def entity(self, text: str, quote: tuple[int, int], at: int, sentence: Sentence) -> guess.Guess:
        known = self._known(text, quote, at)
        if known:
            self.last = known[1]
            return guess.Guess(known[1], f"'{known[0]}' in the quote")
        if self.last is not None and _PRONOUN.match(text[sentence.start : sentence.end]):
            return guess.Guess(self.last, "the entity of the figure before ('it', 'the company')")
        for scope, where in (((sentence.start, sentence.end), "the sentence"),):
            known = self._known(text, scope, at)
            if known:
                self.last = known[1]
                return guess.Guess(known[1], f"'{known[0]}' in {where}")
        names = [n for n in guess.names_in(text, (sentence.start, at)) if len(n[1]) > 2]
        if names:
            return self._new(names[-1][1], "in the sentence")
        if self.last is not None:
            return guess.Guess(self.last, "the entity of the figure before")
        earlier = self._known(text, (0, sentence.start), sentence.start)
        if earlier:
            self.last = earlier[1]
            return guess.Guess(earlier[1], f"'{earlier[0]}' earlier in the article")
        headline = guess.names_in(text, (0, text.find("\n") if "\n" in text else len(text)))
        if headline:
            return self._new(headline[0][1], "in the headline")
        return guess.Guess("unknown", "no entity named: write one of seeds/facts/ entities")

    def _new(self, name: str, where: str) -> guess.Guess:
        from reportgen.facts.draft import NewEntity

        for entity in self.result.entities:
            if entity.name == name:
                self.last = entity.id
                return guess.Guess(entity.id, f"'{name}' {where}: a new entity, drafted below")
        entity_id = self._unique(_slug(name)[:60] or "entity")
        self.result.entities.append(NewEntity(entity_id, name))
        self.names.append((name, entity_id))
        self.last = entity_id
        return guess.Guess(entity_id, f"'{name}' {where}: a new entity, drafted below")

    def _unique(self, base: str) -> str:
        candidate, count = base, 1
        while candidate in self.taken:
            count += 1
            candidate = f"{base[:76]}-{count}"
        self.taken.add(candidate)
        return candidate

    def fact_id(self, made: DraftFact) -> guess.Guess:
        metric = self.unique_metric(made.value("metric"), made.value("unit"))
        if metric != made.value("metric"):
            made.fields["metric"] = guess.Guess(
                metric, f"{made.fields['metric'].basis}; the store counts it in another unit"
            )
        period = made.value("period").removeprefix("as-of ")
        base = _slug(f"{made.value('entity')}-{metric}-{period}")[:72].strip("-")
        return guess.Guess(self._unique(base or "fact"), "suggested: entity, metric and period")

    def supersedes(self, made: DraftFact) -> guess.Guess | None:
        """The store's figure for the same entity, metric and period from an older
        source, which a different figure here would replace."""
        source = self.result.source
        for old in self.store.facts.values():
            if (old.entity, old.metric, old.period, old.unit) != tuple(
                made.value(k) for k in ("entity", "metric", "period", "unit")
            ):
                continue
            older = self.store.sources.get(old.source)
            if older is None or older.published.date >= source.published.date:
                continue
            if _same(old, made) or (old.low is None and made.quantity.low is not None):
                continue
            current = self.store.current(old.id)
            return guess.Guess(
                current, f"fact '{current}' ({old.source}) gives this entity, metric and "
                "period another figure: keep supersedes if this replaces it, else declare a "
                "conflict",
            )  # fmt: skip
        return None


def _same(old: Fact, made: DraftFact) -> bool:
    from reportgen.facts.draft import figures

    mine = figures(made)
    return (old.value, old.low, old.high) == (
        mine.get("value"),
        mine.get("low"),
        mine.get("high"),
    ) and old.status == made.value("status")
