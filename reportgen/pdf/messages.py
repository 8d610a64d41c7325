"""What the build process and the PDF worker send each other, as plain data.

Each is pickled over the pipes of :class:`reportgen.pdf.engine.PdfEngine`:

- build -> worker: one :class:`PdfJob`, then a :class:`ChartReady` for each drawing once
  its file is written; the worker waits for one only when it paints it;
- worker -> build: one :data:`Reply`, :class:`Done` with the PDF, :class:`Problems`
  (ReportErrors, with their locations) or :class:`Crashed` (a traceback).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.errors import Location, ReportError, ReportErrors
from reportgen.pdf.writer import PdfAttachment, PdfMeta


@dataclass(frozen=True)
class PdfJob:
    """Everything :func:`reportgen.pdf.writer.html_to_pdf` needs, as plain data."""

    html: str
    base: str
    roots: tuple[str, ...]
    meta: PdfMeta
    source_date_epoch: int
    shown_as: str
    attachments: tuple[PdfAttachment, ...] = ()


@dataclass(frozen=True)
class ChartReady:
    """The drawing the job's HTML names ``reportgen-chart:ID`` is written at ``path``.

    A path, not the bytes: a busy worker reads its pipe only when it paints a chart,
    and a pipe full of drawings would stall the build until then."""

    chart_id: str
    path: str


@dataclass(frozen=True)
class Done:
    pdf: bytes
    pages: int
    #: The worker's peak resident memory, in KB.
    peak_kb: int
    #: From receiving the HTML to having the PDF.
    seconds: float


@dataclass(frozen=True)
class Problems:
    """The ReportErrors of the job, each message with its location."""

    problems: tuple[tuple[str, Location | None], ...]

    @classmethod
    def of(cls, exc: ReportError) -> Problems:
        errors = exc.errors if isinstance(exc, ReportErrors) else [exc]
        return cls(tuple((e.message, e.location) for e in errors))

    def error(self) -> ReportErrors:
        return ReportErrors(ReportError(message, where) for message, where in self.problems)


@dataclass(frozen=True)
class Crashed:
    traceback: str


Reply = Done | Problems | Crashed
