"""Drawing one resolved chart into SVG (HTML and PDF) and a 2x PNG (email).

One matplotlib figure serves both: the PNG carries the title above and the
note and source line below so that it reads alone in an email; the SVG is cropped to the
chart body, because the briefing sets title, caption and source line as text
around it. The SVG is then made safe to inline several times in one page: ids
are prefixed with the chart id, the global ``*{...}`` stylesheet becomes
inherited attributes, and metadata (which would carry a creator string) goes.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportgen.charts import style
from reportgen.charts.resolve import Resolved

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.text import Text

_ID = re.compile(r'\sid="([^"]+)"')
_REF = re.compile(r'url\(#([^)]+)\)|href="#([^"]+)"')
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


@dataclass(frozen=True)
class Drawn:
    #: The SVG element alone, for inlining in HTML.
    svg: str
    #: A standalone SVG file (XML declaration, printed size in points).
    svg_file: bytes
    png: bytes


def _wrap(text: str, size: float, width_pt: float, weight: str = "normal") -> str:
    """Greedy wrap by measured width; long words are never split."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}".strip()
            if current and style.text_width_pt(trial, size, weight) > width_pt:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    return "\n".join(lines)


def _png(fig: MplFigure) -> bytes:
    """The figure at twice CSS size, as a 128-colour PNG.

    Charts use a handful of colours, so the palette loses nothing visible, and the
    file is a quarter of a full-colour one and quicker to encode. No text chunks:
    the bytes depend on the drawing only.
    """
    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=style.PNG_DPI)
    data = raw.getvalue()
    width = round(fig.get_size_inches()[0] * style.PNG_DPI)
    height = len(data) // (4 * width)
    assert width * height * 4 == len(data)
    image = Image.frombuffer("RGBA", (width, height), data, "raw", "RGBA", 0, 1).convert("RGB")
    palette = image.quantize(128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="png", compress_level=6)
    return out.getvalue()


def clean_svg(markup: str, prefix: str, alt: str, inline: bool) -> str:
    """matplotlib's SVG, made deterministic, self-contained and safe to inline."""
    start = markup.index("<svg")
    markup = markup[start:]
    markup = re.sub(r"\s*<metadata>.*?</metadata>", "", markup, flags=re.S)
    markup = re.sub(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", markup)
    referenced = {a or b for a, b in _REF.findall(markup)}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        return f' id="{prefix}-{name}"' if name in referenced else ""

    markup = _ID.sub(rename, markup)
    markup = _REF.sub(
        lambda m: (
            f"url(#{prefix}-{m.group(1)})" if m.group(1) else f'href="#{prefix}-{m.group(2)}"'
        ),
        markup,
    )
    root = _ROOT.search(markup)
    assert root is not None
    attrs = root.group(0)[4:-1]
    if inline:
        attrs = _SIZE.sub("", attrs) + ' width="100%"'
    attrs += (
        f' class="chart" role="img" aria-label="{html.escape(alt, quote=True)}"'
        ' stroke-linejoin="round" stroke-linecap="butt"'
    )
    return f"<svg{attrs}>" + markup[root.end() :].rstrip() + "\n"


def _build(
    fig: MplFigure, box: tuple[float, float, float, float], chart: Resolved, narrow: bool
) -> None:
    """The chart's builder; the phone drawing's tick labels a point larger."""
    import matplotlib

    if not narrow:
        chart.kind.draw(fig, box, chart)
        return
    rc = matplotlib.rcParams
    saved = (rc["xtick.labelsize"], rc["ytick.labelsize"], rc["axes.labelsize"])
    # Set and put back, not rc_context: restoring every rcParam costs tens of ms a chart.
    rc["xtick.labelsize"] = rc["ytick.labelsize"] = rc["axes.labelsize"] = style.SIZE_TICK_NARROW
    try:
        chart.kind.draw(fig, box, chart)
    finally:
        rc["xtick.labelsize"], rc["ytick.labelsize"], rc["axes.labelsize"] = saved


class Drawing:
    """One chart's figure, drawn as SVG first and as PNG later.

    The briefing waits for the SVG; the PNG is for email only, so the build draws it
    while WeasyPrint lays out the PDF in its worker process. The figure stays open
    in between: building it again would cost as much as drawing it."""

    def __init__(self, chart: Resolved, narrow: bool = False) -> None:
        """``narrow``: the phone drawing (SVG only), :data:`style.NARROW_WIDTH_IN` wide."""
        style.setup()
        self.chart = chart
        self.narrow = narrow
        self.width_in = style.NARROW_WIDTH_IN if narrow else style.WIDTH_IN
        body_h = style.body_height_in(chart, narrow)
        fig = style.new_figure(body_h)
        inner = (self.width_in - 0.2) * 72
        head = _wrap(chart.title, style.SIZE_TITLE, inner, "semibold")
        sub = _wrap(chart.subtitle, style.SIZE_EMAIL_NOTE, inner) if chart.subtitle else ""
        # The PNG travels alone (email), so it carries the note's caveats with the source.
        footer = f"Note: {chart.note}\n{chart.source_line}" if chart.note else chart.source_line
        foot = _wrap(footer, style.SIZE_EMAIL_NOTE, inner)
        line = 1.3 / 72
        head_h = 0.12 + head.count("\n") * style.SIZE_TITLE * line + style.SIZE_TITLE / 72
        if sub:
            head_h += 0.05 + (sub.count("\n") + 1) * style.SIZE_EMAIL_NOTE * line
        head_h += 0.1
        foot_h = 0.08 + (foot.count("\n") + 1) * style.SIZE_EMAIL_NOTE * line + 0.16
        total_h = head_h + body_h + foot_h
        fig.set_size_inches(self.width_in, total_h)
        _build(fig, (0.0, foot_h, self.width_in, body_h), chart, narrow)

        # Title, subtitle and footer belong to the PNG only: the briefing sets them as text.
        def png_text(
            y: float,
            text: str,
            va: str,
            size: float,
            color: str | None = None,
            weight: str | None = None,
        ) -> Text:
            return fig.text(
                0.1, y, text, transform=fig.dpi_scale_trans, va=va, ha="left",
                fontsize=size, linespacing=1.3, visible=False, color=color, fontweight=weight,
            )  # fmt: skip

        self._png_only = [
            png_text(total_h - 0.12, head, "top", style.SIZE_TITLE, weight="semibold"),
            png_text(0.08, foot, "bottom", style.SIZE_EMAIL_NOTE, color=style.MUTED),
        ]
        if sub:
            top_of_sub = total_h - 0.12 - (head.count("\n") + 1) * style.SIZE_TITLE * line - 0.05
            self._png_only.append(
                png_text(top_of_sub, sub, "top", style.SIZE_EMAIL_NOTE, color=style.MUTED)
            )
        self._fig = fig
        self._body = (foot_h, body_h)

    def svg(self) -> tuple[str, bytes]:
        """The chart body as an inline ``<svg>`` element and as a standalone file."""
        import matplotlib
        from matplotlib.transforms import Bbox

        foot_h, body_h = self._body
        svg = io.StringIO()
        # Set, not scoped with rc_context: restoring every rcParam costs tens of ms a chart,
        # and each drawing sets its own salt.
        matplotlib.rcParams["svg.hashsalt"] = self.chart.spec.id
        self._fig.savefig(
            svg,
            format="svg",
            bbox_inches=Bbox.from_bounds(0, foot_h, self.width_in, body_h),
            pad_inches=0,
            metadata={"Date": None, "Creator": None},
        )
        markup = svg.getvalue()
        # Both drawings sit in one page: their ids must differ.
        prefix = f"chart-{self.chart.spec.id}{'-narrow' if self.narrow else ''}"
        file_svg = clean_svg(markup, prefix, self.chart.alt, inline=False)
        inline_svg = clean_svg(markup, prefix, self.chart.alt, inline=True)
        return inline_svg, ('<?xml version="1.0" encoding="utf-8"?>\n' + file_svg).encode()

    def png(self) -> bytes:
        """The whole figure, title and source line included, as a 2x PNG for email."""
        for artist in self._png_only:
            artist.set_visible(True)
        return _png(self._fig)


def draw(chart: Resolved) -> Drawn:
    """SVG and PNG of one chart, one after the other."""
    drawing = Drawing(chart)
    svg, svg_file = drawing.svg()
    return Drawn(svg=svg, svg_file=svg_file, png=drawing.png())
