"""WeasyPrint in a worker process, started when a build starts.

A build spends a good part of its time importing WeasyPrint and most of it in
WeasyPrint's layout, on one core (``make bench`` has the figures). Started first, the
worker imports WeasyPrint while the build loads facts, draws charts and renders the
HTML; once it has the HTML, the build draws the charts' email PNGs while the worker
lays out pages.
``scripts/bench.py`` measures what this saves against the in-process writer.

The two processes talk over two pipes of their own, framed by
:mod:`multiprocessing.connection` (length-prefixed pickles), in the messages of
:mod:`reportgen.pdf.messages`.

The worker exits after its job, when the job pipe closes, or when the build
process dies (``PR_SET_PDEATHSIG``); :meth:`PdfEngine.stop` kills it at once, which
is what an interrupted or failed build does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

from reportgen.pdf.messages import ChartReady, Done, PdfJob, Problems, Reply
from reportgen.pdf.writer import PdfResult

log = logging.getLogger(__name__)

#: The folder that holds the ``reportgen`` package, for the worker's import path.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class EngineResult:
    pdf: PdfResult
    #: The worker's peak resident memory, in KB.
    peak_kb: int
    #: How long the worker took from receiving its HTML to having the PDF.
    seconds: float


class PdfEngine:
    """One worker process rendering one PDF; use as a context manager."""

    def __init__(self, process: subprocess.Popen[bytes], jobs: Connection, results: Connection):
        self._process = process
        self._jobs = jobs
        self._results = results

    @classmethod
    def start(cls, declarations: Path | None = None) -> PdfEngine:
        """Start the worker; it warms up WeasyPrint while the caller carries on.

        ``declarations`` is the folder of WeasyPrint's parsed C declarations
        (:mod:`reportgen.pdf.declarations`); without it, the worker parses them."""
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        env = dict(os.environ)
        # The worker imports this very package, wherever it was imported from.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reportgen.pdf.worker",
                    str(jobs_read),
                    str(results_write),
                    str(os.getpid()),
                    *([str(declarations)] if declarations is not None else []),
                ],
                pass_fds=(jobs_read, results_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        except BaseException:
            for fd in (jobs_read, jobs_write, results_read, results_write):
                os.close(fd)
            raise
        os.close(jobs_read)
        os.close(results_write)
        engine = cls(
            process,
            Connection(jobs_write, readable=False),
            Connection(results_read, writable=False),
        )
        _RUNNING.add(engine)
        return engine

    def submit(self, job: PdfJob) -> None:
        """Hand the worker its HTML; returns at once."""
        # A worker that is already gone has its reason waiting for result().
        with contextlib.suppress(BrokenPipeError):
            self._jobs.send(job)

    def chart(self, chart_id: str, svg_file: Path) -> None:
        """Tell the worker where the drawing its HTML names (``reportgen-chart:ID``) is."""
        with contextlib.suppress(BrokenPipeError):
            self._jobs.send(ChartReady(chart_id, str(svg_file)))

    def result(self) -> EngineResult:
        """Wait for the PDF; the worker's ReportErrors are raised here, with their locations."""
        try:
            reply: Reply = self._results.recv()
        except EOFError:
            code = self._process.wait()
            raise RuntimeError(f"the PDF worker exited with status {code} and no PDF") from None
        finally:
            self.stop()
        if isinstance(reply, Done):
            pdf = PdfResult(data=reply.pdf, pages=reply.pages)
            return EngineResult(pdf, reply.peak_kb, reply.seconds)
        if isinstance(reply, Problems):
            raise reply.error()
        trace = reply.traceback.rstrip()
        log.debug("the PDF worker's traceback:\n%s", trace)
        raise RuntimeError(f"the PDF worker failed: {trace.splitlines()[-1]}")

    def kill(self) -> None:
        """Kill the worker, leaving its pipes to :meth:`result` (which then raises).

        Unlike :meth:`stop`, safe from another thread while one waits in :meth:`result`."""
        self._process.kill()

    def stop(self) -> None:
        """Kill the worker if it still runs and reap it; safe to call twice."""
        _RUNNING.discard(self)
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._jobs.close()
        self._results.close()

    def __enter__(self) -> PdfEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


#: Workers of the builds running in this process, for :func:`stop_all`.
_RUNNING: set[PdfEngine] = set()


def stop_all() -> None:
    """Kill every worker this process started (the CLI's SIGINT/SIGTERM handler)."""
    for engine in list(_RUNNING):
        engine.stop()
