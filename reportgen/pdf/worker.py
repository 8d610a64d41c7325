"""The PDF worker process: ``python -m reportgen.pdf.worker JOBS RESULTS PARENT [CACHE]``.

Started by :class:`reportgen.pdf.engine.PdfEngine`; renders one job with
:func:`reportgen.pdf.writer.html_to_pdf` and sends back the PDF or its problems.
It imports WeasyPrint and nothing of the fact store, so it is ready before the
build process has its HTML.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import resource
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

from reportgen.errors import ReportError
from reportgen.pdf.messages import ChartReady, Crashed, Done, PdfJob, Problems, Reply

_PR_SET_PDEATHSIG = 1
#: Collector thresholds for the worker, measured with scripts/bench_means.py gc.
_GC_THRESHOLDS = (100_000, 50, 1_000)


def _die_with(parent: int) -> None:
    """Be killed when the build process dies, even by SIGKILL (Linux)."""
    # Elsewhere than Linux the closed job pipe still ends the worker, once it reads it.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(0)


class _ChartInbox:
    """The drawings the build process sends after the job, waited for when needed."""

    def __init__(self, jobs: Connection) -> None:
        self.jobs = jobs
        self.received: dict[str, bytes] = {}

    def __call__(self, chart_id: str) -> bytes:
        from reportgen.pdf.writer import FetchRefused

        while chart_id not in self.received:
            try:
                ready: ChartReady = self.jobs.recv()
            except EOFError:
                raise FetchRefused(f"chart '{chart_id}' was never drawn") from None
            # Written whole (by rename) before the build process sent its path.
            self.received[ready.chart_id] = Path(ready.path).read_bytes()
        return self.received[chart_id]


def main(argv: list[str]) -> int:
    jobs_fd, results_fd, parent = (int(arg) for arg in argv[:3])
    declarations = Path(argv[3]) if len(argv) > 3 else None
    # Ctrl-C reaches the whole process group; the build process decides what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    # WeasyPrint allocates millions of small objects that all live until the PDF is
    # written; at Python's default threshold (700) the collector walks them again and
    # again for nothing. A one-job process can afford to collect rarely.
    gc.set_threshold(*_GC_THRESHOLDS)
    jobs = Connection(jobs_fd, writable=False)
    results = Connection(results_fd, readable=False)
    from reportgen.pdf import writer

    reply: Reply | None = None
    try:
        writer.warm_up(declarations)
    except OSError as exc:  # WeasyPrint loads Pango and HarfBuzz with ctypes/cffi
        reply = Problems.of(
            ReportError(
                f"WeasyPrint cannot start ({exc}); install its system libraries: make system-deps"
            )
        )
    except Exception:  # noqa: BLE001 - reported by the build process, not printed here
        reply = Crashed(traceback.format_exc())
    try:
        job: PdfJob = jobs.recv()
    except EOFError:
        return 0  # the build ended without a PDF to make
    started = time.perf_counter()
    if reply is None:
        try:
            result = writer.html_to_pdf(
                job.html,
                base=Path(job.base),
                meta=job.meta,
                source_date_epoch=job.source_date_epoch,
                roots=[Path(root) for root in job.roots],
                shown_as=job.shown_as,
                charts=_ChartInbox(jobs),
                attachments=job.attachments,
            )
            peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            reply = Done(result.data, result.pages, peak_kb, time.perf_counter() - started)
        except ReportError as exc:
            reply = Problems.of(exc)
        except Exception:  # noqa: BLE001 - sent to the build process, which reports it
            reply = Crashed(traceback.format_exc())
    results.send(reply)
    # Tearing down WeasyPrint's millions of objects only keeps a core busy while the
    # build process writes its outputs.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
