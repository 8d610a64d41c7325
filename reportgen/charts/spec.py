"""Chart specs: one YAML file per chart in ``charts/``, validated against the fact store.

A spec names figures by id and never holds a number: the values, qualifiers and
sources all come from the store, so a chart cannot drift from the facts. Text
fields may quote a figure as ``{fact-id}`` (the briefing's wording) or
``{fact-id:short}`` (a chart label such as "~700k"); a literal number in them is
an error, because it would be an unsourced figure. This module must not import
matplotlib: ``reportgen check`` uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.model import PERIOD, Id, Text
from reportgen.facts.store import Store
from reportgen.yamlio import YMap, YSeq, load_yaml, locate, validate

Short = Annotated[str, StringConstraints(min_length=1, max_length=60)]
#: How a mark is drawn. By default it follows the figure's status: "actual" solid,
#: "estimate" (estimated, expected) and "plan" (planned, target) hatched or dashed.
#: "implied" marks a value back-calculated from other figures.
Look = Literal["actual", "estimate", "plan", "implied"]

#: ``{id}`` or ``{id:short}`` inside text fields.
TEXT_REF = re.compile(r"\{([a-z0-9][a-z0-9-]*[a-z0-9])(?::(short|text))?\}")
#: Digits in prose that are not a year (2022), a half or quarter (H1, Q3) or a figure reference.
_LITERAL_NUMBER = re.compile(
    r"(?<![\w{-])(?!(?:19|20)\d\d(?!\d))\d[\d,.]*(?![\w-]*\})"
    r"|\b(?:hundred|thousand|million|billion|trillion)s?\b",
    re.IGNORECASE,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Point(_Strict):
    """One plotted figure. A bare id is short for ``{id: ...}``."""

    id: Id
    #: Overrides the figure's own label on the chart.
    label: Short | None = None
    #: A word or two printed after the value: "operating", "under construction".
    tag: Short | None = None
    look: Look | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data


class Bar(_Strict):
    """A bar, or a gap with the reason the source gives no value (``absent``)."""

    id: Id | None = None
    label: Short | None = None
    tag: Short | None = None
    look: Look | None = None
    absent: Short | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _value_or_reason(self) -> Bar:
        if (self.id is None) == (self.absent is None):
            raise ValueError("give either 'id' (a figure) or 'absent' (why there is none)")
        if self.absent is not None and self.label is None:
            raise ValueError("a bar without a figure needs a 'label'")
        return self

    def point(self) -> Point | None:
        if self.id is None:
            return None
        return Point(id=self.id, label=self.label, tag=self.tag, look=self.look)


class Group(_Strict):
    label: Short
    bars: Annotated[list[Point], Field(min_length=1, max_length=6)]
    #: A growth or change figure printed between the first and the last bar.
    change: Id | None = None


class Row(_Strict):
    label: Short
    segments: Annotated[list[Point], Field(min_length=1, max_length=8)]
    #: The row's total as a figure in the store; checked against the sum of the segments.
    total: Id | None = None


class ShareRow(_Strict):
    label: Short
    part: Point
    whole: Point
    #: The share as a percent figure in the store; checked against part / whole.
    share: Id | None = None


class Series(_Strict):
    label: Short
    points: Annotated[list[Point], Field(min_length=2, max_length=20)]


class _Chart(_Strict):
    id: Id
    #: Position in the briefing; charts without one follow, by file name.
    order: Annotated[int, Field(ge=1, le=999)] | None = None
    title: Text
    subtitle: Text | None = None
    caption: Text | None = None
    note: Text | None = None
    #: Value-axis label; the default names the unit.
    axis: Short | None = None


class BarChart(_Chart):
    """Horizontal bars, one figure each, labelled directly."""

    kind: Literal["bar"]
    bars: Annotated[list[Bar], Field(min_length=1, max_length=12)]


class GroupedBarChart(_Chart):
    """Groups of bars, each in its own panel with its own axis (units may differ)."""

    kind: Literal["grouped_bar"]
    groups: Annotated[list[Group], Field(min_length=1, max_length=4)]


class StackedBarChart(_Chart):
    """Horizontal rows of stacked segments, with an optional total per row."""

    kind: Literal["stacked_bar"]
    rows: Annotated[list[Row], Field(min_length=1, max_length=6)]


class ShareChart(_Chart):
    """A part against its whole, one row per comparison."""

    kind: Literal["share"]
    rows: Annotated[list[ShareRow], Field(min_length=1, max_length=4)]


class LineChart(_Chart):
    """Values over years; a segment leading to a plan or target is dashed."""

    kind: Literal["line"]
    series: Annotated[list[Series], Field(min_length=1, max_length=5)]


ChartSpec = BarChart | GroupedBarChart | StackedBarChart | ShareChart | LineChart
KINDS: dict[str, type[ChartSpec]] = {
    "bar": BarChart,
    "grouped_bar": GroupedBarChart,
    "stacked_bar": StackedBarChart,
    "share": ShareChart,
    "line": LineChart,
}


@dataclass(frozen=True)
class LoadedSpec:
    spec: ChartSpec
    #: The file as the user reads it (relative to the project).
    shown: str
    file: Path
    raw: YMap


def spec_files(project: Path) -> list[Path]:
    folder = project / "charts"
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def load_specs(project: Path, problems: Problems) -> list[LoadedSpec]:
    """Parse and validate every ``charts/*.yaml``, in briefing order."""
    loaded: list[LoadedSpec] = []
    for file in spec_files(project):
        shown = relative(file, project)
        try:
            raw = load_yaml(file, shown)
        except ReportError as exc:
            problems.extend(exc)
            continue
        if not isinstance(raw, YMap):
            where = raw.loc if isinstance(raw, YSeq) else Location(shown, 1)
            problems.add("a chart spec is a mapping with id, kind, title, ...", where)
            continue
        kind = raw.get("kind")
        model = KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            shown_kind = f"'{kind}'" if kind is not None else "none given"
            problems.add(
                f"unknown chart kind ({shown_kind}); valid kinds: {', '.join(sorted(KINDS))}",
                raw.at("kind"),
            )
            continue
        local = Problems()
        spec = validate(model, raw, raw.loc, local)
        for problem in local:
            message = problem.message
            if message.startswith("unknown field"):
                message += f" in a {kind} chart"
            problems.add(message, problem.location)
        if spec is not None:
            loaded.append(LoadedSpec(spec, shown, file, raw))
    _check_ids(loaded, problems)
    return sorted(loaded, key=lambda s: (s.spec.order is None, s.spec.order or 0, s.file.name))


def _check_ids(loaded: list[LoadedSpec], problems: Problems) -> None:
    seen: dict[str, LoadedSpec] = {}
    orders: dict[int, LoadedSpec] = {}
    for item in loaded:
        first = seen.setdefault(item.spec.id, item)
        if first is not item:
            problems.add(
                f"duplicate chart id '{item.spec.id}' (also in {first.shown})", item.raw.at("id")
            )
        if item.spec.order is not None:
            other = orders.setdefault(item.spec.order, item)
            if other is not item:
                problems.add(
                    f"order {item.spec.order} is also given to {other.shown}", item.raw.at("order")
                )


def figure_refs(spec: ChartSpec) -> list[tuple[str, tuple[str | int, ...]]]:
    """Every figure id a spec reads, with its path inside the spec (for locations)."""
    refs: list[tuple[str, tuple[str | int, ...]]] = []
    if isinstance(spec, BarChart):
        refs += [(b.id, ("bars", i)) for i, b in enumerate(spec.bars) if b.id]
    elif isinstance(spec, GroupedBarChart):
        for g, group in enumerate(spec.groups):
            refs += [(p.id, ("groups", g, "bars", i)) for i, p in enumerate(group.bars)]
            if group.change:
                refs.append((group.change, ("groups", g, "change")))
    elif isinstance(spec, StackedBarChart):
        for r, row in enumerate(spec.rows):
            refs += [(p.id, ("rows", r, "segments", i)) for i, p in enumerate(row.segments)]
            if row.total:
                refs.append((row.total, ("rows", r, "total")))
    elif isinstance(spec, ShareChart):
        for r, share_row in enumerate(spec.rows):
            refs.append((share_row.part.id, ("rows", r, "part")))
            refs.append((share_row.whole.id, ("rows", r, "whole")))
            if share_row.share:
                refs.append((share_row.share, ("rows", r, "share")))
    else:
        for s, series in enumerate(spec.series):
            refs += [(p.id, ("series", s, "points", i)) for i, p in enumerate(series.points)]
    for field in ("title", "subtitle", "caption", "note", "axis"):
        text = getattr(spec, field)
        if text:
            refs += [(m.group(1), (field,)) for m in TEXT_REF.finditer(text)]
    return refs


_PROSE_KEYS = frozenset({"title", "subtitle", "caption", "note", "axis", "label", "tag", "absent"})


def text_problems(raw: Any) -> list[tuple[Location, str]]:
    """Literal numbers in the spec's prose, wherever it sits: (location, message)."""
    found: list[tuple[Location, str]] = []
    if isinstance(raw, YMap):
        for key, value in raw.items():
            if key in _PROSE_KEYS and isinstance(value, str):
                match = _LITERAL_NUMBER.search(TEXT_REF.sub("", value))
                if match:
                    found.append(
                        (
                            raw.at(key),
                            f"{key}: literal number '{match.group(0)}'; "
                            "quote figures as {fact-id} or {fact-id:short}",
                        )
                    )
            else:
                found += text_problems(value)
    elif isinstance(raw, YSeq):
        for value in raw:
            found += text_problems(value)
    return found


def period_year(period: str | None) -> int | None:
    match = PERIOD.match(period or "")
    return int(match.group("year")) if match else None


def check_against_store(item: LoadedSpec, store: Store, problems: Problems) -> bool:
    """Every id exists and has a value; no literal numbers in text. False if any problem."""
    ok = True
    spec, raw = item.spec, item.raw
    for ref, path in figure_refs(spec):
        where = locate(raw, path, raw.loc)
        if not store.has(ref):
            problems.add(f"chart '{spec.id}': no fact or derived metric '{ref}'", where)
            ok = False
        elif ref in store.derived and ref not in store.values:
            ok = False  # derive() has reported why it has no value
    for where, message in text_problems(raw):
        problems.add(f"chart '{spec.id}': {message}", where)
        ok = False
    return ok
