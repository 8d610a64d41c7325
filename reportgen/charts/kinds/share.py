"""Share chart: a part against its whole, one row per comparison, with the share."""

from __future__ import annotations

import math
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
    percent_extra,
)
from reportgen.charts.spec import ChartSpec, Point, Short, Strict
from reportgen.charts.style import GAP, PALETTE, TEXT, Margins
from reportgen.facts.model import Id

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from reportgen.facts.store import Store


class ShareRow(Strict):
    label: Short
    part: Point
    whole: Point
    #: The share as a percent figure in the store; checked against part / whole.
    share: Id | None = None


class ShareChart(ChartSpec):
    """A part against its whole, one row per comparison."""

    kind: Literal["share"]
    rows: Annotated[list[ShareRow], Field(min_length=1, max_length=4)]


class ShareKind(ChartKind[ShareChart]):
    model = ShareChart
    noun = "Share chart"
    groups_key = "rows"

    def groups(self, spec: ShareChart, store: Store) -> list[MarkGroup]:
        return [
            mark_group(store, r.label, [r.part], r.share, "share", whole=r.whole) for r in spec.rows
        ]

    def check_group(self, group: MarkGroup) -> list[tuple[SpecPath, str]]:
        """The part fits in its whole, and the share, if given, is part / whole."""
        found: list[tuple[SpecPath, str]] = []
        part, whole, extra = group.marks[0], group.whole, group.extra
        if whole and whole.figure:
            if axis_unit(part) != axis_unit(whole) or part.value > whole.value:
                found.append(
                    (("part",), "the part must be in the whole's unit and no larger than it")
                )
            elif (
                extra
                and extra.figure
                and not math.isclose(part.value / whole.value * 100, extra.value, rel_tol=TOLERANCE)
            ):
                found.append((("share",), f"share '{extra.figure.id}' is not part / whole"))
        return found + percent_extra(group)

    def height_in(self, chart: Resolved, narrow: bool) -> float:
        return min(100, max(55, 22 + 24 * len(chart.groups))) * style.MM

    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        """Each row a whole (grey, 100%) with its part in colour from the left."""
        ax = style.place_axes(fig, Margins(left=0.15, right=0.25, top=0.05, bottom=0.42), box)
        style.plain_axes(ax, "x")
        rows = chart.groups
        n = len(rows)
        ax.set_ylim(-0.65, n - 0.25)
        ax.set_yticks([])
        ax.set_xlim(0, 100)
        style.value_ticks(ax, "x", "percent", 100, chart.spec.axis or "share of the whole")
        axes_pt = ax.get_position().width * fig.get_size_inches()[0] * 72
        for i, row in enumerate(rows):
            _row(ax, fig, n - 1 - i, row, axes_pt)


def _row(ax: Axes, fig: MplFigure, y: float, row: MarkGroup, axes_pt: float) -> None:
    part, whole = row.marks[0], row.whole
    assert whole is not None
    share = part.value / whole.value * 100
    share_text = f" = {row.extra.bare}" if row.extra else ""
    part_text = f"{part.label} {part.short}{share_text}"
    whole_text = f"{whole.label} {whole.short}"
    # Where the part's label would run into the whole's (a phone), the whole's goes under.
    ends = (
        share / 100 * axes_pt
        + 4 * GAP
        + style.text_width_pt(part_text, style.SIZE_VALUE, "semibold")
    )
    under = ends > axes_pt - 2 * GAP - style.text_width_pt(whole_text, style.SIZE_LABEL)
    shapes.row_label(ax, fig, y, row.label)
    shapes.rect(
        ax, whole.look, "#9a9a9a", horizontal=True, at=y, value=100, size=0.42, face=style.WHOLE
    )
    shapes.rect(ax, part.look, PALETTE[0], horizontal=True, at=y, value=share, size=0.42)
    ax.annotate(
        whole_text,
        (100, y - 0.21) if under else (100, y),
        xytext=(0, -GAP) if under else (-GAP * 2, 0),
        textcoords="offset points",
        ha="right",
        va="top" if under else "center",
        fontsize=style.SIZE_LABEL,
        color=TEXT,
        bbox=shapes.WHITE_BOX,
    )
    shapes.value_label(
        ax,
        part_text,
        (share, y),
        (GAP * 2, 0),
        ha="left",
        va="center",
        color=PALETTE[0],
        bbox=shapes.WHITE_BOX,
    )


KIND = ShareKind()
