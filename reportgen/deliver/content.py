"""What the email says, read from the built briefing itself.

The digest is taken from ``briefing.html`` of the very build whose PDF is
attached, so it cannot disagree with the PDF: the same templates, the same fact
helpers, the same formatting already produced every word and number. This module
only picks out the parts by the classes the templates give them:

- ``.cover-title``, ``.cover-subtitle``: title and subtitle;
- ``.asof``: one "data as of" date per source (``.asof-what`` names the source);
- ``ol.takeaways > li``: a takeaway; its first ``<strong>`` is the headline and
  each ``[data-fact]`` inside is a figure;
- ``li.keyfig`` with ``.keyfig-value``, ``.keyfig-label``, ``.keyfig-meta``.

Citation marks (``sup.cite``) are left out: their numbers point to the PDF's
source list, which the email does not have, and so are the invisible characters
that kept them on the line (word joiners, soft hyphens: Unicode's format characters).
Hover quotes live in attributes and never reach the text. The report's author
(``<meta name="author">``) names the sender.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from reportgen.deliver.message import Content, KeyFigure, Segment, Takeaway
from reportgen.errors import Location, ReportError

_VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area", "base"}


@dataclass
class _Node:
    tag: str
    classes: frozenset[str]
    fact: bool = False


@dataclass
class _Takeaway:
    headline: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    headline_done: bool = False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Node] = []
        self.title: list[str] = []
        self.subtitle: list[str] = []
        self.as_of: list[list[str]] = []
        self.takeaways: list[_Takeaway] = []
        self.keyfigs: list[dict[str, list[str]]] = []
        #: The first chart in reading order: its name and caption.
        self.chart: str | None = None
        self.chart_caption: list[str] = []
        self._in_first_chart = False
        self.author = ""
        #: The cover's edition line, and what the "What changed" section lists.
        self.edition: list[str] = []
        self.since: str | None = None
        self.figures_changed: str | None = None
        self.changes: list[list[str]] = []

    # -- where are we ---------------------------------------------------------------------

    def _inside(self, cls: str, tag: str | None = None) -> bool:
        return any(cls in n.classes and (tag is None or n.tag == tag) for n in self.stack)

    def _in_takeaway(self) -> bool:
        for index, node in enumerate(self.stack):
            if node.tag == "li" and index and self.stack[index - 1].tag == "ol":
                return "takeaways" in self.stack[index - 1].classes
        return False

    # -- parser callbacks -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = frozenset((values.get("class") or "").split())
        node = _Node(tag, classes, fact="data-fact" in values)
        if tag == "meta" and values.get("name") == "author":
            self.author = _visible(values.get("content") or "")
        if tag == "li" and self.stack and "takeaways" in self.stack[-1].classes:
            self.takeaways.append(_Takeaway())
        if tag == "li" and "keyfig" in classes:
            self.keyfigs.append({"value": [], "label": [], "meta": []})
        if "asof" in classes:
            self.as_of.append([])
        if "cover-changes" in classes:
            self.since, self.figures_changed = (
                values.get("data-since"),
                values.get("data-figures-changed"),
            )
        if tag == "li" and "change" in classes:
            self.changes.append([])
        chart_id = values.get("id") or ""
        if tag == "figure" and "chart" in classes and chart_id.startswith("fig-"):
            self._in_first_chart = self.chart is None
            self.chart = self.chart or chart_id.removeprefix("fig-")
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                self._in_first_chart = self._in_first_chart and tag != "figure"
                break
        else:
            return
        # The takeaway's headline is its first <strong>; later ones are emphasis.
        if tag == "strong" and self.takeaways and self._in_takeaway():
            point = self.takeaways[-1]
            point.headline_done = point.headline_done or bool(point.headline)

    def handle_data(self, data: str) -> None:
        if self._inside("cite") or self._inside("asof-what"):
            return
        data = _visible(data)
        if self._in_first_chart and self._inside("chart-head"):
            self.chart_caption.append(data)
        if self._inside("cover-title"):
            self.title.append(data)
        elif self._inside("cover-subtitle"):
            self.subtitle.append(data)
        elif self._inside("asof") and self.as_of:
            self.as_of[-1].append(data)
        elif self._inside("cover-edition"):
            self.edition.append(data)
        elif self.changes and self._inside("change", "li"):
            # The quotes stay in the PDF; a source number points to a list the email lacks.
            if not (self._inside("change-quotes") or self._inside("cite-inline")):
                self.changes[-1].append(data)
        elif self.keyfigs and self._inside("keyfig", "li"):
            for part in ("value", "label", "meta"):
                if self._inside(f"keyfig-{part}"):
                    self.keyfigs[-1][part].append(data)
        elif self.takeaways and self._in_takeaway():
            point = self.takeaways[-1]
            if self._inside_tag("strong") and not point.headline_done:
                point.headline.append(data)
            else:
                point.segments.append(Segment(data, any(n.fact for n in self.stack)))

    def _inside_tag(self, tag: str) -> bool:
        return any(n.tag == tag for n in self.stack)


def _visible(text: str) -> str:
    """``text`` without format characters (Cf: U+2060 word joiner, U+00AD soft hyphen,
    zero-width spaces, bidi marks), which a mail client may show as boxes or not at all."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _words(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


def _tidy(segments: list[Segment]) -> tuple[Segment, ...]:
    """Whitespace collapsed as a browser would; adjacent segments of one kind merged."""
    merged: list[Segment] = []
    for segment in segments:
        text = " ".join(segment.text.replace("\n", " ").split(" "))
        if merged and merged[-1].figure == segment.figure:
            merged[-1] = Segment(merged[-1].text + text, segment.figure)
        else:
            merged.append(Segment(text, segment.figure))
    out: list[Segment] = []
    for index, segment in enumerate(merged):
        text = " ".join(segment.text.split())
        if segment.text[:1].isspace() and index:
            text = " " + text
        if segment.text[-1:].isspace() and index < len(merged) - 1:
            text += " "
        if text:
            out.append(Segment(text, segment.figure))
    return tuple(out)


def read_content(html_path: Path) -> Content:
    """The email digest of a built briefing; ReportError if its parts cannot be found.

    The first chart in reading order comes along as a PNG when the build drew one
    (``charts/NAME.png`` next to the HTML).
    """
    try:
        html = html_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(
            f"cannot read the built briefing: {exc}", Location(str(html_path))
        ) from None
    reader = _Reader()
    reader.feed(html)
    reader.close()
    title = _words(reader.title)
    takeaways = tuple(
        Takeaway(headline=_words(t.headline), detail=_tidy(t.segments)) for t in reader.takeaways
    )
    key_figures = tuple(
        KeyFigure(
            label=_words(k["label"]),
            value=_words(k["value"]),
            # The panel separates period and status with a dot that stays when one is absent.
            period=_words(k["meta"]).strip(" ·"),
        )
        for k in reader.keyfigs
    )
    missing = [
        what
        for what, found in (
            ("the title (.cover-title)", title),
            ("the data-as-of dates (.asof)", reader.as_of),
            ("the takeaways (ol.takeaways)", takeaways),
            ("the key figures (li.keyfig)", key_figures),
        )
        if not found
    ]
    if missing:
        raise ReportError(
            f"the built briefing lacks {', '.join(missing)}, which the email summarises",
            Location(str(html_path)),
        )
    png = html_path.parent / "charts" / f"{reader.chart}.png" if reader.chart else None
    if png is not None and not png.is_file():
        png = None
    return Content(
        title=title,
        subtitle=_words(reader.subtitle),
        as_of=tuple(_words(parts) for parts in reader.as_of),
        takeaways=takeaways,
        key_figures=key_figures,
        chart_png=png.read_bytes() if png is not None else None,
        chart_alt=_words(reader.chart_caption),
        author=" ".join(reader.author.split()),
        edition=_words(reader.edition),
        since=_count(reader.since),
        figures_changed=_count(reader.figures_changed),
        changes=tuple(_words(parts) for parts in reader.changes),
    )


def _count(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None
