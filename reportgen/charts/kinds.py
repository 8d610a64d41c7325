"""The chart kinds: share and line builders, and the registry of every builder.

Bar-shaped kinds live in :mod:`reportgen.charts.bars`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from matplotlib.figure import Figure as MplFigure

from reportgen.charts import style
from reportgen.charts.bars import (
    LABEL_BOX,
    WHITE_BOX,
    Box,
    bar,
    grouped_bar,
    rect,
    row_label,
    stacked_bar,
    value_text,
)
from reportgen.charts.resolve import Resolved
from reportgen.charts.style import GAP, PALETTE, TEXT, Margins
from reportgen.units import UNITS


def _share(fig: MplFigure, box: Box, chart: Resolved) -> None:
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
        y = n - 1 - i
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
        row_label(ax, fig, y, row.label)
        rect(
            ax, whole.look, "#9a9a9a", horizontal=True, at=y, value=100, size=0.42, face=style.WHOLE
        )
        rect(ax, part.look, PALETTE[0], horizontal=True, at=y, value=share, size=0.42)
        ax.annotate(
            whole_text,
            (100, y - 0.21) if under else (100, y),
            xytext=(0, -GAP) if under else (-GAP * 2, 0),
            textcoords="offset points",
            ha="right",
            va="top" if under else "center",
            fontsize=style.SIZE_LABEL,
            color=TEXT,
            bbox=WHITE_BOX,
        )
        ax.annotate(
            part_text,
            (share, y),
            xytext=(GAP * 2, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=style.SIZE_VALUE,
            fontweight="semibold",
            color=PALETTE[0],
            bbox=WHITE_BOX,
        )


def _line(fig: MplFigure, box: Box, chart: Resolved) -> None:
    """Years across; a segment leading to a plan or target is dashed, its marker hollow."""
    names = [g.label for g in chart.groups] if len(chart.groups) > 1 else []
    right = max((style.text_width_pt(n, style.SIZE_LABEL) for n in names), default=0) / 72
    ax = style.place_axes(fig, Margins(left=0.75, right=0.3 + right, top=0.3, bottom=0.3), box)
    style.plain_axes(ax, "y")
    years = sorted({m.year for g in chart.groups for m in g.marks if m.year is not None})
    top = max(m.value for g in chart.groups for m in g.marks)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(0, top * 1.14)
    ax.set_xticks(years, [str(y) for y in years], fontsize=style.SIZE_LABEL, color=TEXT)
    unit = UNITS[chart.groups[0].marks[0].unit]
    style.unit_label(fig, ax, style.value_ticks(ax, "y", unit.kind, top, chart.axis), box[0] + 0.1)
    for s, series in enumerate(chart.groups):
        colour = PALETTE[s % len(PALETTE)]
        marks = list(series.marks)
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
            ax.annotate(
                value_text(mark),
                (mark.year, mark.value),
                xytext=(GAP * 2, -GAP * 2) if rising else (0, GAP * 2.5),
                textcoords="offset points",
                ha="left" if rising else "center",
                va="top" if rising else "bottom",
                fontsize=style.SIZE_VALUE,
                fontweight="semibold",
                color=TEXT,
                bbox=LABEL_BOX,  # legible where another series crosses
            )
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


BUILDERS: dict[str, Callable[[MplFigure, Box, Resolved], None]] = {
    "bar": bar,
    "grouped_bar": grouped_bar,
    "stacked_bar": stacked_bar,
    "share": _share,
    "line": _line,
}
