"""The build: fact store -> charts -> HTML -> PDF -> manifest, all or nothing.

The stages write into a staging folder that :mod:`reportgen.publish` moves into place
only when every stage succeeded, manifest last; a failed build leaves the previous
outputs as they were. A build whose inputs and outputs match the manifest is skipped
(``force`` rebuilds anyway).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import __version__
from reportgen.errors import Location, ReportError
from reportgen.manifest import (
    MANIFEST,
    built_with,
    hash_inputs,
    inputs_digest,
    read_manifest,
    sha256_file,
    stale_reason,
    write_manifest,
)
from reportgen.progress import Stages
from reportgen.publish import build_staging, check_targets, publish, sweep_abandoned

if TYPE_CHECKING:
    from reportgen.charts import ChartOutput, ChartsResult
    from reportgen.facts.store import Store
    from reportgen.pdf import PdfEngine, PdfJob
    from reportgen.render import Briefing

log = logging.getLogger(__name__)

HTML_NAME = "briefing.html"
PDF_NAME = "briefing.pdf"
CHARTS_DIR = "charts"
OUTPUT_NAMES = {"html": HTML_NAME, "pdf": PDF_NAME}


@dataclass
class BuildResult:
    out: Path
    #: Output file name -> path, for the formats asked for.
    outputs: dict[str, Path]
    skipped: bool
    manifest: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the CLI."""
        files = ", ".join(self._describe(name) for name in sorted(self.outputs))
        if self.skipped:
            return f"up to date: {files} (no input changed; --force rebuilds)"
        seconds = sum(self.manifest.get("timings_ms", {}).values()) / 1000
        return f"built {files} in {seconds:.1f} s"

    def _describe(self, name: str) -> str:
        recorded = self.manifest.get("outputs", {}).get(name, {})
        size = f"{recorded.get('bytes', 0) / 1024:.0f} KB"
        pages = recorded.get("pages")
        detail = f"{size}, {pages} pages" if pages else size
        return f"{_shown(self.outputs[name])} ({detail})"


def build(project: Path, out: Path, formats: set[str], force: bool = False) -> BuildResult:
    """Build the briefing of ``project`` into ``out`` in the given formats (html, pdf)."""
    project, out = project.resolve(), out.resolve()
    names = {OUTPUT_NAMES[f] for f in formats}
    if out.is_dir():
        sweep_abandoned(out)
    inputs = hash_inputs(project)
    if not force and is_up_to_date(project, out, formats, exactly=True, inputs=inputs):
        log.debug("nothing changed since the last build of %s", _shown(out))
        return BuildResult(out, {n: out / n for n in names}, True, read_manifest(out))
    if out.is_dir():
        # Refused now rather than after the seconds a build takes (and checked again then).
        check_targets(out, set(OUTPUT_NAMES.values()) | {MANIFEST}, {CHARTS_DIR})

    # Started first, the PDF worker imports WeasyPrint while this process does the rest.
    with _pdf_engine("pdf" in formats) as engine:
        manifest = _build(project, out, formats, inputs, engine)
    return BuildResult(out, {n: out / n for n in names}, False, manifest)


def _build(
    project: Path,
    out: Path,
    formats: set[str],
    inputs: dict[str, str],
    engine: PdfEngine | None,
) -> dict[str, Any]:
    """The stages, in a staging folder published whole at the end; the manifest.

    One function on purpose: it reads as the README's picture, and the hand-offs to the
    PDF worker between stages (what makes a build fast) would hide in split-up calls."""
    from reportgen.pdf import source_date_epoch

    stages = Stages()
    with stages.stage("facts"):
        store = _open_store(project)
        stages.note("facts", f"{len(store.facts)} facts, {len(store.derived)} derived")
    epoch = source_date_epoch(store)
    with build_staging(out) as staging, _source_date_epoch(epoch):
        with stages.stage("render"):
            charts = _plan_charts(store, project, staging / CHARTS_DIR)
            briefing = _render(store, charts.charts, project)
            if engine is not None:
                engine.submit(_pdf_job(briefing, charts.charts, store, project, epoch))
        # The worker lays out pages meanwhile; it needs a drawing only to paint it.
        with stages.stage("charts"):
            for chart in charts.draw_svgs():
                if engine is not None:
                    engine.chart(chart.id, chart.svg_path)
            stages.note("charts", f"{charts.to_draw} drawn, {charts.cached} from cache")
        with stages.stage("html"):
            _write(staging / HTML_NAME, briefing.page(charts.charts).encode("utf-8"))
        if charts.unfinished:
            # Drawn while the worker lays out the PDF: the email's PNGs of new charts.
            with stages.stage("png"):
                stages.note("png", f"{charts.unfinished} for email, alongside the PDF")
                charts.finish()
        outputs: dict[str, dict[str, Any]] = {}
        if "html" in formats:
            outputs[HTML_NAME] = _describe_output(staging / HTML_NAME)
        peak_kb = {"build": _peak_kb()}
        if engine is not None:
            with stages.stage("pdf"):
                result = engine.result()
                _write(staging / PDF_NAME, result.pdf.data)
                pages, size = result.pdf.pages, len(result.pdf.data) / 1024
                outputs[PDF_NAME] = {**_describe_output(staging / PDF_NAME), "pages": pages}
                # The stage's own time is the wait; the worker's says what the PDF took.
                stages.note(
                    "pdf", f"{pages} pages, {size:.0f} KB ({result.seconds:.1f} s in the worker)"
                )
            peak_kb["pdf_worker"] = result.peak_kb
        counts = _counts(store, charts)
        manifest = _manifest(epoch, inputs, outputs, counts, stages.timings_ms, peak_kb)
        write_manifest(staging / MANIFEST, manifest)
        # An output of an earlier build in another format no longer matches the data: it goes.
        names = {OUTPUT_NAMES[f] for f in formats}
        publish(staging, out, names, set(OUTPUT_NAMES.values()) - names, MANIFEST, CHARTS_DIR)
    return manifest


def is_up_to_date(
    project: Path,
    out: Path,
    formats: set[str] | None = None,
    *,
    exactly: bool = False,
    inputs: dict[str, str] | None = None,
) -> bool:
    """Whether ``out`` holds a successful build of ``project``'s current inputs.

    With ``formats``, those outputs must be among the build's (``{"pdf"}`` before
    emailing the PDF); with ``exactly``, they must be all of them (a build is skipped
    only then: it would remove an output of another format). Every output the manifest
    lists must match its recorded hash. ``inputs`` are the project's hashed inputs, when
    the caller has them already.
    """
    try:
        manifest = read_manifest(out)
    except ReportError:
        return False
    digest = inputs_digest(inputs if inputs is not None else hash_inputs(project.resolve()))
    wanted = {OUTPUT_NAMES[f] for f in formats or ()}
    reason = stale_reason(manifest, out, digest, wanted)
    if reason is None and exactly and set(manifest["outputs"]) != wanted:
        reason = "other formats were built last time"
    if reason:
        log.debug("%s is not up to date: %s", _shown(out), reason)
    return reason is None


# The stages. Each imports its module when it runs: `reportgen check` never loads
# matplotlib or WeasyPrint.


def _open_store(project: Path) -> Store:
    from reportgen.facts import open_checked_store

    return open_checked_store(project)


def _plan_charts(store: Store, project: Path, out_dir: Path) -> ChartsResult:
    from reportgen.charts import plan_charts

    return plan_charts(store, project, out_dir)


def _render(store: Store, charts: list[ChartOutput], project: Path) -> Briefing:
    from reportgen.render import render
    from reportgen.render.figurescan import check_figures

    briefing = render(store, charts, project)
    check_figures(briefing.html, store, project)
    return briefing


@contextmanager
def _pdf_engine(wanted: bool) -> Iterator[PdfEngine | None]:
    if not wanted:
        yield None
        return
    from reportgen.pdf import PdfEngine
    from reportgen.pdf.declarations import default_cache_dir

    with PdfEngine.start(default_cache_dir()) as engine:
        yield engine


def _pdf_job(
    briefing: Briefing, charts: list[ChartOutput], store: Store, project: Path, epoch: int
) -> PdfJob:
    from reportgen.fonts import FONT_DIR
    from reportgen.pdf import PdfAttachment, PdfJob, PdfMeta
    from reportgen.render.appendix import CSV_NAME

    if store.meta is None:
        raise ReportError("seeds/report.yaml is missing: the PDF has no title or metadata")
    appendix = briefing.appendix
    attachments = (
        (
            PdfAttachment(
                CSV_NAME,
                appendix.csv.encode("utf-8"),
                f"All {appendix.total} figures of the briefing, with their quotes or formulas "
                "and sources",
            ),
        )
        if appendix.bounded
        else ()
    )
    return PdfJob(
        html=briefing.for_print(charts),
        base=str(project),
        roots=(str(FONT_DIR),),
        meta=PdfMeta.of(store.meta),
        source_date_epoch=epoch,
        shown_as=HTML_NAME,
        attachments=attachments,
    )


def _write(path: Path, data: bytes) -> None:
    """An output into the staging folder; a full disk is the user's to fix, not a crash."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ReportError(
            f"cannot write {path.name}: {exc.strerror}", Location(_shown(path.parent.parent))
        ) from None


def _peak_kb() -> int:
    """This process's peak resident memory so far (the manifest records it per process)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _counts(store: Store, charts: ChartsResult) -> dict[str, int]:
    return {
        "sources": len(store.sources),
        "entities": len(store.entities),
        "facts": len(store.facts),
        "derived": len(store.derived),
        "conflicts": len(store.all_conflicts()),
        "charts": len(charts.charts),
        "charts_drawn": charts.to_draw,
        "charts_cached": charts.cached,
    }


def _manifest(
    epoch: int,
    inputs: dict[str, str],
    outputs: dict[str, dict[str, Any]],
    counts: dict[str, int],
    timings_ms: dict[str, int],
    peak_kb: dict[str, int],
) -> dict[str, Any]:
    return {
        "reportgen": __version__,
        "built_with": built_with(),
        "source_date_epoch": epoch,
        "inputs": inputs,
        "inputs_digest": inputs_digest(inputs),
        "outputs": outputs,
        "counts": counts,
        "timings_ms": timings_ms,
        "peak_memory_kb": peak_kb,
    }


def _describe_output(path: Path) -> dict[str, Any]:
    return {"sha256": sha256_file(path), "bytes": path.stat().st_size}


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for the libraries that read it (matplotlib's file metadata)."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
