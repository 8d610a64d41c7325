"""Grouped bar chart: groups of bars, each in its own panel with its own axis (units
may differ from group to group), a change figure arched over a group's bars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from reportgen.charts import shapes, style
from reportgen.charts.kind import Box, ChartKind, SpecPath
from reportgen.charts.resolve import (
    Mark,
    MarkGroup,
    Resolved,
    axis_unit,
    mark_group,
    percent_extra,
)
from reportgen.charts.spec import ChartSpec, Point, Short, Strict
from reportgen.charts.style import GAP, MUTED, PALETTE, TEXT, Margins
from reportgen.facts.model import Id
from reportgen.units import UNITS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from reportgen.facts.store import Store


class Group(Strict):
    label: Short
    bars: Annotated[list[Point], Field(min_length=1, max_length=6)]
    #: A growth or change figure printed between the first and the last bar.
    change: Id | None = None


class GroupedBarChart(ChartSpec):
    """Groups of bars, each in its own panel with its own axis (units may differ)."""

    kind: Literal["grouped_bar"]
    groups: Annotated[list[Group], Field(min_length=1, max_length=4)]


class GroupedBarKind(ChartKind[GroupedBarChart]):
    model = GroupedBarChart
    noun = "Grouped bar chart"
    groups_key = "groups"
    shared_axis = False

    def groups(self, spec: GroupedBarChart, store: Store) -> list[MarkGroup]:
        return [mark_group(store, g.label, g.bars, g.change, "change") for g in spec.groups]

    def check_group(self, group: MarkGroup) -> list[tuple[SpecPath, str]]:
        found: list[tuple[SpecPath, str]] = []
        if len({axis_unit(m) for m in group.marks if m.figure}) > 1:
            found.append(((), "bars in one group must share a unit"))
        return found + percent_extra(group)

    def height_in(self, chart: Resolved, narrow: bool) -> float:
        # On a phone the panels stand one above the other.
        return 62 * style.MM * len(chart.groups) if narrow else 80 * style.MM

    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        """A panel and axis per group (groups rarely share a unit); the change arrow on top.
        Side by side, or one above the other on a phone."""
        x0, y0, w, h = box
        groups = chart.groups
        stacked = style.is_narrow(w)
        panel_w = w if stacked else w / len(groups)
        panel_h = h / len(groups) if stacked else h
        for g, group in enumerate(groups):
            px = x0 if stacked else x0 + g * panel_w
            py = y0 + (len(groups) - 1 - g) * panel_h if stacked else y0
            _panel(fig, (px, py, panel_w, panel_h), group, chart.spec.axis)


def _panel(fig: MplFigure, box: Box, group: MarkGroup, axis: str | None) -> None:
    """One group's bars on their own axis, named above, with its change if it has one."""
    margins = Margins(left=0.62, right=0.25, top=0.5, bottom=0.3)
    ax = style.place_axes(fig, margins, box)
    style.plain_axes(ax, "y")
    marks = list(group.marks)
    xs = list(range(len(marks)))
    top = max(m.value for m in marks)
    ax.set_xlim(-0.6, len(marks) - 0.4)
    ax.set_ylim(0, top * (1.42 if group.extra else 1.18))
    unit = marks[0].unit
    label = axis or UNITS[unit].axis
    shapes.vertical_value_axis(fig, ax, unit, top, label, box[0] + 0.1, above_pt=6)
    ax.set_xticks(xs, [m.label for m in marks], fontsize=style.SIZE_LABEL, color=TEXT)
    for x, mark in zip(xs, marks, strict=True):
        shapes.rect(ax, mark.look, PALETTE[0], horizontal=False, at=x, value=mark.value, size=0.55)
        at = (x, mark.value)
        shapes.value_label(ax, shapes.value_text(mark), at, (0, GAP), ha="center", va="bottom")
    shapes.panel_heading(ax, fig, box[0] + 0.1, group.label)
    if group.extra and len(marks) > 1:
        _change(ax, marks[0], marks[-1], xs[-1], top, group.extra)


def _change(ax: Axes, first: Mark, last: Mark, last_x: float, top: float, change: Mark) -> None:
    """An arrow arched from the first bar to the last, the change printed over it."""
    lift = top * 0.2
    ax.annotate(
        "",
        xy=(last_x - 0.1, last.value + lift * 0.55),
        xytext=(0.1, max(first.value, last.value) + lift * 0.55),
        arrowprops={
            "arrowstyle": "-|>",
            "color": MUTED,
            "linewidth": 0.8,
            "connectionstyle": "arc3,rad=-0.25",
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 8,
        },
    )
    ax.text(
        last_x / 2,
        max(first.value, last.value) + lift * 1.05,
        _change_text(change),
        ha="center",
        va="bottom",
        fontsize=style.SIZE_VALUE,
        fontweight="semibold",
        color=PALETTE[5],
    )


def _change_text(mark: Mark) -> str:
    sign = "+" if mark.value > 0 and not mark.short.startswith(("+", "-")) else ""
    return f"{sign}{mark.short}"


KIND = GroupedBarKind()
