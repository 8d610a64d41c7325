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

from reportgen.charts.kind import ChartKind, SpecPath
from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.model import Id, Text
from reportgen.facts.quantities.typed import number_spans
from reportgen.facts.store import Store
from reportgen.periods import PERIOD
from reportgen.yamlio import YMap, YSeq, load_yaml, locate, validate

Short = Annotated[str, StringConstraints(min_length=1, max_length=60)]
#: How a mark is drawn. By default it follows the figure's status: "actual" solid,
#: "estimate" (estimated, expected) and "plan" (planned, target) hatched or dashed.
#: "implied" marks a value back-calculated from other figures.
Look = Literal["actual", "estimate", "plan", "implied"]

#: ``{id}``, ``{id:short}``, ``{id:year}`` or ``{id:period}`` inside text fields.
TEXT_REF = re.compile(r"\{([a-z0-9][a-z0-9-]*[a-z0-9])(?::(short|text|period|year))?\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Marked(Strict):
    """What a spec may say of a figure it plots. A bare id is short for ``{id: ...}``."""

    id: Id | None = None
    #: Overrides the figure's own label on the chart.
    label: Short | None = None
    #: A word or two printed after the value: "operating", "under construction".
    tag: Short | None = None
    look: Look | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, data: Any) -> Any:
        return {"id": data} if isinstance(data, str) else data


class Point(Marked):
    """One plotted figure."""

    id: Id


class ChartSpec(Strict):
    """What every kind of chart has; each kind's model (:mod:`reportgen.charts.kinds`)
    adds its own ``kind`` and the figures it plots."""

    id: Id
    kind: str
    #: Position in the briefing; charts without one follow, by file name.
    order: Annotated[int, Field(ge=1, le=999)] | None = None
    title: Text
    subtitle: Text | None = None
    caption: Text | None = None
    note: Text | None = None
    #: Value-axis label; the default names the unit.
    axis: Short | None = None


@dataclass(frozen=True)
class LoadedSpec:
    spec: ChartSpec
    #: The file as the user reads it (relative to the project).
    shown: str
    file: Path
    raw: YMap
    #: The spec's kind, which knows the figures it reads.
    kind: ChartKind[Any]


def spec_files(project: Path) -> list[Path]:
    folder = project / "charts"
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def load_specs(project: Path, problems: Problems) -> list[LoadedSpec]:
    """Parse and validate every ``charts/*.yaml``, in briefing order."""
    # The kinds' models build on this module's, so the table is imported here.
    from reportgen.charts.kinds import KINDS

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
        chart_kind = KINDS.get(kind) if isinstance(kind, str) else None
        if chart_kind is None:
            shown_kind = f"'{kind}'" if kind is not None else "none given"
            problems.add(
                f"unknown chart kind ({shown_kind}); valid kinds: {', '.join(sorted(KINDS))}",
                raw.at("kind"),
            )
            continue
        local = Problems()
        spec = validate(chart_kind.model, raw, raw.loc, local)
        for problem in local:
            message = problem.message
            if message.startswith("unknown field"):
                message += f" in a {kind} chart"
            problems.add(message, problem.location)
        if spec is not None:
            loaded.append(LoadedSpec(spec, shown, file, raw, chart_kind))
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


def figure_refs(item: LoadedSpec) -> list[tuple[str, SpecPath]]:
    """Every figure id a spec reads, with its path inside the spec (for locations)."""
    spec = item.spec
    refs = item.kind.figure_refs(spec)
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
                found += [(raw.at(key), message) for message in _typed(key, value)]
            else:
                found += text_problems(value)
    elif isinstance(raw, YSeq):
        for value in raw:
            found += text_problems(value)
    return found


def _typed(key: str, value: str) -> list[str]:
    """Every figure, year or period typed in a text field, in digits or in words (read as
    the briefing's figure scan reads templates), in one message for the field."""
    text = TEXT_REF.sub(lambda m: " " * len(m.group(0)), value)
    found = [
        f"{'number' if kind in ('quantity', 'unread') else kind} '{text[start:end]}'"
        for start, end, kind in number_spans(text)
    ]
    if not found:
        return []
    return [
        f"{key}: typed {', '.join(found)}; quote figures as {{fact-id}} or {{fact-id:short}}, "
        "a figure's year or period as {fact-id:year} or {fact-id:period}"
    ]


def period_year(period: str | None) -> int | None:
    match = PERIOD.match(period or "")
    return int(match.group("year")) if match else None


def check_against_store(item: LoadedSpec, store: Store, problems: Problems) -> bool:
    """Every id exists and has a value; no literal numbers in text. False if any problem."""
    ok = True
    spec, raw = item.spec, item.raw
    for ref, path in figure_refs(item):
        where = locate(raw, path, raw.loc)
        if not store.has(ref):
            problems.add(f"chart '{spec.id}': no fact or derived metric '{ref}'", where)
            ok = False
        elif ref in store.derived and ref not in store.derived_values:
            ok = False  # derive() has reported why it has no value
    for where, message in text_problems(raw):
        problems.add(f"chart '{spec.id}': {message}", where)
        ok = False
    return ok
