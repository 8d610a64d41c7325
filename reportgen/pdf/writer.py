"""HTML to PDF with WeasyPrint: tagged, with the report's metadata, fetching nothing foreign.

Three rules hold for every PDF reportgen makes:

- WeasyPrint reads only ``data:`` URIs and files inside the allowed folders (the
  project, and the declared font folder): no network, no ``..`` escape, no symlink
  out, no redirect (:class:`ProjectFetcher`);
- any warning or error WeasyPrint logs fails the build, since each one is a piece of
  the briefing silently missing or misdrawn;
- the output depends on the inputs only: dates come from ``SOURCE_DATE_EPOCH``
  (derived from the data by the caller), never from the clock.

WeasyPrint is imported inside functions so that ``reportgen check`` stays fast, and
nothing here imports the fact store's models: the PDF worker process
(:mod:`reportgen.pdf.worker`) loads this module and WeasyPrint only.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from reportgen import __version__
from reportgen.errors import Location, ReportError, ReportErrors
from reportgen.text import shorten

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

    from reportgen.facts.store import Store

log = logging.getLogger(__name__)

#: Content types by suffix. A fixed table, not ``mimetypes``: that one reads
#: /etc/mime.types, which differs between machines.
_CONTENT_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


#: The URL scheme of a chart drawing in the print HTML (see reportgen.render.Briefing).
CHART_SCHEME = "reportgen-chart"
#: A chart's SVG file by chart id; may wait until the chart is drawn.
ChartSource = Callable[[str], bytes]


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int


@dataclass(frozen=True)
class PdfMeta:
    """The PDF's document information, from ``seeds/report.yaml``."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str

    @classmethod
    def of(cls, meta: Any) -> PdfMeta:
        """From the store's ReportMeta (or anything with the same fields)."""
        return cls(meta.title, meta.author, meta.subject, tuple(meta.keywords), meta.language)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (the full appendix as CSV, past its limit)."""

    name: str
    data: bytes
    description: str


class FetchRefused(Exception):
    """A resource outside what the briefing may read; becomes a ReportError."""


@functools.cache
def _fetcher_class() -> type[Any]:
    """The fetcher class, built on first use so that WeasyPrint loads lazily."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches ``data:`` URIs and files under ``roots``; refuses everything else.

        WeasyPrint 70 calls ``fetch(url, headers)`` and, with ``fail_on_errors``,
        turns any exception into a FatalURLFetchingError that stops the rendering.
        """

        def __init__(self, roots: Sequence[Path], charts: ChartSource | None) -> None:
            super().__init__(
                allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=True
            )
            self.roots = tuple(root.resolve() for root in roots)
            self.charts = charts
            self.refusals: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            try:
                return self._fetch(url, headers)
            except FetchRefused as exc:
                # An SVG's <image> that cannot be fetched comes out of WeasyPrint only as
                # "Failed to render SVG image"; html_to_pdf reports this reason instead.
                self.refusals.append(str(exc))
                raise

        def _fetch(self, url: str, headers: dict[str, str] | None) -> Any:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == CHART_SCHEME and self.charts is not None:
                chart_id = url.split(":", 1)[1]
                return URLFetcherResponse(
                    url, self.charts(chart_id), {"Content-Type": "image/svg+xml"}
                )
            if scheme != "file":
                raise FetchRefused(
                    f"refused to fetch '{shorten(url, 120)}': the briefing may only use data: URIs "
                    "and files inside the project"
                )
            return self._file(url)

        def _file(self, url: str) -> Any:
            path = _project_file(url, self.roots)
            content_type = _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
            )

    return ProjectFetcher


def _project_file(url: str, roots: tuple[Path, ...]) -> Path:
    """The file a ``file:`` URL names, if it is one under ``roots``; else FetchRefused."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"refused to fetch '{url}': a file URL on another host")
    raw = unquote(parts.path)
    # Symlinks resolved first: a link inside the project may not point out of it.
    path = Path(raw).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise FetchRefused(
            f"refused to fetch '{raw}': outside the project ({', '.join(str(r) for r in roots)})"
        )
    if not path.is_file():
        raise FetchRefused(f"the briefing refers to '{raw}', which does not exist")
    return path


def project_fetcher(roots: Sequence[Path], charts: ChartSource | None = None) -> Any:
    """A WeasyPrint URL fetcher that reads only ``data:`` URIs and files under ``roots``,
    and with ``charts``, the drawings named ``reportgen-chart:ID``."""
    return _fetcher_class()(roots, charts)


@functools.cache
def _check_harfbuzz_subset() -> None:
    """Say once if WeasyPrint cannot load libharfbuzz-subset0.

    Without it WeasyPrint still embeds subset fonts, through fontTools, but each PDF
    then takes seconds longer (measured by scripts/bench_means.py harfbuzz).
    """
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        log.warning(
            "libharfbuzz-subset0 is not installed: PDF fonts are subset the slow way "
            "(run: sudo apt-get install libharfbuzz-subset0)"
        )


@functools.cache
def _font_config() -> FontConfiguration:
    # One per process: building it scans the system's fonts, which is slow.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def warm_up(declarations: Path | None = None) -> None:
    """Import WeasyPrint and set up fonts now, before there is anything to render.

    The PDF worker calls this as soon as it starts, so that this time passes while
    the build process is still rendering HTML. With ``declarations``, a cache folder,
    WeasyPrint's C declarations are parsed once per machine (see
    :mod:`reportgen.pdf.declarations`)."""
    from reportgen.pdf.declarations import parsed_once

    with parsed_once(declarations):
        import weasyprint  # noqa: F401
    import reportgen.pdf.structure  # noqa: F401 - pikepdf, for the tag tree's repair

    _check_harfbuzz_subset()
    _font_config()


#: SVG-only properties. WeasyPrint's HTML cascade reads the style attributes of inline
#: ``<svg>`` descendants too and calls these unknown, while its SVG renderer, which draws
#: the chart, applies them: such a warning says nothing about the briefing.
_SVG_PROPERTIES = re.compile(
    r"^Ignored `(fill|fill-opacity|fill-rule|stroke|stroke-width|stroke-linecap|"
    r"stroke-linejoin|stroke-miterlimit|stroke-dasharray|stroke-dashoffset|stroke-opacity|"
    r"text-anchor|dominant-baseline|clip-path|clip-rule|stop-color|stop-opacity|"
    r"paint-order|vector-effect|shape-rendering|marker-start|marker-mid|marker-end):"
    r"[^`]*` at \d+:\d+, unknown property\.$"
)
#: Beyond this many distinct problems, the rest are counted, not listed.
_MAX_LISTED = 20


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno == logging.WARNING and _SVG_PROPERTIES.match(message):
            return
        self.messages[message] = self.messages.get(message, 0) + 1


@contextmanager
def _weasyprint_problems(shown_as: str) -> Iterator[None]:
    """Turn every warning or error WeasyPrint logs in the block into a ReportError."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    # The messages are reported as errors below; printing them as well would say it twice.
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
    if handler.messages:
        listed = list(handler.messages.items())[:_MAX_LISTED]
        errors = [
            ReportError(
                f"WeasyPrint: {shorten(message, 300)}" + (f" ({count} times)" if count > 1 else ""),
                Location(shown_as),
            )
            for message, count in listed
        ]
        if len(handler.messages) > _MAX_LISTED:
            rest = len(handler.messages) - _MAX_LISTED
            errors.append(ReportError(f"WeasyPrint: … and {rest} more", Location(shown_as)))
        raise ReportErrors(errors)


def source_date_epoch(store: Store) -> int:
    """The briefing's date as Unix time: the start of the latest source's publication date.

    The data dates the briefing, never the clock, so that a rebuild of the same inputs
    gives the same bytes on any day, in any time zone.
    """
    dates = [source.published.date for source in store.sources.values()]
    if not dates:
        raise ReportError("no sources: the briefing has no date", Location("seeds/sources.yaml"))
    # Dates are YYYY, YYYY-MM or YYYY-MM-DD: their order as text is their order in time.
    year, month, day = ([*map(int, max(dates).split("-")), 1, 1])[:3]
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


def pdf_date(epoch: int) -> str:
    """The W3C date WeasyPrint writes as CreationDate and ModDate."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def html_to_pdf(
    html: str,
    *,
    base: Path,
    meta: PdfMeta,
    source_date_epoch: int,
    roots: Sequence[Path] = (),
    shown_as: str = "briefing.html",
    charts: ChartSource | None = None,
    attachments: Sequence[PdfAttachment] = (),
) -> PdfResult:
    """Render ``html`` as a tagged PDF/UA-1 document.

    Relative URLs resolve against ``base`` (the project folder); WeasyPrint may read
    files under ``base`` and ``roots`` only. The PDF's metadata comes from ``meta``
    (``seeds/report.yaml``), whatever the HTML head says, so that the PDF describes
    itself exactly as the report's author declared. ``charts`` answers the
    ``reportgen-chart:ID`` images of the print HTML. ``attachments`` are embedded
    files, dated like the PDF.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    _check_harfbuzz_subset()
    fetcher = project_fetcher([base, *roots], charts)
    font_config = _font_config()
    try:
        with _weasyprint_problems(shown_as):
            document = HTML(
                string=html, base_url=str(base.resolve()) + "/", url_fetcher=fetcher
            ).render(font_config=font_config, pdf_variant="pdf/ua-1")
            _describe(document.metadata, meta, source_date_epoch)
            # The file identifier is a hash of the content, so identical inputs give
            # identical bytes.
            data = document.write_pdf(
                pdf_variant="pdf/ua-1",
                pdf_identifier=True,
                attachments=_embedded(attachments, source_date_epoch),
            )
    except ReportErrors:
        if not fetcher.refusals:
            raise
        raise ReportErrors(
            ReportError(shorten(message, 300), Location(shown_as))
            for message in dict.fromkeys(fetcher.refusals)
        ) from None
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        message = str(cause) if isinstance(cause, FetchRefused) else f"{exc}: {cause}"
        raise ReportError(shorten(message, 300), Location(shown_as)) from None
    if not isinstance(data, bytes):  # pragma: no cover - write_pdf() without target
        raise TypeError("WeasyPrint returned no PDF")
    from reportgen.pdf.structure import restructure

    return PdfResult(data=restructure(data), pages=len(document.pages))


def _describe(metadata: Any, meta: PdfMeta, epoch: int) -> None:
    """The PDF's metadata as the report declares it, dated by its data."""
    metadata.title = meta.title
    metadata.authors = [meta.author]
    metadata.description = meta.subject
    metadata.keywords = list(meta.keywords)
    metadata.lang = meta.language
    metadata.generator = f"reportgen {__version__}"
    metadata.created = metadata.modified = pdf_date(epoch)


def _embedded(attachments: Sequence[PdfAttachment], epoch: int) -> list[Any]:
    """WeasyPrint's attachments, dated like the PDF."""
    from weasyprint import Attachment

    dated = datetime.fromtimestamp(epoch, UTC)
    return [
        Attachment(
            string=a.data, name=a.name, description=a.description, created=dated, modified=dated
        )
        for a in attachments
    ]
