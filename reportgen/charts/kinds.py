"""One small builder per chart kind: each places resolved marks on a figure.

Builders get a figure and the box (inches) their chart occupies; everything a
mark says comes from :mod:`reportgen.charts.resolve`. Labels sit next to what
they label, so no chart needs a legend.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.transforms import blended_transform_factory, offset_copy

from reportgen.charts import style
from reportgen.charts.resolve import Mark, Resolved
from reportgen.charts.style import GAP, MUTED, PALETTE, TEXT, Margins
from reportgen.units import UNITS

Box = tuple[float, float, float, float]
_WHITE_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}
#: Row labels sit over the grid; a white ground keeps them clean.
_LABEL_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none"}


def _rect(
    ax: Axes,
    look: str,
    colour: str,
    *,
    horizontal: bool,
    at: float,
    value: float,
    size: float,
    base: float = 0.0,
    face: str | None = None,
) -> None:
    """One bar in the look of its status, hatched if it is a plan or an estimate."""
    kwargs = style.mark_style(look, colour)
    if face:
        kwargs["facecolor"] = face
    if horizontal:
        bars = ax.barh([at], [value], height=size, left=base, **kwargs)
    else:
        bars = ax.bar([at], [value], width=size, bottom=base, **kwargs)
    style.hatch(ax, bars.patches, look, colour)


def _value_text(mark: Mark) -> str:
    return f"{mark.short} · {mark.tag}" if mark.tag else mark.short


def _headroom(marks: list[Mark], width_pt: float) -> float:
    """Data limit that leaves room after each bar for its label."""
    top = max((m.value for m in marks), default=1.0) or 1.0
    limit = top * 1.02
    for mark in marks:
        label = style.text_width_pt(_value_text(mark), style.SIZE_VALUE, "semibold")
        room = width_pt - label - 2 * GAP
        if room > 0 and mark.value > 0:
            limit = max(limit, mark.value * width_pt / room)
    return limit


def _axes_width_pt(fig: MplFigure, ax: Axes) -> float:
    return float(ax.get_position().width * fig.get_size_inches()[0] * 72)


def _bar(fig: MplFigure, box: Box, chart: Resolved) -> None:
    """Horizontal bars, label above each bar, value at its end."""
    marks = list(chart.groups[0].marks)
    ax = style.place_axes(fig, Margins(left=0.15, right=0.2, top=0.05, bottom=0.42), box)
    style.plain_axes(ax, "x")
    n = len(marks)
    ys = [n - 1 - i for i in range(n)]
    ax.set_ylim(-0.6, n - 0.2)
    ax.set_yticks([])
    plotted = [m for m in marks if m.figure]
    ax.set_xlim(0, _headroom(plotted, _axes_width_pt(fig, ax)))
    unit = UNITS[plotted[0].unit].kind if plotted else "count"
    style.value_ticks(ax, "x", unit, ax.get_xlim()[1], chart.axis)
    band = blended_transform_factory(ax.transAxes, ax.transData)
    for y, mark in zip(ys, marks, strict=True):
        ax.text(
            0,
            y + 0.24,
            mark.label,
            transform=offset_copy(band, fig, y=GAP, units="points"),
            va="bottom",
            ha="left",
            fontsize=style.SIZE_LABEL,
            fontweight="normal",
            bbox=_LABEL_BOX,
        )
        if mark.figure is None:
            ax.text(
                0,
                y,
                mark.absent or "",
                transform=band,
                va="center",
                ha="left",
                fontsize=style.SIZE_LABEL,
                fontstyle="italic",
                color=MUTED,
                bbox=_LABEL_BOX,
            )
            continue
        _rect(ax, mark.look, PALETTE[0], horizontal=True, at=y, value=mark.value, size=0.48)
        ax.annotate(
            _value_text(mark),
            (mark.value, y),
            xytext=(GAP + 1, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=style.SIZE_VALUE,
            fontweight="semibold",
            color=TEXT,
        )


def _change_text(mark: Mark) -> str:
    sign = "+" if mark.value > 0 and not mark.short.startswith(("+", "-")) else ""
    return f"{sign}{mark.short}"


def _grouped_bar(fig: MplFigure, box: Box, chart: Resolved) -> None:
    """A panel and axis per group (groups rarely share a unit); the change arrow on top."""
    x0, y0, w, h = box
    groups = chart.groups
    panel_w = w / len(groups)
    for g, group in enumerate(groups):
        margins = Margins(left=0.62, right=0.25, top=0.5, bottom=0.3)
        ax = style.place_axes(fig, margins, (x0 + g * panel_w, y0, panel_w, h))
        style.plain_axes(ax, "y")
        marks = list(group.marks)
        xs = list(range(len(marks)))
        top = max(m.value for m in marks)
        ax.set_xlim(-0.6, len(marks) - 0.4)
        ax.set_ylim(0, top * (1.42 if group.extra else 1.18))
        unit = UNITS[marks[0].unit]
        axis_label = style.value_ticks(ax, "y", unit.kind, top, chart.spec.axis or unit.axis)
        style.unit_label(fig, ax, axis_label, x0 + g * panel_w + 0.1, above_pt=6)
        ax.set_xticks(xs, [m.label for m in marks], fontsize=style.SIZE_LABEL, color=TEXT)
        for x, mark in zip(xs, marks, strict=True):
            _rect(ax, mark.look, PALETTE[0], horizontal=False, at=x, value=mark.value, size=0.55)
            ax.annotate(
                _value_text(mark),
                (x, mark.value),
                xytext=(0, GAP),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=style.SIZE_VALUE,
                fontweight="semibold",
            )
        heading = blended_transform_factory(fig.dpi_scale_trans, ax.transAxes)
        ax.text(
            x0 + g * panel_w + 0.1,
            1,
            group.label,
            transform=offset_copy(heading, fig, y=19, units="points"),
            ha="left",
            va="bottom",
            fontsize=style.SIZE_HEADING,
            fontweight="semibold",
        )
        if group.extra and len(marks) > 1:
            first, last = marks[0], marks[-1]
            lift = top * 0.2
            ax.annotate(
                "",
                xy=(xs[-1] - 0.1, last.value + lift * 0.55),
                xytext=(xs[0] + 0.1, max(first.value, last.value) + lift * 0.55),
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
                (xs[0] + xs[-1]) / 2,
                max(first.value, last.value) + lift * 1.05,
                _change_text(group.extra),
                ha="center",
                va="bottom",
                fontsize=style.SIZE_VALUE,
                fontweight="semibold",
                color=PALETTE[5],
            )


def _stacked_bar(fig: MplFigure, box: Box, chart: Resolved) -> None:
    """Columns of stacked segments; segment names beside the last column, totals on top."""
    ax = style.place_axes(fig, Margins(left=0.75, right=0.1, top=0.3, bottom=0.3), box)
    style.plain_axes(ax, "y")
    groups = chart.groups
    colours: dict[str, str] = {}
    for group in groups:
        for mark in group.marks:
            colours.setdefault(mark.label, PALETTE[len(colours) % len(PALETTE)])
    xs = list(range(len(groups)))
    width = 0.5
    ax.set_xlim(-0.45, len(groups) - 1 + 1.45)
    totals = [sum(m.value for m in g.marks) for g in groups]
    top = max(totals)
    ax.set_ylim(0, top * 1.1)
    unit = UNITS[groups[0].marks[0].unit]
    style.unit_label(fig, ax, style.value_ticks(ax, "y", unit.kind, top, chart.axis), box[0] + 0.1)
    ax.set_xticks(
        xs, [g.label for g in groups], fontsize=style.SIZE_LABEL, color=TEXT, fontweight="normal"
    )
    points_per_unit = ax.get_position().height * fig.get_size_inches()[1] * 72 / (top * 1.1)
    fits = style.SIZE_VALUE * 1.5  # a segment shorter than this (points) has no room inside
    side: list[tuple[float, str]] = []
    for x, group, total in zip(xs, groups, totals, strict=True):
        base = 0.0
        for mark in group.marks:
            _rect(
                ax,
                mark.look,
                colours[mark.label],
                horizontal=False,
                at=x,
                value=mark.value,
                size=width,
                base=base,
            )
            centre = base + mark.value / 2
            solid = mark.look == "actual"
            inside = mark.value * points_per_unit >= fits
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
                    bbox=None if solid else _WHITE_BOX,
                )
            if x == xs[-1]:
                name = f"{mark.label} · {mark.tag}" if mark.tag else mark.label
                side.append((centre, name if inside else f"{name}: {mark.short}"))
            base += mark.value
        label = f"Total {group.extra.short}" if group.extra else ""
        if label:
            ax.annotate(
                label,
                (x, total),
                xytext=(0, GAP + 1),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=style.SIZE_VALUE,
                fontweight="semibold",
            )
    _side_labels(ax, xs[-1] + width / 2, side, points_per_unit)


def _side_labels(
    ax: Axes, x: float, labels: list[tuple[float, str]], points_per_unit: float
) -> None:
    """Names beside the last column, nudged apart so thin segments' names never overlap."""
    step = style.SIZE_LABEL * 1.35
    placed: list[float] = []
    for centre, _ in labels:  # bottom to top, as stacked
        y = centre * points_per_unit
        placed.append(max(y, placed[-1] + step) if placed else y)
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
            bbox=_LABEL_BOX,
        )


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
    band = blended_transform_factory(ax.transAxes, ax.transData)
    for i, row in enumerate(rows):
        y = n - 1 - i
        part, whole = row.marks[0], row.whole
        assert whole is not None
        share = part.value / whole.value * 100
        ax.text(
            0,
            y + 0.24,
            row.label,
            transform=offset_copy(band, fig, y=GAP, units="points"),
            va="bottom",
            ha="left",
            fontsize=style.SIZE_LABEL,
            fontweight="normal",
            bbox=_LABEL_BOX,
        )
        _rect(
            ax, whole.look, "#9a9a9a", horizontal=True, at=y, value=100, size=0.42, face=style.WHOLE
        )
        _rect(ax, part.look, PALETTE[0], horizontal=True, at=y, value=share, size=0.42)
        ax.annotate(
            f"{whole.label} {whole.short}",
            (100, y),
            xytext=(-GAP * 2, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=style.SIZE_LABEL,
            color=TEXT,
            bbox=_WHITE_BOX,
        )
        share_text = f" = {row.extra.bare}" if row.extra else ""
        ax.annotate(
            f"{part.label} {part.short}{share_text}",
            (share, y),
            xytext=(GAP * 2, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=style.SIZE_VALUE,
            fontweight="semibold",
            color=PALETTE[0],
            bbox=_WHITE_BOX,
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
                _value_text(mark),
                (mark.year, mark.value),
                xytext=(GAP * 2, -GAP * 2) if rising else (0, GAP * 2.5),
                textcoords="offset points",
                ha="left" if rising else "center",
                va="top" if rising else "bottom",
                fontsize=style.SIZE_VALUE,
                fontweight="semibold",
                color=TEXT,
                bbox=_LABEL_BOX,  # legible where another series crosses
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
    "bar": _bar,
    "grouped_bar": _grouped_bar,
    "stacked_bar": _stacked_bar,
    "share": _share,
    "line": _line,
}

#: Chart body height in inches by kind (the column prints charts at 170 x ~85-100 mm).
HEIGHT_IN: dict[str, Callable[[Resolved], float]] = {
    "bar": lambda c: min(100, max(60, 22 + 17 * len(c.groups[0].marks))) * style.MM,
    "grouped_bar": lambda c: 80 * style.MM,
    "stacked_bar": lambda c: 95 * style.MM,
    "share": lambda c: min(100, max(55, 22 + 24 * len(c.groups))) * style.MM,
    "line": lambda c: 85 * style.MM,
}
