"""From spec to marks: the figures a chart shows, as labels, alt text and a source line.

Everything a chart says in words is decided here, before any drawing, so that
``reportgen check`` can validate it and the cache can hash it without importing
matplotlib. The builders in ``kinds`` only place these marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportgen.charts.kind import ChartKind, SpecPath
from reportgen.charts.spec import (
    TEXT_REF,
    ChartSpec,
    LoadedSpec,
    Look,
    Point,
    figure_refs,
    period_year,
)
from reportgen.errors import Problems, ReportError
from reportgen.facts.store import Figure, Store
from reportgen.numbers import format_figure
from reportgen.periods import month_year, period_words
from reportgen.units import UNITS
from reportgen.yamlio import locate

_LOOK_OF_STATUS: dict[str, Look] = {
    "actual": "actual",
    "estimated": "estimate",
    "expected": "estimate",
    "planned": "plan",
    "target": "plan",
}
#: Totals and shares may differ from the sum of what they stand for by rounding only.
TOLERANCE = 0.005
_WHOLE_YEAR = re.compile(r"^(?:by |since )?\d{4}$")


@dataclass(frozen=True)
class Mark:
    """One figure on a chart (or a gap where the source gives none)."""

    label: str
    figure: Figure | None
    look: Look
    #: The label printed on the chart: "~150k", "1.5m+ target".
    short: str = ""
    #: The number alone, without its status: "7.6%".
    bare: str = ""
    #: The figure in words for alt text: "about 150,000 vehicles a year (planned)".
    words: str = ""
    tag: str | None = None
    absent: str | None = None
    #: The year a line-chart point sits at.
    year: int | None = None

    @property
    def value(self) -> float:
        return self.figure.value if self.figure else 0.0

    @property
    def unit(self) -> str:
        return self.figure.unit if self.figure else ""


@dataclass(frozen=True)
class MarkGroup:
    """A bar chart's bars, a group, a stacked row, a share row or a line series."""

    label: str
    marks: tuple[Mark, ...]
    #: A stacked row's total, a group's change or a share row's share.
    extra: Mark | None = None
    #: A share row's whole.
    whole: Mark | None = None


@dataclass(frozen=True)
class Resolved:
    """A chart ready to draw and describe."""

    spec: ChartSpec
    #: The spec's kind, which draws the chart and knows its height.
    kind: ChartKind[Any]
    number: int
    groups: tuple[MarkGroup, ...]
    title: str
    subtitle: str
    caption: str
    note: str
    axis: str
    source_line: str
    alt: str = ""
    figure_ids: tuple[str, ...] = field(default=())


class _MarkError(ReportError):
    """A figure that cannot be drawn as the spec asks; located by its id in the spec."""

    def __init__(self, message: str, figure_id: str) -> None:
        super().__init__(message)
        self.figure_id = figure_id


def look_for(fig: Figure, wanted: Look | None) -> Look:
    """The spec's look, unless it would hide the figure's status."""
    own = _LOOK_OF_STATUS[fig.status]
    if wanted is None:
        return own
    if wanted == "actual" and own != "actual":
        raise _MarkError(f"look 'actual' would hide that '{fig.id}' is {fig.status}", fig.id)
    if wanted == "implied" and fig.kind != "derived":
        raise _MarkError(
            f"'{fig.id}' is stated by its source, not implied: drop look 'implied'", fig.id
        )
    return wanted


def short_label(fig: Figure, look: Look) -> str:
    value = format_figure(fig, "short")
    if look == "implied":
        return f"{value} implied"
    if look != "actual":
        return f"{value} {fig.status}"
    return value


def words(fig: Figure, look: Look) -> str:
    text = format_figure(fig, "text")
    if look == "implied":
        text += ", implied by the source's figures"
    return text


def point_mark(store: Store, point: Point, year_needed: bool = False) -> Mark:
    """The mark of one plotted figure; ``year_needed`` places it on a line by its year."""
    fig = store.figure(store.current(point.id))  # a superseded fact shows its successor
    look = look_for(fig, point.look)
    year = period_year(fig.period) if year_needed else None
    if year_needed and year is None:
        raise _MarkError(f"'{fig.id}' has no period with a year to place it on the line", fig.id)
    return Mark(
        label=fill_text(point.label, store) or fig.label,
        figure=fig,
        look=look,
        short=short_label(fig, look),
        bare=format_figure(fig, "short"),
        words=words(fig, look),
        tag=fill_text(point.tag, store) or None,
        year=year,
    )


def extra_mark(store: Store, figure_id: str | None, label: str) -> Mark | None:
    """A group's total, change or share, when the spec names one."""
    if figure_id is None:
        return None
    return point_mark(store, Point(id=figure_id, label=label))


def mark_group(
    store: Store,
    label: str,
    points: list[Point],
    extra: str | None = None,
    extra_label: str = "",
    *,
    whole: Point | None = None,
    year_needed: bool = False,
) -> MarkGroup:
    """One group of a spec as marks: its points, the figure it prints beside them (a
    total, a change, a share) when the spec names one, and the whole they are part of."""
    return MarkGroup(
        label,
        tuple(point_mark(store, p, year_needed) for p in points),
        extra=extra_mark(store, extra, extra_label),
        whole=point_mark(store, whole) if whole else None,
    )


def fill_text(text: str | None, store: Store) -> str:
    """Prose with ``{id}`` and ``{id:short}`` replaced by the figures, as formatted."""
    if not text:
        return ""

    def figure_text(match: object) -> str:
        assert hasattr(match, "group")
        fig = store.figure(store.current(match.group(1)))
        form = match.group(2)
        if form not in ("period", "year"):
            return format_figure(fig, "short" if form == "short" else "text")
        # Years and periods in chart text are the figures' own, never typed.
        year = period_year(fig.period)
        if fig.period is None or year is None:
            raise _MarkError(f"'{fig.id}' has no period to print as {{{fig.id}:{form}}}", fig.id)
        return str(year) if form == "year" else period_words(fig.period)

    return TEXT_REF.sub(figure_text, text)


def axis_unit(mark: Mark) -> str:
    """The unit a mark is plotted in: a whole year's vehicles are vehicles per year."""
    if mark.unit == "vehicles" and mark.figure and _WHOLE_YEAR.match(mark.figure.period or ""):
        return "vehicles/year"
    return mark.unit


def _consistency(kind: ChartKind[ChartSpec], groups: list[MarkGroup]) -> list[tuple[SpecPath, str]]:
    """Units that cannot share an axis, totals that do not add up: (spec path, message)."""
    found: list[tuple[SpecPath, str]] = []
    top = kind.groups_key
    units = {axis_unit(m) for g in groups for m in g.marks if m.figure}
    if kind.shared_axis and len(units) > 1:
        found.append(((top,), f"figures in units {', '.join(sorted(units))} cannot share an axis"))
    for i, group in enumerate(groups):
        if any(m.value < 0 for m in group.marks if m.figure):
            found.append(((top, i), "negative values cannot be drawn: bars and lines start at 0"))
        found += [((top, i, *path), message) for path, message in kind.check_group(group)]
    return found


def percent_extra(group: MarkGroup) -> list[tuple[SpecPath, str]]:
    """A group's change or share must be a percent figure."""
    extra = group.extra
    if extra and extra.figure and UNITS[extra.unit].kind != "percent":
        return [((), f"'{extra.figure.id}' must be a percent figure")]
    return []


def source_line(store: Store, figures: list[Figure]) -> str:
    ids: dict[str, None] = {}
    for fig in figures:
        for source_id in fig.sources:
            ids.setdefault(source_id, None)
    parts = []
    for source_id in ids:
        source = store.sources.get(source_id)
        if source is None:
            parts.append(source_id)
            continue
        when = month_year(source.published.date)
        publisher = f", {source.publisher}" if source.publisher else ""
        parts.append(f"“{source.title}”{publisher}, {when}")
    label = "Source" if len(parts) == 1 else "Sources"
    line = f"{label}: {'; '.join(parts)}."
    if any(fig.kind == "derived" for fig in figures):
        whose = "source's" if len(parts) == 1 else "sources'"
        line += f" Totals, shares and implied values are calculated from the {whose} figures."
    return line


def alt_text(noun: str, title: str, groups: list[MarkGroup]) -> str:
    parts = [f"{noun}: {title}."]
    for group in groups:
        items = []
        if group.whole:
            items.append(f"{group.whole.label}: {group.whole.words}")
        for mark in group.marks:
            # A point on a line is named by its year; only a line's marks have one.
            name = str(mark.year) if mark.year is not None else mark.label
            if mark.absent:
                items.append(f"{name}: no figure ({mark.absent})")
            else:
                tag = f", {mark.tag}" if mark.tag else ""
                items.append(f"{name}: {mark.words}{tag}")
        if group.extra and group.extra.figure:
            items.append(f"{group.extra.label} {group.extra.words}")
        head = f"{group.label}: " if group.label else ""
        parts.append(head + "; ".join(items) + ".")
    return " ".join(parts)


def resolve(item: LoadedSpec, store: Store, number: int, problems: Problems) -> Resolved | None:
    """The chart's marks and words; problems (with locations) if the data do not fit."""
    spec, kind = item.spec, item.kind
    try:
        groups = kind.groups(spec, store)
        title, subtitle, caption, note = (
            fill_text(text, store) for text in (spec.title, spec.subtitle, spec.caption, spec.note)
        )
    except _MarkError as exc:
        path = next((p for ref, p in figure_refs(item) if ref == exc.figure_id), ())
        problems.add(f"chart '{spec.id}': {exc.message}", locate(item.raw, path, item.raw.loc))
        return None
    bad = _consistency(kind, groups)
    for path, message in bad:
        problems.add(f"chart '{spec.id}': {message}", locate(item.raw, path, item.raw.loc))
    if bad:
        return None
    figures = [
        m.figure
        for g in groups
        for m in (g.whole, *g.marks, g.extra)
        if m is not None and m.figure is not None
    ]
    units = [axis_unit(m) for g in groups for m in g.marks if m.figure]
    axis = spec.axis or (UNITS[units[0]].axis if units else "")
    return Resolved(
        spec=spec,
        kind=kind,
        number=number,
        groups=tuple(groups),
        title=title,
        subtitle=subtitle,
        caption=caption,
        note=note,
        axis=axis,
        source_line=source_line(store, figures),
        alt=alt_text(kind.noun, title, groups),
        figure_ids=tuple(dict.fromkeys(f.id for f in figures)),
    )
