"""The house style of every chart: font, palette, sizes, axes, and how a status looks.

Charts print at the full text column of an A4 page (170 mm), so one figure
unit is one printed point: a 8.5 pt label here is 8.5 pt on paper. The font is
Inter from Debian's fonts-inter, the files the PDF embeds; SVG text stays text
(``svg.fonttype: none``) and names the family, so HTML and PDF render it with
the page's own font. matplotlib is imported only inside functions: the constants
here feed the cache key, which ``reportgen check`` must compute cheaply.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reportgen.fonts import FAMILY, face_paths

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Rectangle

    from reportgen.charts.resolve import Resolved

MM = 1 / 25.4
WIDTH_IN = 170 * MM
#: The phone drawing: the same point sizes on a narrower figure, which the page shows
#: at the width of a 360-390 px screen's column (about 330-360 CSS px), so its
#: smallest text (``SIZE_TICK_NARROW``) is 11 CSS px or more there.
NARROW_WIDTH_IN = 250 / 72
#: Narrower than this (inches), a builder lays its chart out for a phone.
NARROW_BELOW_IN = 5.0
#: The PNG for email is twice the CSS pixel size (96 px per inch).
PNG_DPI = 192

#: Okabe & Ito's colour-blind-safe palette, darkest first.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
TEXT = "#1a1a1a"
MUTED = "#555555"
GRID = "#d9d9d9"
WHOLE = "#e3e3e3"

SIZE_LABEL = 8.5
SIZE_VALUE = 8.5
SIZE_TICK = 7.5
SIZE_TICK_NARROW = 8.5
SIZE_HEADING = 9.0
SIZE_TITLE = 13.0
#: The email's PNG (subtitle, note, source line) shows at 592 of its 642 CSS px: 10.5 pt
#: reads as 12.9 px there.
SIZE_EMAIL_NOTE = 10.5
#: Gap between a mark and its label, in points.
GAP = 3.0


@dataclass(frozen=True)
class Margins:
    """Fixed margins in inches: no tight_layout, so layout costs nothing and never jumps."""

    left: float = 0.55
    right: float = 0.15
    top: float = 0.12
    bottom: float = 0.42


@cache
def fingerprint() -> str:
    """Font files and drawing code: what else decides a chart's bytes."""
    digest = hashlib.sha256()
    for path in face_paths():
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    here = Path(__file__).parent
    code = [here / name for name in ("style.py", "shapes.py", "draw.py")]
    for path in [*code, *sorted((here / "kinds").glob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white; amount 1 is white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def mark_style(look: str, colour: str) -> dict[str, Any]:
    """Patch keywords by look: actuals solid, estimates and plans tinted (then hatched by
    :func:`hatch`), implied values tinted with a dashed outline."""
    if look == "actual":
        return {"facecolor": colour, "edgecolor": colour, "linewidth": 0.6}
    if look == "implied":
        return {
            "facecolor": tint(colour, 0.8),
            "edgecolor": colour,
            "linewidth": 0.9,
            "linestyle": (0, (3, 2)),
        }
    return {"facecolor": tint(colour, 0.82), "edgecolor": colour, "linewidth": 0.8}


#: Distance between hatch lines, in inches (5 pt).
HATCH_STEP = 5 / 72


def hatch(ax: Axes, patches: Iterable[Rectangle], look: str, colour: str) -> None:
    """Diagonal hatching of plans (/) and estimates (\\) as one plain path.

    matplotlib's own hatches are SVG patterns, which WeasyPrint tiles with visible
    seams; lines computed here render the same in every viewer and cost a few
    hundred bytes. Call once the axes limits are final.
    """
    if look not in ("plan", "estimate"):
        return
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    fig = ax.get_figure()
    assert fig is not None
    to_inches = ax.transData + fig.dpi_scale_trans.inverted()
    slope = 1 if look == "plan" else -1
    step = HATCH_STEP * 2**0.5
    verts: list[tuple[float, float]] = []
    for patch in patches:
        (ax0, ay0), (ax1, ay1) = to_inches.transform(patch.get_bbox().get_points())
        x0, x1, y0, y1 = min(ax0, ax1), max(ax0, ax1), min(ay0, ay1), max(ay0, ay1)
        # Lines y = slope * x - c on a grid of c shared by all bars, so stripes line up.
        lo = min(slope * x0, slope * x1) - y1
        hi = max(slope * x0, slope * x1) - y0
        k = math.ceil(lo / step)
        while k * step <= hi:
            c = k * step
            if slope == 1:
                xa, xb = max(x0, y0 + c), min(x1, y1 + c)
            else:
                xa, xb = max(x0, -c - y1), min(x1, -c - y0)
            if xb > xa:
                verts += [(xa, slope * xa - c), (xb, slope * xb - c)]
            k += 1
    if not verts:
        return
    codes = [MplPath.MOVETO, MplPath.LINETO] * (len(verts) // 2)
    # Placed in axes coordinates: savefig's cropping (bbox_inches) moves the figure's
    # origin but keeps every axes transform right.
    in_axes = (fig.dpi_scale_trans + ax.transAxes.inverted()).transform(verts)
    lines = PathPatch(
        MplPath(in_axes, codes),
        transform=ax.transAxes,
        fill=False,
        edgecolor=colour,
        linewidth=0.6,
        zorder=1.5,
    )
    ax.add_patch(lines)


@cache
def setup() -> None:
    """Register Inter with matplotlib and set the rcParams every chart shares."""
    import matplotlib

    matplotlib.use("agg")
    from matplotlib import font_manager

    # Only the faces the briefing embeds (reportgen/fonts.py): a chart drawn with any other
    # weight would render differently in the PNG than in the HTML and PDF.
    for path in face_paths():
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams.update(
        {
            "font.family": FAMILY,
            "font.size": SIZE_LABEL,
            "text.color": TEXT,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": MUTED,
            "axes.labelsize": SIZE_TICK,
            "axes.linewidth": 0.6,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
            "xtick.labelsize": SIZE_TICK,
            "ytick.labelsize": SIZE_TICK,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "xtick.major.size": 0,
            "ytick.major.size": 0,
            "svg.fonttype": "none",
            "svg.image_inline": True,
            "path.simplify": False,
            "figure.dpi": 72,
            "savefig.dpi": 72,
            "savefig.facecolor": "white",
            # Labels and titles are text: "$5bn to $3bn" keeps its dollar signs, and a
            # stray "$\frac{a}{$" is printed, not parsed as mathtext (and failing).
            "text.parse_math": False,
        }
    )


def new_figure(height_in: float) -> MplFigure:
    setup()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(WIDTH_IN, height_in), dpi=72)
    FigureCanvasAgg(fig)  # measuring text needs a renderer; no pyplot state involved
    return fig


def place_axes(fig: MplFigure, margins: Margins, box: tuple[float, float, float, float]) -> Axes:
    """Axes at fixed margins inside ``box`` = (x, y, width, height) in inches."""
    x, y, w, h = box
    fw, fh = fig.get_size_inches()
    rect = (
        (x + margins.left) / fw,
        (y + margins.bottom) / fh,
        (w - margins.left - margins.right) / fw,
        (h - margins.bottom - margins.top) / fh,
    )
    return fig.add_axes(rect)


@cache
def _advance(char: str, size: float, weight: str) -> float:
    from matplotlib.font_manager import FontProperties, findfont, get_font
    from matplotlib.ft2font import LoadFlags

    font = get_font(findfont(FontProperties(family=FAMILY, weight=weight)))
    font.set_size(size, 72)  # at 72 dpi a pixel is a point
    return float(font.load_char(ord(char), flags=LoadFlags.NO_HINTING).linearHoriAdvance) / 65536


def text_width_pt(text: str, size: float, weight: str = "normal") -> float:
    """How wide ``text`` prints, in points: the sum of the glyphs' advances.

    Ignores kerning (a slight overestimate, which is the safe side for fitting
    labels) and costs microseconds, where a full layout costs milliseconds.
    """
    return sum(_advance(char, size, weight) for char in text)


def plain_axes(ax: Axes, value_axis: Literal["x", "y"]) -> None:
    """Light grid on the value axis only; no box, no tick marks."""
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)
    ax.grid(axis=value_axis, color=GRID, linewidth=0.6)
    ax.tick_params(axis="both", length=0, pad=3)


def scale_for(unit_kind: str, top: float) -> tuple[float, str]:
    """Divisor and word for axis ticks: "CNY billion" rather than 10,000,000,000."""
    if unit_kind == "currency" and top >= 2e9:
        return 1e9, "billion"
    if top >= 2e7 or (unit_kind == "currency" and top >= 2e6):
        return 1e6, "million"
    return 1.0, ""


def value_ticks(ax: Axes, which: str, unit_kind: str, top: float, label: str) -> str:
    """Ticks with thousands separators, scaled; returns the axis label naming the unit.

    A horizontal value axis gets the label under its right end; a vertical one
    leaves it to :func:`unit_label`, which sets it level above the axis (no
    sideways text to read).
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from reportgen.numbers import format_number

    divisor, word = scale_for(unit_kind, top)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))

    def tick(value: float, _pos: int) -> str:
        scaled = value / divisor
        if unit_kind == "percent":
            return f"{format_number(scaled, 0)}%"
        return format_number(scaled, 0 if scaled == int(scaled) else 1)

    axis.set_major_formatter(FuncFormatter(tick))
    full = label
    if word:
        full = f"{label} {word}" if unit_kind == "currency" else f"{label}, {word}s"
    if which == "x":
        ax.set_xlabel(full, loc="right", labelpad=4)
    return full


def unit_label(fig: MplFigure, ax: Axes, text: str, x_in: float, above_pt: float = 8) -> None:
    """The unit of a vertical value axis, level, above the tick labels at ``x_in`` inches."""
    from matplotlib.transforms import blended_transform_factory, offset_copy

    where = offset_copy(
        blended_transform_factory(fig.dpi_scale_trans, ax.transAxes),
        fig,
        y=above_pt,
        units="points",
    )
    import matplotlib

    size = matplotlib.rcParams["ytick.labelsize"]  # the tick labels' size, phone or print
    ax.text(x_in, 1, text, transform=where, ha="left", va="bottom", fontsize=size, color=MUTED)


def body_height_in(chart: Resolved, narrow: bool = False) -> float:
    """The chart body's height in inches (its width is :data:`WIDTH_IN`, or
    :data:`NARROW_WIDTH_IN` for the phone drawing)."""
    return chart.kind.height_in(chart, narrow)


def is_narrow(box_width_in: float) -> bool:
    return box_width_in < NARROW_BELOW_IN


def wrap_pt(text: str, size: float, width_pt: float, weight: str = "normal") -> str:
    """``text`` broken into lines no wider than ``width_pt`` (a long word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and text_width_pt(trial, size, weight) <= width_pt:
            lines[-1] = trial
        else:
            lines.append(word)
    return "\n".join(lines)


def body_size_pt(chart: Resolved) -> tuple[float, float]:
    """The chart body in points: the viewBox of its SVG, known before it is drawn."""
    return WIDTH_IN * 72, body_height_in(chart) * 72
