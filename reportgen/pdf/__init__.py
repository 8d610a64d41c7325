"""The PDF stage: the briefing's print HTML to a tagged PDF with WeasyPrint.

- :mod:`reportgen.pdf.writer` renders in this process and holds the rules every PDF
  follows (what may be fetched, warnings as errors, dates from the data);
- :mod:`reportgen.pdf.engine` runs the same writer in a worker process
  (:mod:`reportgen.pdf.worker`) started when a build starts, so that WeasyPrint's
  import and the PDF layout overlap the build's own work on a second core;
- :mod:`reportgen.pdf.declarations` keeps WeasyPrint's parsed C declarations between
  runs, which halves the worker's start-up.
"""

from reportgen.pdf.engine import PdfEngine
from reportgen.pdf.messages import PdfJob
from reportgen.pdf.writer import (
    FetchRefused,
    PdfAttachment,
    PdfMeta,
    PdfResult,
    html_to_pdf,
    pdf_date,
    project_fetcher,
    source_date_epoch,
)

__all__ = [
    "FetchRefused",
    "PdfAttachment",
    "PdfEngine",
    "PdfJob",
    "PdfMeta",
    "PdfResult",
    "html_to_pdf",
    "pdf_date",
    "project_fetcher",
    "source_date_epoch",
]
