"""Bar chart: horizontal bars, one figure each, labelled directly; a bar may be a gap
with the reason the source gives no figure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from reportgen.charts import shapes, style
from reportgen.charts.kind import Box, ChartKind
from reportgen.charts.resolve import Mark, MarkGroup, Resolved, point_mark
from reportgen.charts.spec import ChartSpec, Marked, Point, Short
from reportgen.charts.style import GAP, PALETTE, TEXT, Margins
from reportgen.units import UNITS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from reportgen.facts.store import Store


class Bar(Marked):
    """A bar, or a gap with the reason the source gives no value (``absent``)."""

    absent: Short | None = None

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


class BarChart(ChartSpec):
    """Horizontal bars, one figure each, labelled directly."""

    kind: Literal["bar"]
    bars: Annotated[list[Bar], Field(min_length=1, max_length=12)]


class BarKind(ChartKind[BarChart]):
    model = BarChart
    noun = "Bar chart"
    groups_key = "bars"

    def groups(self, spec: BarChart, store: Store) -> list[MarkGroup]:
        marks = []
        for bar in spec.bars:
            point = bar.point()
            if point is None:
                marks.append(Mark(bar.label or "", None, "actual", absent=bar.absent))
            else:
                marks.append(point_mark(store, point))
        return [MarkGroup("", tuple(marks))]

    def height_in(self, chart: Resolved, narrow: bool) -> float:
        return min(100, max(60, 22 + 17 * len(chart.groups[0].marks))) * style.MM

    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        """Horizontal bars, label above each bar, value at its end."""
        marks = list(chart.groups[0].marks)
        ax = style.place_axes(fig, Margins(left=0.15, right=0.2, top=0.05, bottom=0.42), box)
        style.plain_axes(ax, "x")
        n = len(marks)
        ys = [n - 1 - i for i in range(n)]
        ax.set_ylim(-0.6, n - 0.2)
        ax.set_yticks([])
        plotted = [m for m in marks if m.figure]
        ax.set_xlim(0, _headroom(plotted, shapes.axes_width_pt(fig, ax)))
        unit = UNITS[plotted[0].unit].kind if plotted else "count"
        style.value_ticks(ax, "x", unit, ax.get_xlim()[1], chart.axis)
        for y, mark in zip(ys, marks, strict=True):
            shapes.row_label(ax, fig, y, mark.label)
            if mark.figure is None:
                shapes.absent_text(ax, y, mark.absent or "")
            else:
                _bar(ax, y, mark)


def _headroom(marks: list[Mark], width_pt: float) -> float:
    """Data limit that leaves room after each bar for its label."""
    top = max((m.value for m in marks), default=1.0) or 1.0
    limit = top * 1.02
    for mark in marks:
        label = style.text_width_pt(shapes.value_text(mark), style.SIZE_VALUE, "semibold")
        room = width_pt - label - 2 * GAP
        if room > 0 and mark.value > 0:
            limit = max(limit, mark.value * width_pt / room)
    return limit


def _bar(ax: Axes, y: float, mark: Mark) -> None:
    shapes.rect(ax, mark.look, PALETTE[0], horizontal=True, at=y, value=mark.value, size=0.48)
    text = shapes.value_text(mark)
    shapes.value_label(ax, text, (mark.value, y), (GAP + 1, 0), ha="left", va="center", color=TEXT)


KIND = BarKind()
