"""Line chart: values over years, one line per series; a segment leading to a plan or
target is dashed and its marker hollow."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from reportgen.charts import shapes, style
from reportgen.charts.kind import Box, ChartKind, SpecPath
from reportgen.charts.resolve import Mark, MarkGroup, Resolved, mark_group
from reportgen.charts.spec import ChartSpec, Point, Short, Strict
from reportgen.charts.style import GAP, PALETTE, TEXT, Margins

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from reportgen.facts.store import Store


class Series(Strict):
    label: Short
    points: Annotated[list[Point], Field(min_length=2, max_length=20)]


class LineChart(ChartSpec):
    """Values over years; a segment leading to a plan or target is dashed."""

    kind: Literal["line"]
    series: Annotated[list[Series], Field(min_length=1, max_length=5)]


class LineKind(ChartKind[LineChart]):
    model = LineChart
    noun = "Line chart"
    groups_key = "series"

    def groups(self, spec: LineChart, store: Store) -> list[MarkGroup]:
        return [mark_group(store, s.label, s.points, year_needed=True) for s in spec.series]

    def check_group(self, group: MarkGroup) -> list[tuple[SpecPath, str]]:
        years = [m.year for m in group.marks if m.figure and m.year is not None]
        if years != sorted(set(years)):
            return [(("points",), "points must be in order of year, one per year")]
        return []

    def height_in(self, chart: Resolved, narrow: bool) -> float:
        return (75 if narrow else 85) * style.MM

    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        """Years across, values up; a series is named at its last point when there are several."""
        names = [g.label for g in chart.groups] if len(chart.groups) > 1 else []
        right = max((style.text_width_pt(n, style.SIZE_LABEL) for n in names), default=0) / 72
        ax = style.place_axes(fig, Margins(left=0.75, right=0.3 + right, top=0.3, bottom=0.3), box)
        style.plain_axes(ax, "y")
        years = sorted({m.year for g in chart.groups for m in g.marks if m.year is not None})
        top = max(m.value for g in chart.groups for m in g.marks)
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        ax.set_ylim(0, top * 1.14)
        ax.set_xticks(years, [str(y) for y in years], fontsize=style.SIZE_LABEL, color=TEXT)
        unit = chart.groups[0].marks[0].unit
        shapes.vertical_value_axis(fig, ax, unit, top, chart.axis, box[0] + 0.1)
        for s, series in enumerate(chart.groups):
            colour = PALETTE[s % len(PALETTE)]
            marks = list(series.marks)
            _series(ax, marks, colour)
            if names:
                last = marks[-1]
                ax.annotate(
                    series.label,
                    (last.year, last.value),
                    xytext=(GAP * 4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=style.SIZE_LABEL,
                    color=colour,
                    annotation_clip=False,
                )


def _series(ax: Axes, marks: list[Mark], colour: str) -> None:
    """One series: its segments, then each point with its value."""
    for a, b in itertools.pairwise(marks):
        dashed = b.look == "plan"
        ax.plot(
            [a.year or 0, b.year or 0],
            [a.value, b.value],
            color=colour,
            linewidth=1.8,
            linestyle=(0, (4, 2.5)) if dashed else "-",
            solid_capstyle="butt",
        )
    for i, mark in enumerate(marks):
        hollow = mark.look != "actual"
        ax.plot(
            [mark.year or 0],
            [mark.value],
            marker="o",
            markersize=6,
            color=colour,
            markerfacecolor="white" if hollow else colour,
            markeredgewidth=1.4,
        )
        # Below-right of a point the line rises from is free; above is free at a peak.
        rising = i + 1 < len(marks) and marks[i + 1].value >= mark.value
        shapes.value_label(
            ax,
            shapes.value_text(mark),
            (mark.year or 0, mark.value),
            (GAP * 2, -GAP * 2) if rising else (0, GAP * 2.5),
            ha="left" if rising else "center",
            va="top" if rising else "bottom",
            color=TEXT,
            bbox=shapes.LABEL_BOX,  # legible where another series crosses
        )


KIND = LineKind()
