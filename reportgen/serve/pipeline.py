"""The preview's builds: the build's own stages, HTML first, the PDF after it.

A rebuild runs the stages of :mod:`reportgen.build` in this long-lived process and
keeps what an edit did not touch: the fact store while ``seeds/`` is unchanged, the
drawn charts while neither ``seeds/`` nor ``charts/`` changed (a chart that must be
drawn again still comes from the project's chart cache when its content is one it has
drawn before). The HTML is written and every page told to reload as soon as it is
made; a PDF worker, started ahead so that WeasyPrint is already imported, lays out the
PDF meanwhile (:class:`PdfRunner`). Outputs go to the preview's own folder only.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.atomic import write_atomic
from reportgen.build import HTML_NAME, PDF_NAME
from reportgen.errors import ReportError, relative
from reportgen.serve.events import Events

if TYPE_CHECKING:
    from reportgen.charts import ChartOutput
    from reportgen.facts.store import Store
    from reportgen.pdf import PdfEngine, PdfJob

log = logging.getLogger(__name__)

#: The project folders a preview watches, and what a change in each invalidates (a
#: recorded edition changes only the rendering: the "What changed" section and the cover).
WATCHED = ("seeds", "charts", "templates", "editions")


class PreviewBuilder:
    """Rebuilds the preview of ``project`` into ``folder``; one rebuild at a time."""

    def __init__(self, project: Path, folder: Path, events: Events) -> None:
        self.project = project.resolve()
        self.folder = folder
        self.events = events
        self.pdf = PdfRunner(folder, events)
        self._store: Store | None = None
        #: The drawn charts of the current store and specs; None when they must be planned.
        self._charts: list[ChartOutput] | None = None

    def rebuild(self, changed: set[Path] | None = None) -> bool:
        """Build after ``changed`` (None: everything); whether the build succeeded.

        Never raises for a bad edit: its problems go to the pages, and a fault of
        reportgen itself is shown there too, so that the preview keeps running."""
        started = time.perf_counter()
        try:
            self._build(self._touched(changed))
        except ReportError as exc:
            self.pdf.cancel()
            lines = exc.lines()
            log.warning("build failed (%d problem(s)); the last good page stays", len(lines))
            for line in lines:
                log.info("%s", line)
            self.events.failed(lines)
            return False
        except Exception as exc:  # noqa: BLE001 - a preview outlives a fault; shown, logged
            self.pdf.cancel()
            log.debug("the preview build failed:\n%s", traceback.format_exc())
            self.events.failed(
                [f"reportgen: internal error: {type(exc).__name__}: {exc} (-v logs the traceback)"]
            )
            return False
        log.info("preview updated in %.2f s", time.perf_counter() - started)
        return True

    def close(self) -> None:
        self.pdf.close()

    def _touched(self, changed: set[Path] | None) -> set[str]:
        """Which watched folders the changed paths are in."""
        if changed is None:
            return set(WATCHED)
        touched: set[str] = set()
        for path in changed:
            try:
                top = path.resolve().relative_to(self.project).parts[:1]
            except (ValueError, OSError, RuntimeError):
                touched.update(WATCHED)  # not where expected: assume the worst
                continue
            touched.update(top if top and top[0] in WATCHED else WATCHED)
        return touched

    def _build(self, touched: set[str]) -> None:
        from reportgen.build import _pdf_job, _source_date_epoch
        from reportgen.charts import ChartsResult, plan_charts
        from reportgen.facts import open_store
        from reportgen.pdf import source_date_epoch
        from reportgen.render import render

        self.pdf.cancel()  # the PDF under way is of the inputs as they were
        if self._store is None or "seeds" in touched:
            self._store = self._charts = None
            self._store = open_store(self.project)
        store = self._store
        epoch = source_date_epoch(store)
        plan: ChartsResult | None = None
        if self._charts is None or "charts" in touched:
            self._charts = None
            plan = plan_charts(store, self.project, self.folder / "charts")
        charts = plan.charts if plan is not None else self._charts
        assert charts is not None
        briefing = render(store, charts, self.project)
        engine = self.pdf.submit(_pdf_job(briefing, charts, store, self.project, epoch))
        # Drawn with the data's date, as a build draws them: they go to the shared cache.
        with _source_date_epoch(epoch):
            if plan is not None:
                for chart in plan.draw_svgs():
                    engine.chart(chart.id, chart.svg_path)
                charts = plan.charts
            else:
                for chart in charts:
                    engine.chart(chart.id, chart.svg_path)
            html = briefing.page(charts)
            target = self.folder / HTML_NAME
            write_atomic(target, html.encode("utf-8"), shown=relative(target, Path.cwd()))
            self._charts = charts
            self.events.built()
            self.pdf.wait_in_background(engine, self.events.state.version)
            if plan is not None and plan.unfinished:
                plan.finish()  # the email PNGs, which put new drawings in the cache


class PdfRunner:
    """The PDF of the latest good build, laid out by a worker started ahead of time.

    One worker makes one PDF; a spare is started once a PDF is done, and a newer build
    kills the worker of an older one, whose PDF would be stale."""

    def __init__(self, folder: Path, events: Events) -> None:
        self.folder = folder
        self.events = events
        self._lock = threading.Lock()
        self._spare: PdfEngine | None = None
        self._current: PdfEngine | None = None
        self._closed = False
        self._wanted = threading.Event()
        #: The worker a thread waits on (its pipes are that thread's to close).
        self._waited: PdfEngine | None = None
        self._starter: threading.Thread | None = None

    def warm(self) -> None:
        """Have a spare worker started if there is none (it imports WeasyPrint meanwhile).

        Workers are started by one thread that lives as long as the preview: a worker
        is told to exit when the thread that started it ends (``PR_SET_PDEATHSIG``)."""
        with self._lock:
            if self._starter is None:
                self._starter = threading.Thread(
                    target=self._start_spares, name="preview-pdf-start", daemon=True
                )
                self._starter.start()
        self._wanted.set()

    def _start_spares(self) -> None:
        from reportgen.pdf import PdfEngine
        from reportgen.pdf.declarations import default_cache_dir

        while True:
            self._wanted.wait()
            self._wanted.clear()
            with self._lock:
                if self._closed:
                    return
                if self._spare is None:
                    self._spare = PdfEngine.start(default_cache_dir())

    def submit(self, job: PdfJob) -> PdfEngine:
        from reportgen.pdf import PdfEngine
        from reportgen.pdf.declarations import default_cache_dir

        with self._lock:
            engine, self._spare = self._spare, None
            if engine is None:
                engine = PdfEngine.start(default_cache_dir())
            self._current = engine
        engine.submit(job)
        return engine

    def wait_in_background(self, engine: PdfEngine, version: int) -> None:
        with self._lock:
            self._waited = engine
        threading.Thread(
            target=self._wait, args=(engine, version), name="preview-pdf", daemon=True
        ).start()

    def cancel(self) -> None:
        with self._lock:
            engine, self._current = self._current, None
            waited = engine is not None and engine is self._waited
        if engine is None:
            return
        if waited:
            engine.kill()  # the waiting thread sees it end, and closes its pipes
        else:
            engine.stop()

    def close(self) -> None:
        self.cancel()
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        self._wanted.set()
        if spare is not None:
            spare.stop()

    def _wait(self, engine: PdfEngine, version: int) -> None:
        started = time.perf_counter()
        try:
            result = engine.result()
        except ReportError as exc:
            self._failed(engine, exc.lines())
        except Exception as exc:  # noqa: BLE001 - also how a cancelled worker ends
            self._failed(engine, [f"the PDF was not made: {exc}"])
        else:
            self._publish(engine, result.pdf.data, version, started)
        self.warm()

    def _publish(self, engine: PdfEngine, data: bytes, version: int, started: float) -> None:
        with self._lock:
            if self._current is not engine:
                return  # a newer build is under way
            self._current = None
            target = self.folder / PDF_NAME
            try:
                write_atomic(target, data, shown=relative(target, Path.cwd()))
            except ReportError as exc:
                written = False
                lines = exc.lines()
            else:
                written = True
        if not written:
            self.events.pdf_failed(lines)
            return
        log.info("PDF updated in %.2f s", time.perf_counter() - started)
        self.events.pdf_written(version)

    def _failed(self, engine: PdfEngine, lines: list[str]) -> None:
        with self._lock:
            if self._current is not engine:
                return  # cancelled
            self._current = None
        for line in lines:
            log.warning("PDF: %s", line)
        self.events.pdf_failed(lines)
