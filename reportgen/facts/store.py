"""The loaded fact store and the one way the rest of reportgen reads a figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reportgen.errors import Location, ReportError
from reportgen.facts.model import (
    Conflict,
    Derived,
    Entity,
    Fact,
    Ignored,
    Precision,
    ReportMeta,
    Source,
    Status,
)


@dataclass(frozen=True)
class Figure:
    """A fact or a derived metric, as charts and templates see it."""

    id: str
    kind: Literal["fact", "derived"]
    value: float
    unit: str
    precision: Precision
    status: Status
    label: str
    period: str | None
    entity: str | None
    metric: str | None
    #: Source ids the figure rests on (one for a fact, the union for a derived metric).
    sources: tuple[str, ...]
    #: The verbatim quote (facts only).
    quote: str | None = None
    #: Decimal places to print; None means "as precise as the source".
    decimals: int | None = None
    #: Formula with ids in braces, and the ids it reads (derived only).
    formula: str | None = None
    inputs: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    equivalent_of: str | None = None
    #: The two ends of a range fact ("between 180,000 and 200,000").
    low: float | None = None
    high: float | None = None
    #: Where in ``quote`` the number the fact states stands (start, end), once checked.
    stated: tuple[int, int] | None = None


@dataclass
class Store:
    """Everything under ``seeds/``, validated; derived values filled in by ``derive``."""

    root: Path
    meta: ReportMeta | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    #: Source id -> the article's text, exactly as on disk.
    texts: dict[str, str] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    derived: dict[str, Derived] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    ignored: list[Ignored] = field(default_factory=list)
    #: Where each record was written: id (or "ignore:N") -> location.
    locations: dict[str, Location] = field(default_factory=dict)
    #: Values of derived metrics, computed at load (facts keep theirs).
    derived_values: dict[str, float] = field(default_factory=dict)
    #: Derived metric id -> the facts it ultimately rests on, found with its value.
    leaves: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Fact id -> where in its quote the number it states stands (set by the checks).
    stated: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Conflicts found by comparing facts, in addition to the declared ones.
    detected_conflicts: list[Conflict] = field(default_factory=list)
    #: Some records could not be read: checks that need the whole store (references,
    #: coverage) are skipped, so one broken file does not bury its own error under
    #: dozens of "unknown id" lines that fixing it will clear.
    partial: bool = False
    #: Every file read, for the build manifest and the chart cache.
    input_files: list[Path] = field(default_factory=list)
    _replaced: tuple[int, dict[str, str]] | None = field(default=None, repr=False)

    def where(self, record_id: str) -> Location | None:
        return self.locations.get(record_id)

    def has(self, figure_id: str) -> bool:
        return figure_id in self.facts or figure_id in self.derived

    def figure(self, figure_id: str) -> Figure:
        """The fact or derived metric ``figure_id``; ReportError if there is none."""
        if figure_id in self.facts:
            fact = self.facts[figure_id]
            return Figure(
                id=fact.id,
                kind="fact",
                value=fact.figure,
                low=None if fact.low is None else float(fact.low),
                high=None if fact.high is None else float(fact.high),
                stated=self.stated.get(fact.id),
                unit=fact.unit,
                precision=fact.precision,
                status=fact.status,
                label=fact.label or self.entity_name(fact.entity),
                period=fact.period,
                entity=fact.entity,
                metric=fact.metric,
                sources=(fact.source,),
                quote=fact.quote,
                equivalent_of=fact.equivalent_of,
            )
        if figure_id in self.derived:
            from reportgen.facts.derive import describe  # derive imports this module

            return describe(self, figure_id)
        raise ReportError(f"no fact or derived metric with id '{figure_id}'")

    def entity_name(self, entity_id: str) -> str:
        entity = self.entities.get(entity_id)
        if entity is None:
            return entity_id
        return entity.short_name or entity.name

    def all_conflicts(self) -> list[Conflict]:
        return list(self.conflicts.values()) + self.detected_conflicts

    def _replacements(self) -> dict[str, str]:
        """Old fact id -> the id of the fact that says ``supersedes:`` it (kept per
        number of facts: records are only ever added while the store loads)."""
        if self._replaced is None or self._replaced[0] != len(self.facts):
            found: dict[str, str] = {}
            for fact in self.facts.values():
                if fact.supersedes:
                    found.setdefault(fact.supersedes, fact.id)
            self._replaced = (len(self.facts), found)
        return self._replaced[1]

    def superseded_by(self, fact_id: str) -> str | None:
        """The fact that directly replaces ``fact_id`` (``supersedes:``), if any."""
        return self._replacements().get(fact_id)

    def current(self, figure_id: str) -> str:
        """The figure that stands for ``figure_id`` now: the end of its supersession chain
        (text, formulas and charts use it; the appendix keeps every fact as stated)."""
        replaced = self._replacements()
        seen = {figure_id}
        while figure_id in replaced and replaced[figure_id] not in seen:
            figure_id = replaced[figure_id]
            seen.add(figure_id)
        return figure_id

    def equivalents(self, fact_id: str) -> list[Fact]:
        """Facts that restate ``fact_id`` in another unit (the "$1.44 billion")."""
        return [f for f in self.facts.values() if f.equivalent_of == fact_id]
