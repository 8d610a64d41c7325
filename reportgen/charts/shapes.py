"""What the builders share: a bar in the look of its status, a row's name, a value's
label and the white grounds that keep labels clear of gridlines.

Builders (:mod:`reportgen.charts.kinds`) get a figure and the box (inches) their chart
occupies; everything a mark says comes from :mod:`reportgen.charts.resolve`. Labels sit
next to what they label, so no chart needs a legend. matplotlib is imported inside the
functions: the kinds import this module, and ``reportgen check`` loads every kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportgen.charts import style
from reportgen.charts.style import GAP, MUTED
from reportgen.units import UNITS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from reportgen.charts.resolve import Mark

WHITE_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}
#: Row labels sit over the grid; a white ground keeps them clean.
LABEL_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none"}


def row_label(ax: Axes, fig: MplFigure, y: float, text: str) -> None:
    """A horizontal bar's name, just above it at the left edge, on a white ground so
    gridlines never run through it."""
    from matplotlib.transforms import blended_transform_factory, offset_copy

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


def absent_text(ax: Axes, y: float, text: str) -> None:
    """Where a bar would be, the reason the source gives no figure, from the left edge."""
    from matplotlib.transforms import blended_transform_factory

    ax.text(
        0,
        y,
        text,
        transform=blended_transform_factory(ax.transAxes, ax.transData),
        va="center",
        ha="left",
        fontsize=style.SIZE_LABEL,
        fontstyle="italic",
        color=MUTED,
        bbox=LABEL_BOX,
    )


def panel_heading(ax: Axes, fig: MplFigure, x_in: float, text: str) -> None:
    """A panel's name above its axes, at ``x_in`` inches from the figure's left edge."""
    from matplotlib.transforms import blended_transform_factory, offset_copy

    heading = blended_transform_factory(fig.dpi_scale_trans, ax.transAxes)
    ax.text(
        x_in,
        1,
        text,
        transform=offset_copy(heading, fig, y=19, units="points"),
        ha="left",
        va="bottom",
        fontsize=style.SIZE_HEADING,
        fontweight="semibold",
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


def vertical_value_axis(
    fig: MplFigure,
    ax: Axes,
    unit: str,
    top: float,
    label: str,
    x_in: float,
    above_pt: float = 8,
) -> None:
    """Ticks up a vertical value axis in ``unit``, scaled for ``top``, and the axis's
    label level above them at ``x_in`` inches."""
    axis_label = style.value_ticks(ax, "y", UNITS[unit].kind, top, label)
    style.unit_label(fig, ax, axis_label, x_in, above_pt)


def value_label(
    ax: Axes,
    text: str,
    at: tuple[float, float],
    offset: tuple[float, float],
    *,
    ha: str,
    va: str,
    **more: Any,
) -> None:
    """A value printed by its mark, ``offset`` points from ``at``, in the values' weight
    and size; ``more`` for its colour or ground."""
    ax.annotate(
        text,
        at,
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=style.SIZE_VALUE,
        fontweight="semibold",
        **more,
    )


def value_text(mark: Mark) -> str:
    """A mark's label: its value, and its tag after a dot."""
    return f"{mark.short} · {mark.tag}" if mark.tag else mark.short


def axes_width_pt(fig: MplFigure, ax: Axes) -> float:
    """How wide the axes print, in points."""
    return float(ax.get_position().width * fig.get_size_inches()[0] * 72)
