"""Charts: declarative specs in ``charts/*.yaml``, drawn from the fact store.

``check_charts`` validates specs against the store and never imports matplotlib;
``build_charts`` draws SVG (HTML, PDF) and 2x PNG (email) files, redrawing only
charts whose content hash changed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.charts.cache import ChartCache, Entry, content_key, write_atomic
from reportgen.charts.resolve import Resolved, resolve
from reportgen.charts.spec import KINDS, ChartSpec, check_against_store, load_specs
from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.store import Store

if TYPE_CHECKING:
    from reportgen.charts.render import Drawing

__all__ = [
    "KINDS",
    "ChartOutput",
    "ChartSpec",
    "ChartsResult",
    "build_charts",
    "build_charts_command",
    "check_charts",
    "draw_charts",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChartOutput:
    id: str
    #: 1-based figure number, in briefing order.
    number: int
    kind: str
    title: str
    subtitle: str
    caption: str
    note: str
    #: "Source: “Title”, Month YYYY." naming every article the chart's figures rest on.
    source_line: str
    #: Every data point in words, with its qualifier and unit.
    alt: str
    #: The ``<svg>`` element (no XML declaration), width 100%, ids prefixed by chart id.
    svg: str
    svg_path: Path
    png_path: Path
    #: The fact and derived-metric ids the chart reads.
    figures: tuple[str, ...] = ()


@dataclass
class ChartsResult:
    charts: list[ChartOutput] = field(default_factory=list)
    drawn: int = 0
    cached: int = 0
    #: Charts whose SVG is drawn and whose PNG is not yet: see :meth:`finish`.
    _unfinished: list[_Unfinished] = field(default_factory=list)

    @property
    def unfinished(self) -> int:
        """How many charts still lack their PNG."""
        return len(self._unfinished)

    def finish(self) -> None:
        """Draw the PNGs still missing, write them and cache the charts.

        Separate from :func:`draw_charts` so that a build can run it while its PDF
        worker lays out pages: the briefing needs only the SVGs."""
        while self._unfinished:
            item = self._unfinished.pop(0)
            png = item.drawing.png()
            _write(item.output.png_path, png, item.output.png_path.parent)
            item.cache.put(item.output.id, item.key, Entry(item.output.svg, item.svg_file, png))


@dataclass
class _Unfinished:
    output: ChartOutput
    drawing: Drawing
    svg_file: bytes
    key: str
    cache: ChartCache


def _resolve_all(store: Store, project: Path, problems: Problems) -> list[Resolved]:
    resolved: list[Resolved] = []
    for item in load_specs(project, problems):
        if not check_against_store(item, store, problems):
            continue
        chart = resolve(item, store, len(resolved) + 1, problems)
        if chart is not None:
            resolved.append(chart)
    return resolved


def check_charts(store: Store, project: Path, problems: Problems) -> list[ChartSpec]:
    """Validate every ``charts/*.yaml`` against ``store``; add ``path:line`` problems."""
    return [chart.spec for chart in _resolve_all(store, project, problems)]


def build_charts(store: Store, project: Path, out_dir: Path) -> ChartsResult:
    """Draw every chart into ``out_dir`` (``ID.svg``, ``ID.png``); ReportErrors if a spec is bad.

    Cached drawings live in ``PROJECT/.cache/charts``.
    """
    result = draw_charts(store, project, out_dir)
    result.finish()
    return result


def draw_charts(store: Store, project: Path, out_dir: Path) -> ChartsResult:
    """Every chart's SVG into ``out_dir``, from the cache or drawn; PNGs of cached charts too.

    The PNGs of charts drawn now wait for :meth:`ChartsResult.finish`."""
    problems = Problems()
    charts = _resolve_all(store, project, problems)
    problems.raise_if_any()
    cache = ChartCache(project / ".cache" / "charts")
    result = ChartsResult()
    for chart in charts:
        started = time.perf_counter()
        key = content_key(chart, store)
        entry = cache.get(chart.spec.id, key)
        svg_path = out_dir / f"{chart.spec.id}.svg"
        png_path = out_dir / f"{chart.spec.id}.png"
        drawing: Drawing | None = None
        if entry is None:
            from reportgen.charts import render  # matplotlib only when drawing

            drawing = render.Drawing(chart)
            svg, svg_file = drawing.svg()
            _write(svg_path, svg_file, out_dir)
            result.drawn += 1
            log.debug(
                "chart %s drawn in %.0f ms", chart.spec.id, (time.perf_counter() - started) * 1000
            )
        else:
            svg, svg_file = entry.svg, entry.svg_file
            _write(svg_path, svg_file, out_dir)
            _write(png_path, entry.png, out_dir)
            result.cached += 1
        output = ChartOutput(
            id=chart.spec.id,
            number=chart.number,
            kind=chart.spec.kind,
            title=chart.title,
            subtitle=chart.subtitle,
            caption=chart.caption,
            note=chart.note,
            source_line=chart.source_line,
            alt=chart.alt,
            svg=svg,
            svg_path=svg_path,
            png_path=png_path,
            figures=chart.figure_ids,
        )
        result.charts.append(output)
        if drawing is not None:
            result._unfinished.append(_Unfinished(output, drawing, svg_file, key, cache))
    return result


def _write(path: Path, data: bytes, out_dir: Path) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ReportError(
            f"cannot write the chart files: {exc.strerror}",
            Location(str(exc.filename or out_dir)),
        ) from None


def build_charts_command(project: Path, out: Path) -> str:
    """``reportgen charts``: draw the charts into OUT/charts; the line the CLI prints."""
    from reportgen.facts import open_store

    project = project.resolve()
    store = open_store(project)
    target = out / "charts"
    result = build_charts(store, project, target)
    return (
        f"charts: {result.drawn} drawn, {result.cached} from cache -> "
        f"{relative(target, Path.cwd())}"
    )
