"""Charts: declarative specs in ``charts/*.yaml``, drawn from the fact store.

``check_charts`` validates specs against the store and never imports matplotlib;
``build_charts`` draws SVG (HTML, PDF) and 2x PNG (email) files, redrawing only
charts whose content hash changed.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.atomic import write_atomic
from reportgen.charts.cache import ChartCache, Entry, content_key
from reportgen.charts.kinds import KINDS
from reportgen.charts.resolve import Resolved, resolve
from reportgen.charts.spec import ChartSpec, check_against_store, load_specs
from reportgen.charts.style import body_size_pt
from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.store import Store

if TYPE_CHECKING:
    from reportgen.charts.draw import Drawing

__all__ = [
    "KINDS",
    "ChartOutput",
    "ChartSpec",
    "ChartsResult",
    "build_charts",
    "build_charts_command",
    "check_charts",
    "outline",
    "plan_charts",
    "resolve_charts",
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
    #: The ``<svg>`` element (no XML declaration), width 100%, ids prefixed by chart id;
    #: empty until the chart is drawn (:meth:`ChartsResult.draw_svgs`).
    svg: str
    svg_path: Path
    png_path: Path
    #: The chart body's size in points, its SVG's viewBox, known before it is drawn.
    size_pt: tuple[float, float] = (0.0, 0.0)
    #: The fact and derived-metric ids the chart reads.
    figures: tuple[str, ...] = ()
    #: The phone drawing (``<svg>``, same alt text), which the page shows on small screens.
    svg_narrow: str = ""


@dataclass
class _Planned:
    chart: Resolved
    key: str
    entry: Entry | None


@dataclass
class _Unfinished:
    id: str
    drawing: Drawing
    svg: str
    svg_file: bytes
    key: str
    svg_narrow: str


@dataclass
class ChartsResult:
    """The charts of a build, drawn in two steps: SVGs first (the briefing needs them),
    PNGs for email later (:meth:`finish`), while the PDF worker lays out pages."""

    charts: list[ChartOutput] = field(default_factory=list)
    #: How many charts the cache lacks (drawn by :meth:`draw_svgs`), and how many it has.
    to_draw: int = 0
    cached: int = 0
    cache: ChartCache | None = None
    _planned: list[_Planned] = field(default_factory=list)
    _unfinished: list[_Unfinished] = field(default_factory=list)

    def draw_svgs(self) -> Iterator[ChartOutput]:
        """Write every chart's SVG (and a cached chart's PNG); yield each chart once its
        SVG file is written, cached charts first."""
        planned = sorted(self._planned, key=lambda p: p.entry is None)
        self._planned = []
        by_id = {c.id: i for i, c in enumerate(self.charts)}
        for item in planned:
            index = by_id[item.chart.spec.id]
            output = self.charts[index]
            started = time.perf_counter()
            if item.entry is not None:
                svg, svg_file = item.entry.svg, item.entry.svg_file
                narrow = item.entry.svg_narrow
                _write(output.png_path, item.entry.png, output.png_path.parent)
            else:
                from reportgen.charts import draw  # matplotlib only when drawing

                drawing = draw.Drawing(item.chart)
                svg, svg_file = drawing.svg()
                narrow, _ = draw.Drawing(item.chart, narrow=True).svg()
                self._unfinished.append(
                    _Unfinished(output.id, drawing, svg, svg_file, item.key, narrow)
                )
                log.debug(
                    "chart %s drawn in %.0f ms", output.id, (time.perf_counter() - started) * 1000
                )
            _write(output.svg_path, svg_file, output.svg_path.parent)
            self.charts[index] = dataclasses.replace(output, svg=svg, svg_narrow=narrow)
            yield self.charts[index]

    @property
    def unfinished(self) -> int:
        """How many charts still lack their PNG."""
        return len(self._unfinished)

    def finish(self) -> None:
        """Draw the PNGs still missing, write them and cache the charts."""
        assert self.cache is not None or not self._unfinished
        while self._unfinished:
            item = self._unfinished.pop(0)
            output = next(c for c in self.charts if c.id == item.id)
            png = item.drawing.png()
            _write(output.png_path, png, output.png_path.parent)
            if self.cache is not None:
                self.cache.put(
                    item.id, item.key, Entry(item.svg, item.svg_file, png, item.svg_narrow)
                )


def resolve_charts(store: Store, project: Path, problems: Problems) -> list[Resolved]:
    """Every chart spec validated and resolved against ``store``, in briefing order; a spec
    with a problem is left out and its problems added (``path:line``)."""
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
    return [chart.spec for chart in resolve_charts(store, project, problems)]


def build_charts(store: Store, project: Path, out_dir: Path) -> ChartsResult:
    """Draw every chart into ``out_dir`` (``ID.svg``, ``ID.png``); ReportErrors if a spec is bad.

    Cached drawings live in ``PROJECT/.cache/charts``.
    """
    result = plan_charts(store, project, out_dir)
    for _ in result.draw_svgs():
        pass
    result.finish()
    return result


def plan_charts(store: Store, project: Path, out_dir: Path) -> ChartsResult:
    """Every chart resolved against the store and looked up in the cache; nothing drawn.

    Enough for the templates (titles, alt text, sizes): the drawing comes after,
    from :meth:`ChartsResult.draw_svgs` and :meth:`ChartsResult.finish`."""
    problems = Problems()
    charts = resolve_charts(store, project, problems)
    problems.raise_if_any()
    cache = ChartCache(project / ".cache" / "charts")
    result = ChartsResult(cache=cache)
    for chart in charts:
        key = content_key(chart, store)
        entry = cache.get(chart.spec.id, key)
        result._planned.append(_Planned(chart, key, entry))
        if entry is None:
            result.to_draw += 1
        else:
            result.cached += 1
        result.charts.append(outline(chart, out_dir))
    return result


def outline(chart: Resolved, out_dir: Path | None = None) -> ChartOutput:
    """What the templates know of a chart before it is drawn (title, alt text, size);
    ``out_dir`` is where its files will go, if it is to be drawn."""
    return ChartOutput(
        id=chart.spec.id,
        number=chart.number,
        kind=chart.spec.kind,
        title=chart.title,
        subtitle=chart.subtitle,
        caption=chart.caption,
        note=chart.note,
        source_line=chart.source_line,
        alt=chart.alt,
        svg="",
        svg_path=out_dir / f"{chart.spec.id}.svg" if out_dir else Path(),
        png_path=out_dir / f"{chart.spec.id}.png" if out_dir else Path(),
        size_pt=body_size_pt(chart),
        figures=chart.figure_ids,
    )


def _write(path: Path, data: bytes, out_dir: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, shown=relative(path, Path.cwd()), skip_unchanged=True)
    except OSError as exc:
        raise ReportError(
            f"cannot write the chart files: {exc.strerror}",
            Location(str(exc.filename or out_dir)),
        ) from None


def build_charts_command(project: Path, out: Path) -> str:
    """``reportgen charts``: draw the charts into OUT/charts; the line the CLI prints."""
    from reportgen.facts import open_store
    from reportgen.publish import check_targets

    # The charts are written into OUT/charts one by one: never through a symlink.
    check_targets(out, set(), {"charts"})
    project = project.resolve()
    store = open_store(project)
    target = out / "charts"
    result = build_charts(store, project, target)
    return (
        f"charts: {result.to_draw} drawn, {result.cached} from cache -> "
        f"{relative(target, Path.cwd())}"
    )
