"""Stacked bar chart: columns of stacked segments, with an optional total per column,
the segments named beside the last column."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from reportgen.charts import shapes, style
from reportgen.charts.kind import Box, ChartKind, SpecPath
from reportgen.charts.resolve import (
    TOLERANCE,
    MarkGroup,
    Resolved,
    axis_unit,
    mark_group,
)
from reportgen.charts.spec import ChartSpec, Point, Short, Strict
from reportgen.charts.style import GAP, PALETTE, TEXT, Margins
from reportgen.facts.model import Id

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from reportgen.facts.store import Store


class Row(Strict):
    label: Short
    segments: Annotated[list[Point], Field(min_length=1, max_length=8)]
    #: The row's total as a figure in the store; checked against the sum of the segments.
    total: Id | None = None


class StackedBarChart(ChartSpec):
    """Horizontal rows of stacked segments, with an optional total per row."""

    kind: Literal["stacked_bar"]
    rows: Annotated[list[Row], Field(min_length=1, max_length=6)]


class StackedBarKind(ChartKind[StackedBarChart]):
    model = StackedBarChart
    noun = "Stacked bar chart"
    groups_key = "rows"

    def groups(self, spec: StackedBarChart, store: Store) -> list[MarkGroup]:
        return [mark_group(store, r.label, r.segments, r.total, "total") for r in spec.rows]

    def check_group(self, group: MarkGroup) -> list[tuple[SpecPath, str]]:
        """A column's total is the sum of its segments, in their unit."""
        extra = group.extra
        if not (extra and extra.figure):
            return []
        plotted = [m for m in group.marks if m.figure]
        total = sum(m.value for m in plotted)
        if axis_unit(extra) != axis_unit(plotted[0]) or not math.isclose(
            total, extra.value, rel_tol=TOLERANCE
        ):
            message = f"total '{extra.figure.id}' ({extra.short}) is not the sum of the segments"
            return [(("total",), message)]
        return []

    def height_in(self, chart: Resolved, narrow: bool) -> float:
        return 95 * style.MM

    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        """Columns of stacked segments; segment names beside the last column, totals on top.
        On a phone the names and column labels wrap, and the names get more room."""
        ax, layout = _axes(fig, box, chart)
        colours: dict[str, str] = {}
        for group in chart.groups:
            for mark in group.marks:
                colours.setdefault(mark.label, PALETTE[len(colours) % len(PALETTE)])
        side: list[tuple[float, str]] = []
        for x, group, total in zip(layout.xs, chart.groups, layout.totals, strict=True):
            side += _column(ax, layout, x, group, colours)
            if group.extra:
                text = f"Total {group.extra.short}"
                shapes.value_label(ax, text, (x, total), (0, GAP + 1), ha="center", va="bottom")
        if layout.narrow:
            room = (layout.side_room - layout.width / 2) * layout.unit_pt - 3 * GAP
            side = [(c, style.wrap_pt(t, style.SIZE_LABEL, room)) for c, t in side]
        _side_labels(ax, layout.xs[-1] + layout.width / 2, side, layout.points_per_unit)


@dataclass(frozen=True)
class _Layout:
    """Where the columns stand and how many points a unit of value or of x takes."""

    xs: list[int]
    totals: list[float]
    unit_pt: float
    points_per_unit: float
    side_room: float
    narrow: bool
    #: A column's width, in units of x.
    width: float = 0.5


def _axes(fig: MplFigure, box: Box, chart: Resolved) -> tuple[Axes, _Layout]:
    """The axes, their limits, ticks and unit, and the layout the columns follow."""
    narrow = style.is_narrow(box[2])
    bottom = 0.45 if narrow else 0.3
    ax = style.place_axes(fig, Margins(left=0.75, right=0.1, top=0.3, bottom=bottom), box)
    style.plain_axes(ax, "y")
    groups = chart.groups
    xs = list(range(len(groups)))
    # On a phone a value may be wider than its column: room for it left of the first.
    left_room, side_room = (0.7, 2.0) if narrow else (0.45, 1.45)
    ax.set_xlim(-left_room, len(groups) - 1 + side_room)
    unit_pt = shapes.axes_width_pt(fig, ax) / (len(groups) - 1 + left_room + side_room)
    totals = [sum(m.value for m in g.marks) for g in groups]
    top = max(totals)
    ax.set_ylim(0, top * 1.1)
    unit = groups[0].marks[0].unit
    shapes.vertical_value_axis(fig, ax, unit, top, chart.axis, box[0] + 0.1)
    names = [
        style.wrap_pt(g.label, style.SIZE_LABEL, unit_pt) if narrow else g.label for g in groups
    ]
    ax.set_xticks(xs, names, fontsize=style.SIZE_LABEL, color=TEXT, fontweight="normal")
    points_per_unit = ax.get_position().height * fig.get_size_inches()[1] * 72 / (top * 1.1)
    return ax, _Layout(xs, totals, unit_pt, points_per_unit, side_room, narrow)


def _column(
    ax: Axes, layout: _Layout, x: int, group: MarkGroup, colours: dict[str, str]
) -> list[tuple[float, str]]:
    """One column's segments, their values inside where they fit; for the last column,
    the names (and values that did not fit) to set beside it."""
    fits = style.SIZE_VALUE * 1.5  # a segment shorter than this (points) has no room inside
    last = x == layout.xs[-1]
    side: list[tuple[float, str]] = []
    base = 0.0
    for mark in group.marks:
        shapes.rect(
            ax,
            mark.look,
            colours[mark.label],
            horizontal=False,
            at=x,
            value=mark.value,
            size=layout.width,
            base=base,
        )
        centre = base + mark.value / 2
        solid = mark.look == "actual"
        text_pt = style.text_width_pt(mark.short, style.SIZE_VALUE, "semibold")
        # Too wide for the column, a value goes beside the last one, where names are.
        narrow_fit = text_pt <= layout.width * layout.unit_pt or not last
        inside = mark.value * layout.points_per_unit >= fits and narrow_fit
        if inside:
            ax.text(
                x,
                centre,
                mark.short,
                ha="center",
                va="center",
                fontsize=style.SIZE_VALUE,
                fontweight="semibold",
                color="white" if solid else TEXT,
                bbox=None if solid else shapes.WHITE_BOX,
            )
        if last:
            name = f"{mark.label} · {mark.tag}" if mark.tag else mark.label
            side.append((centre, name if inside else f"{name}: {mark.short}"))
        base += mark.value
    return side


def _side_labels(
    ax: Axes, x: float, labels: list[tuple[float, str]], points_per_unit: float
) -> None:
    """Names beside the last column, nudged apart so thin segments' names never overlap."""
    line = style.SIZE_LABEL * 1.35
    placed: list[float] = []
    below = 0  # lines of the label placed last
    for centre, text in labels:  # bottom to top, as stacked
        y = centre * points_per_unit
        lines = text.count("\n") + 1
        step = line * (below + lines) / 2
        placed.append(max(y, placed[-1] + step) if placed else y)
        below = lines
    for (centre, text), y in zip(labels, placed, strict=True):
        ax.annotate(
            text,
            (x, centre),
            xytext=(GAP * 2, y - centre * points_per_unit),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=style.SIZE_LABEL,
            color=TEXT,
            bbox=shapes.LABEL_BOX,
        )


KIND = StackedBarKind()
