"""The store as published, as one JSON document: what an edition records.

Every fact as stated (qualifier, unit, period, quote, and the sha256 of its source's
text), every derived value as the briefing computes it, the data of every chart, the
edition's number and its date, taken from the data (the newest source's publication
date), never from the clock. Keys are sorted and each record sits on lines of its
own, so that ``git diff`` of two editions reads as the change itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reportgen.errors import Problems
from reportgen.facts.model import Precision, Status
from reportgen.facts.store import Figure, Store

#: The snapshot layout; a reader refuses any other.
FORMAT = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRecord(_Record):
    title: str
    publisher: str | None = None
    published: str
    sha256: str
    url: str | None = None


class FactRecord(_Record):
    entity: str
    metric: str
    value: int | float | None = None
    low: int | float | None = None
    high: int | float | None = None
    unit: str
    precision: Precision
    status: Status
    period: str
    label: str
    source: str
    source_sha256: str
    quote: str
    supersedes: str | None = None
    superseded_by: str | None = None

    def figure(self, fact_id: str) -> Figure:
        """The record as the number formatters and figure helpers take it."""
        value = float(self.value if self.value is not None else self.low or 0)
        return replace(
            _figure(self, fact_id, "fact", value, (self.source,)),
            low=None if self.low is None else float(self.low),
            high=None if self.high is None else float(self.high),
            quote=self.quote,
        )

    def stated(self) -> tuple[object, ...]:
        """What a reader of the fact sees; a change in any of it is a changed fact."""
        return (
            self.entity,
            self.metric,
            self.value,
            self.low,
            self.high,
            self.unit,
            self.precision,
            self.status,
            self.period,
            self.source,
            self.quote,
        )


class DerivedRecord(_Record):
    label: str
    formula: str
    unit: str
    value: float
    decimals: int
    precision: Precision
    status: Status
    period: str | None = None
    entity: str | None = None
    metric: str | None = None
    #: The sources the value rests on (through the current figure of a superseded input).
    sources: list[str]

    def figure(self, metric_id: str, value: float | None = None, unit: str | None = None) -> Figure:
        shown = self.value if value is None else value
        return replace(
            _figure(self, metric_id, "derived", shown, tuple(self.sources)),
            unit=unit or self.unit,
            decimals=self.decimals,
            formula=self.formula,
        )


def _figure(
    record: FactRecord | DerivedRecord,
    figure_id: str,
    kind: Literal["fact", "derived"],
    value: float,
    sources: tuple[str, ...],
) -> Figure:
    """What a fact's record and a derived metric's give a Figure alike; each kind's
    ``figure`` adds its own."""
    return Figure(
        id=figure_id,
        kind=kind,
        value=value,
        unit=record.unit,
        precision=record.precision,
        status=record.status,
        label=record.label,
        period=record.period,
        entity=record.entity,
        metric=record.metric,
        sources=sources,
    )


class MarkRecord(_Record):
    """One figure on a chart: its row or series, its label and what it shows."""

    group: str
    label: str
    figure: str | None = None
    value: float | None = None
    look: str


class ChartRecord(_Record):
    title: str
    marks: list[MarkRecord]


class Snapshot(_Record):
    format: Literal[1] = 1
    edition: int
    #: The newest source's publication date (YYYY, YYYY-MM or YYYY-MM-DD).
    date: str | None
    sources: dict[str, SourceRecord]
    facts: dict[str, FactRecord]
    derived: dict[str, DerivedRecord]
    charts: dict[str, ChartRecord]

    def dumps(self) -> bytes:
        data = self.model_dump(mode="json", exclude_none=True)
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
        return (text + "\n").encode("utf-8")


def take(store: Store, project: Path, edition: int) -> Snapshot:
    """The snapshot of ``store`` (loaded and verified) as edition number ``edition``."""
    sources = {
        sid: SourceRecord(
            title=s.title,
            publisher=s.publisher,
            published=s.published.date,
            sha256=s.sha256,
            url=s.url,
        )
        for sid, s in store.sources.items()
    }
    facts = {fid: _fact(store, fid) for fid in sorted(store.facts)}
    derived = {
        did: _derived(store.figure(did))
        for did in sorted(store.derived)
        if did in store.derived_values
    }
    dates = sorted((s.published for s in sources.values()), key=lambda d: (d, len(d)), reverse=True)
    return Snapshot(
        edition=edition,
        date=dates[0] if dates else None,
        sources=sources,
        facts=facts,
        derived=derived,
        charts=_charts(store, project),
    )


def _fact(store: Store, fact_id: str) -> FactRecord:
    fact = store.facts[fact_id]
    source = store.sources.get(fact.source)
    return FactRecord(
        entity=fact.entity,
        metric=fact.metric,
        value=fact.value,
        low=fact.low,
        high=fact.high,
        unit=fact.unit,
        precision=fact.precision,
        status=fact.status,
        period=fact.period,
        label=fact.label or store.entity_name(fact.entity),
        source=fact.source,
        source_sha256=source.sha256 if source is not None else "",
        quote=fact.quote,
        supersedes=fact.supersedes,
        superseded_by=store.superseded_by(fact_id),
    )


def _derived(fig: Figure) -> DerivedRecord:
    return DerivedRecord(
        label=fig.label,
        formula=fig.formula or "",
        unit=fig.unit,
        value=fig.value,
        decimals=fig.decimals or 0,
        precision=fig.precision,
        status=fig.status,
        period=fig.period,
        entity=fig.entity,
        metric=fig.metric,
        sources=list(fig.sources),
    )


def _charts(store: Store, project: Path) -> dict[str, ChartRecord]:
    """Each chart's figures as it would draw them (nothing is drawn)."""
    from reportgen.charts import resolve_charts

    problems = Problems()
    charts: dict[str, ChartRecord] = {}
    for chart in resolve_charts(store, project, problems):
        marks: list[MarkRecord] = []
        for group in chart.groups:
            extras = [m for m in (group.whole, group.extra) if m is not None]
            for mark in [*group.marks, *extras]:
                marks.append(
                    MarkRecord(
                        group=group.label,
                        label=mark.label,
                        figure=mark.figure.id if mark.figure else None,
                        value=mark.figure.value if mark.figure else None,
                        look=mark.look,
                    )
                )
        charts[chart.spec.id] = ChartRecord(title=chart.title, marks=marks)
    # A chart that does not resolve fails check and build, which report it.
    problems.raise_if_any()
    return charts
