"""Bar-shaped builders: bars, grouped bars and stacked columns, and what they share.

Builders get a figure and the box (inches) their chart occupies; everything a
mark says comes from :mod:`reportgen.charts.resolve`. Labels sit next to what
they label, so no chart needs a legend.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.transforms import blended_transform_factory, offset_copy

from reportgen.charts import style
from reportgen.charts.resolve import Mark, Resolved
from reportgen.charts.style import GAP, MUTED, PALETTE, TEXT, Margins
from reportgen.units import UNITS

Box = tuple[float, float, float, float]
WHITE_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}
#: Row labels sit over the grid; a white ground keeps them clean.
LABEL_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none"}


def row_label(ax: Axes, fig: MplFigure, y: float, text: str) -> None:
    """A horizontal bar's name, just above it at the left edge, on a white ground so
    gridlines never run through it."""
    band = blended_transform_factory(ax.transAxes, ax.transData)
    ax.text(
        0,
        y + 0.24,
        text,
        transform=offset_copy(band, fig, y=GAP, units="points"),
        va="bottom",
        ha="left",
        fontsize=style.SIZE_LABEL,
        fontweight="normal",
        bbox=LABEL_BOX,
    )


def rect(
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


def value_text(mark: Mark) -> str:
    return f"{mark.short} · {mark.tag}" if mark.tag else mark.short


def _headroom(marks: list[Mark], width_pt: float) -> float:
    """Data limit that leaves room after each bar for its label."""
    top = max((m.value for m in marks), default=1.0) or 1.0
    limit = top * 1.02
    for mark in marks:
        label = style.text_width_pt(value_text(mark), style.SIZE_VALUE, "semibold")
        room = width_pt - label - 2 * GAP
        if room > 0 and mark.value > 0:
            limit = max(limit, mark.value * width_pt / room)
    return limit


def _axes_width_pt(fig: MplFigure, ax: Axes) -> float:
    return float(ax.get_position().width * fig.get_size_inches()[0] * 72)


def bar(fig: MplFigure, box: Box, chart: Resolved) -> None:
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
        row_label(ax, fig, y, mark.label)
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
                bbox=LABEL_BOX,
            )
            continue
        rect(ax, mark.look, PALETTE[0], horizontal=True, at=y, value=mark.value, size=0.48)
        ax.annotate(
            value_text(mark),
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


def grouped_bar(fig: MplFigure, box: Box, chart: Resolved) -> None:
    """A panel and axis per group (groups rarely share a unit); the change arrow on top.
    Side by side, or one above the other on a phone."""
    x0, y0, w, h = box
    groups = chart.groups
    stacked = style.is_narrow(w)
    panel_w = w if stacked else w / len(groups)
    panel_h = h / len(groups) if stacked else h
    for g, group in enumerate(groups):
        margins = Margins(left=0.62, right=0.25, top=0.5, bottom=0.3)
        px = x0 if stacked else x0 + g * panel_w
        py = y0 + (len(groups) - 1 - g) * panel_h if stacked else y0
        ax = style.place_axes(fig, margins, (px, py, panel_w, panel_h))
        style.plain_axes(ax, "y")
        marks = list(group.marks)
        xs = list(range(len(marks)))
        top = max(m.value for m in marks)
        ax.set_xlim(-0.6, len(marks) - 0.4)
        ax.set_ylim(0, top * (1.42 if group.extra else 1.18))
        unit = UNITS[marks[0].unit]
        axis_label = style.value_ticks(ax, "y", unit.kind, top, chart.spec.axis or unit.axis)
        style.unit_label(fig, ax, axis_label, px + 0.1, above_pt=6)
        ax.set_xticks(xs, [m.label for m in marks], fontsize=style.SIZE_LABEL, color=TEXT)
        for x, mark in zip(xs, marks, strict=True):
            rect(ax, mark.look, PALETTE[0], horizontal=False, at=x, value=mark.value, size=0.55)
            ax.annotate(
                value_text(mark),
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
            px + 0.1,
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


def stacked_bar(fig: MplFigure, box: Box, chart: Resolved) -> None:
    """Columns of stacked segments; segment names beside the last column, totals on top.
    On a phone the names and column labels wrap, and the names get more room."""
    narrow = style.is_narrow(box[2])
    bottom = 0.45 if narrow else 0.3
    ax = style.place_axes(fig, Margins(left=0.75, right=0.1, top=0.3, bottom=bottom), box)
    style.plain_axes(ax, "y")
    groups = chart.groups
    colours: dict[str, str] = {}
    for group in groups:
        for mark in group.marks:
            colours.setdefault(mark.label, PALETTE[len(colours) % len(PALETTE)])
    xs = list(range(len(groups)))
    width = 0.5
    # On a phone a value may be wider than its column: room for it left of the first.
    left_room, side_room = (0.7, 2.0) if narrow else (0.45, 1.45)
    ax.set_xlim(-left_room, len(groups) - 1 + side_room)
    unit_pt = _axes_width_pt(fig, ax) / (len(groups) - 1 + left_room + side_room)
    totals = [sum(m.value for m in g.marks) for g in groups]
    top = max(totals)
    ax.set_ylim(0, top * 1.1)
    unit = UNITS[groups[0].marks[0].unit]
    style.unit_label(fig, ax, style.value_ticks(ax, "y", unit.kind, top, chart.axis), box[0] + 0.1)
    names = [
        style.wrap_pt(g.label, style.SIZE_LABEL, unit_pt) if narrow else g.label for g in groups
    ]
    ax.set_xticks(xs, names, fontsize=style.SIZE_LABEL, color=TEXT, fontweight="normal")
    points_per_unit = ax.get_position().height * fig.get_size_inches()[1] * 72 / (top * 1.1)
    fits = style.SIZE_VALUE * 1.5  # a segment shorter than this (points) has no room inside
    side: list[tuple[float, str]] = []
    for x, group, total in zip(xs, groups, totals, strict=True):
        base = 0.0
        for mark in group.marks:
            rect(
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
            text_pt = style.text_width_pt(mark.short, style.SIZE_VALUE, "semibold")
            # Too wide for the column, a value goes beside the last one, where names are.
            narrow_fit = text_pt <= width * unit_pt or x != xs[-1]
            inside = mark.value * points_per_unit >= fits and narrow_fit
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
                    bbox=None if solid else WHITE_BOX,
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
    if narrow:
        room = (side_room - width / 2) * unit_pt - 3 * GAP
        side = [(c, style.wrap_pt(t, style.SIZE_LABEL, room)) for c, t in side]
    _side_labels(ax, xs[-1] + width / 2, side, points_per_unit)


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
            bbox=LABEL_BOX,
        )
