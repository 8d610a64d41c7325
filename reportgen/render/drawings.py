"""The charts in the briefing: what templates see of one, the slot it is placed in,
and the drawings set into the slots for the page and for print."""

from __future__ import annotations

import re
from typing import Protocol

from markupsafe import Markup


class ChartLike(Protocol):
    """What the briefing needs from a drawn chart (reportgen.charts.ChartOutput)."""

    @property
    def id(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def subtitle(self) -> str | None: ...
    @property
    def caption(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def source_line(self) -> str | None: ...
    @property
    def alt(self) -> str: ...
    @property
    def svg(self) -> str: ...
    @property
    def svg_narrow(self) -> str: ...
    @property
    def size_pt(self) -> tuple[float, float]: ...


class PlacedChart:
    """A chart as templates see it: its markup is trusted (drawn by reportgen.charts)."""

    def __init__(self, chart: ChartLike) -> None:
        self.id = chart.id
        self.number = chart.number
        self.title = chart.title
        self.subtitle = chart.subtitle
        self.caption = chart.caption
        self.note = chart.note
        self.source_line = chart.source_line
        self.alt = chart.alt
        # Where the drawing goes: it is set in when the briefing is finished (Briefing).
        self.svg = Markup(chart_slot(chart.id))  # noqa: S704 - a comment naming a chart id


def chart_slot(chart_id: str) -> str:
    return f"<!--reportgen:chart:{chart_id}-->"


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _with_title(svg: str, alt: str) -> str:
    """The drawing with its alt text as <title>, which tagged PDFs use as the figure's /Alt."""
    match = _SVG_OPEN.search(svg)
    if match is None or "<title" in svg:
        return svg
    title = str(Markup("<title>{0}</title>").format(alt))
    return f"{svg[: match.end()]}{title}{svg[match.end() :]}"


def drawings(chart: ChartLike) -> str:
    """The chart's drawings for the page: the phone drawing beside the wide one, each
    shown at the widths it reads well at (screen.css), both with the same alt text."""
    wide = _with_title(chart.svg, chart.alt)
    if not chart.svg_narrow:
        return wide
    narrow = _with_title(chart.svg_narrow, chart.alt)
    return _with_class(wide, "chart-wide") + _with_class(narrow, "chart-narrow")


def _with_class(svg: str, name: str) -> str:
    match = _SVG_OPEN.search(svg)
    if match is None:
        return svg
    tag = match.group(0)
    tag = (
        tag.replace(' class="', f' class="{name} ', 1)
        if ' class="' in tag
        else (f'{tag[:-1]} class="{name}">')
    )
    return f"{svg[: match.start()]}{tag}{svg[match.end() :]}"


def print_svg(chart: ChartLike) -> str:
    width, height = (f"{v:f}".rstrip("0").rstrip(".") for v in chart.size_pt)
    return str(
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
            'class="chart" role="img" aria-label="{alt}"><title>{alt}</title>'
            '<image href="reportgen-chart:{id}" x="0" y="0" width="{w}" height="{h}"/></svg>'
        ).format(w=width, h=height, alt=chart.alt, id=chart.id)
    )
