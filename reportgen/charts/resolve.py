"""From spec to marks: the figures a chart shows, as labels, alt text and a source line.

Everything a chart says in words is decided here, before any drawing, so that
``reportgen check`` can validate it and the cache can hash it without importing
matplotlib. The builders in ``kinds`` only place these marks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from reportgen.charts.spec import (
    TEXT_REF,
    BarChart,
    ChartSpec,
    GroupedBarChart,
    LineChart,
    LoadedSpec,
    Look,
    Point,
    ShareChart,
    StackedBarChart,
    figure_refs,
    period_year,
)
from reportgen.errors import Problems, ReportError
from reportgen.facts.store import Figure, Store
from reportgen.numbers import format_figure
from reportgen.units import UNITS
from reportgen.yamlio import locate

_LOOK_OF_STATUS: dict[str, Look] = {
    "actual": "actual",
    "estimated": "estimate",
    "expected": "estimate",
    "planned": "plan",
    "target": "plan",
}
_KIND_NOUN = {
    "bar": "Bar chart",
    "grouped_bar": "Grouped bar chart",
    "stacked_bar": "Stacked bar chart",
    "share": "Share chart",
    "line": "Line chart",
}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Totals and shares may differ from the sum of what they stand for by rounding only.
_TOLERANCE = 0.005
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


def _mark(store: Store, point: Point, year_needed: bool = False) -> Mark:
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


def _extra(store: Store, figure_id: str | None, label: str) -> Mark | None:
    if figure_id is None:
        return None
    return _mark(store, Point(id=figure_id, label=label))


def fill_text(text: str | None, store: Store) -> str:
    """Prose with ``{id}`` and ``{id:short}`` replaced by the figures, as formatted."""
    if not text:
        return ""

    def figure_text(match: object) -> str:
        assert hasattr(match, "group")
        fig = store.figure(store.current(match.group(1)))
        return format_figure(fig, "short" if match.group(2) == "short" else "text")

    return TEXT_REF.sub(figure_text, text)


def _groups(spec: ChartSpec, store: Store) -> list[MarkGroup]:
    if isinstance(spec, BarChart):
        marks = []
        for bar in spec.bars:
            point = bar.point()
            if point is None:
                marks.append(Mark(bar.label or "", None, "actual", absent=bar.absent))
            else:
                marks.append(_mark(store, point))
        return [MarkGroup("", tuple(marks))]
    if isinstance(spec, GroupedBarChart):
        return [
            MarkGroup(
                g.label,
                tuple(_mark(store, p) for p in g.bars),
                extra=_extra(store, g.change, "change"),
            )
            for g in spec.groups
        ]
    if isinstance(spec, StackedBarChart):
        return [
            MarkGroup(
                r.label,
                tuple(_mark(store, p) for p in r.segments),
                extra=_extra(store, r.total, "total"),
            )
            for r in spec.rows
        ]
    if isinstance(spec, ShareChart):
        return [
            MarkGroup(
                r.label,
                (_mark(store, r.part),),
                extra=_extra(store, r.share, "share"),
                whole=_mark(store, r.whole),
            )
            for r in spec.rows
        ]
    assert isinstance(spec, LineChart)
    return [
        MarkGroup(s.label, tuple(_mark(store, p, year_needed=True) for p in s.points))
        for s in spec.series
    ]


def axis_unit(mark: Mark) -> str:
    """The unit a mark is plotted in: a whole year's vehicles are vehicles per year."""
    if mark.unit == "vehicles" and mark.figure and _WHOLE_YEAR.match(mark.figure.period or ""):
        return "vehicles/year"
    return mark.unit


def _consistency(
    spec: ChartSpec, groups: list[MarkGroup]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Units that cannot share an axis, totals that do not add up: (spec path, message)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    key = {"bar": "bars", "grouped_bar": "groups", "stacked_bar": "rows", "share": "rows"}
    top = key.get(spec.kind, "series")
    shared_axis = spec.kind != "grouped_bar"
    units = {axis_unit(m) for g in groups for m in g.marks if m.figure}
    if shared_axis and len(units) > 1:
        found.append(((top,), f"figures in units {', '.join(sorted(units))} cannot share an axis"))
    for i, group in enumerate(groups):
        plotted = [m for m in group.marks if m.figure]
        if any(m.value < 0 for m in plotted):
            found.append(((top, i), "negative values cannot be drawn: bars and lines start at 0"))
        if not shared_axis and len({axis_unit(m) for m in plotted}) > 1:
            found.append(((top, i), "bars in one group must share a unit"))
        extra, whole = group.extra, group.whole
        if spec.kind == "stacked_bar" and extra and extra.figure:
            total = sum(m.value for m in plotted)
            if axis_unit(extra) != axis_unit(plotted[0]) or not math.isclose(
                total, extra.value, rel_tol=_TOLERANCE
            ):
                found.append(
                    (
                        (top, i, "total"),
                        f"total '{extra.figure.id}' ({extra.short}) is not the sum of the segments",
                    )
                )
        if spec.kind == "share" and whole and whole.figure:
            part = plotted[0]
            if axis_unit(part) != axis_unit(whole) or part.value > whole.value:
                found.append(
                    ((top, i, "part"), "the part must be in the whole's unit and no larger than it")
                )
            elif (
                extra
                and extra.figure
                and not math.isclose(
                    part.value / whole.value * 100, extra.value, rel_tol=_TOLERANCE
                )
            ):
                found.append(((top, i, "share"), f"share '{extra.figure.id}' is not part / whole"))
        if (
            extra
            and extra.figure
            and spec.kind in ("share", "grouped_bar")
            and UNITS[extra.unit].kind != "percent"
        ):
            found.append(((top, i), f"'{extra.figure.id}' must be a percent figure"))
        years = [m.year for m in plotted if m.year is not None]
        if spec.kind == "line" and years != sorted(set(years)):
            found.append(((top, i, "points"), "points must be in order of year, one per year"))
    return found


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
        date = source.published.date
        year, _, month = date.partition("-")
        when = f"{_MONTHS[int(month[:2]) - 1]} {year}" if month else year
        publisher = f", {source.publisher}" if source.publisher else ""
        parts.append(f"“{source.title}”{publisher}, {when}")
    label = "Source" if len(parts) == 1 else "Sources"
    line = f"{label}: {'; '.join(parts)}."
    if any(fig.kind == "derived" for fig in figures):
        whose = "source's" if len(parts) == 1 else "sources'"
        line += f" Totals, shares and implied values are calculated from the {whose} figures."
    return line


def alt_text(resolved_kind: str, title: str, groups: list[MarkGroup], axis: str) -> str:
    parts = [f"{_KIND_NOUN[resolved_kind]}: {title}."]
    for group in groups:
        items = []
        if group.whole:
            items.append(f"{group.whole.label}: {group.whole.words}")
        for mark in group.marks:
            name = str(mark.year) if resolved_kind == "line" else mark.label
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
    spec = item.spec
    try:
        groups = _groups(spec, store)
    except _MarkError as exc:
        path = next((p for ref, p in figure_refs(spec) if ref == exc.figure_id), ())
        problems.add(f"chart '{spec.id}': {exc.message}", locate(item.raw, path, item.raw.loc))
        return None
    bad = _consistency(spec, groups)
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
    title = fill_text(spec.title, store)
    return Resolved(
        spec=spec,
        number=number,
        groups=tuple(groups),
        title=title,
        subtitle=fill_text(spec.subtitle, store),
        caption=fill_text(spec.caption, store),
        note=fill_text(spec.note, store),
        axis=axis,
        source_line=source_line(store, figures),
        alt=alt_text(spec.kind, title, groups, axis),
        figure_ids=tuple(dict.fromkeys(f.id for f in figures)),
    )
