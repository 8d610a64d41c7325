"""The PDF worker process: same bytes as the in-process writer, errors kept, never orphaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.errors import ReportError
from reportgen.pdf import PdfEngine, PdfJob, PdfMeta, html_to_pdf
from tests.conftest import process_running

META = PdfMeta(
    title="Engine test",
    author="reportgen tests",
    subject="The PDF worker",
    keywords=("pdf", "worker"),
    language="en",
)
EPOCH = 1_700_000_000


def _job(html: str, base: Path) -> PdfJob:
    return PdfJob(
        html=html,
        base=str(base),
        roots=(),
        meta=META,
        source_date_epoch=EPOCH,
        shown_as="briefing.html",
    )


def _page(body: str, style: str = "") -> str:
    return (
        "<!doctype html><html lang=en><head><title>t</title>"
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


def test_worker_pdf_is_byte_identical_to_in_process(tmp_path: Path) -> None:
    html = _page("<h1>Capacity</h1><p>About 150,000 vehicles a year.</p>")
    with PdfEngine.start() as engine:
        engine.submit(_job(html, tmp_path))
        result = engine.result()
    in_process = html_to_pdf(html, base=tmp_path, meta=META, source_date_epoch=EPOCH)
    assert result.pdf.data.startswith(b"%PDF-")
    assert result.pdf.data == in_process.data
    assert result.pdf.pages == in_process.pages == 1
    assert result.peak_kb > 10_000  # WeasyPrint alone needs tens of MB


def test_worker_warnings_come_back_as_located_errors(tmp_path: Path) -> None:
    html = _page("<p>x</p>", style="p { colr: red; }")
    with PdfEngine.start() as engine:
        engine.submit(_job(html, tmp_path))
        with pytest.raises(ReportError) as caught:
            engine.result()
    lines = caught.value.lines()
    assert lines == [lines[0]]
    assert lines[0].startswith("briefing.html: WeasyPrint: Ignored `colr: red`"), lines


def test_worker_refuses_files_outside_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    html = _page('<img src="../secret.png" alt="">')
    with PdfEngine.start() as engine:
        engine.submit(_job(html, project))
        with pytest.raises(ReportError, match="outside the project"):
            engine.result()


def test_worker_crash_is_one_line_naming_the_cause(tmp_path: Path) -> None:
    job = _job(_page("<p>x</p>"), tmp_path)
    broken = PdfJob(**{**job.__dict__, "meta": None})  # type: ignore[arg-type]
    with PdfEngine.start() as engine:
        engine.submit(broken)
        with pytest.raises(RuntimeError) as caught:
            engine.result()
    message = str(caught.value)
    assert message.startswith("the PDF worker failed: AttributeError"), message
    assert "\n" not in message


def test_stop_kills_a_busy_worker_and_reaps_it(tmp_path: Path) -> None:
    engine = PdfEngine.start()
    pid = engine._process.pid
    # A long document: the worker is still laying it out when stopped.
    engine.submit(_job(_page("<p>Lorem ipsum dolor sit amet.</p>" * 20_000), tmp_path))
    time.sleep(1.0)
    assert process_running(pid)
    engine.stop()
    engine.stop()  # twice is harmless
    assert not process_running(pid)


def test_worker_without_a_job_exits_when_the_build_lets_go() -> None:
    engine = PdfEngine.start()
    process = engine._process
    engine._jobs.close()  # what a build process that ends without a PDF amounts to
    assert process.wait(timeout=30) == 0
    engine.stop()


_ORPHAN_SCRIPT = """
import sys, time
from reportgen.pdf import PdfEngine
engine = PdfEngine.start()
print(engine._process.pid, flush=True)
time.sleep(60)
"""


def test_worker_dies_with_a_killed_build_process() -> None:
    """SIGKILL skips every cleanup; the worker must not live on as an orphan."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    build = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    assert build.stdout is not None
    worker = int(build.stdout.readline())
    time.sleep(1.0)  # past the worker's start-up, into its wait for a job
    assert process_running(worker)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    deadline = time.monotonic() + 10
    while process_running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_running(worker), "the PDF worker outlived its build process"


_CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="100pt" '
    'viewBox="0 0 200 100"><rect width="200" height="100" fill="#0072b2"/></svg>'
)


def _with_chart(chart_id: str) -> str:
    return _page(
        "<p>Before the chart.</p>"
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="100%">'
        f'<image href="reportgen-chart:{chart_id}" width="200" height="100"/></svg>'
    )


def _blue_pixels(pdf: bytes) -> int:
    import pymupdf

    pixmap = pymupdf.open(stream=pdf, filetype="pdf")[0].get_pixmap(dpi=20)
    samples = pixmap.samples
    # #0072b2, give or take the rasteriser's rounding.
    return sum(
        1
        for i in range(0, len(samples), pixmap.n)
        if samples[i] < 8 and abs(samples[i + 1] - 114) < 8 and abs(samples[i + 2] - 178) < 8
    )


def test_a_chart_drawn_after_the_html_is_painted(tmp_path: Path) -> None:
    """The worker lays out first and reads the drawing when it paints the page."""
    drawing = tmp_path / "capacity.svg"
    with PdfEngine.start() as engine:
        engine.submit(_job(_with_chart("capacity"), tmp_path))
        time.sleep(0.5)  # the worker is busy with the page, the drawing not yet written
        drawing.write_text(_CHART, encoding="utf-8")
        engine.chart("capacity", drawing)
        result = engine.result()
    assert _blue_pixels(result.pdf.data) > 100


def test_a_chart_never_drawn_fails_with_its_id(tmp_path: Path) -> None:
    with PdfEngine.start() as engine:
        engine.submit(_job(_with_chart("missing"), tmp_path))
        engine._jobs.close()  # the build process stops sending
        with pytest.raises(ReportError, match="chart 'missing' was never drawn"):
            engine.result()


def test_chart_urls_are_refused_without_a_chart_source(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="refused to fetch 'reportgen-chart:capacity'"):
        html_to_pdf(_with_chart("capacity"), base=tmp_path, meta=META, source_date_epoch=EPOCH)
    chart = _CHART.encode()
    pdf = html_to_pdf(
        _with_chart("capacity"),
        base=tmp_path,
        meta=META,
        source_date_epoch=EPOCH,
        charts={"capacity": chart}.__getitem__,
    )
    assert _blue_pixels(pdf.data) > 100
