"""Figures typed into the briefing's templates: refused, with the template line.

Every figure a reader sees is printed by a helper (:mod:`reportgen.render.figures`),
which marks it with its record: ``data-fact``, ``data-period``, ``data-entity``,
``data-label``, ``data-source``, ``data-quote-of`` or ``data-interval``. A number that
is no figure (a page or table number, the edition, a hash) is marked ``data-nonfact``
with what it is. Everything else in the rendered HTML is the templates' own words, read
with the quantity reader (:mod:`reportgen.facts.quantities`, one source of number words):
anything it reads there, in digits or in words (a multiplier, a fraction, an ordinal, a
date), anything digit-like it cannot read, and a duration ("a year apart") is a figure
typed by hand. Visible attribute text (``title``, ``alt``, ``aria-label``, attributes
the CSS shows with ``attr()``) and CSS strings (``content: "…"``) count as words too.

Text the store wrote (``data-store``) and chart text (``data-chart-text``) may state a
number only where it is the value of a figure, or a year of a period or source date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path
from xml.etree.ElementTree import Element

import tinycss2  # type: ignore[import-untyped]
from tinyhtml5.parser import HTMLParser  # type: ignore[import-untyped]

from reportgen.errors import Location, ReportError, ReportErrors, relative
from reportgen.facts.quantities import find_quantities, same_value
from reportgen.facts.quantities.typed import number_spans
from reportgen.facts.store import Store

#: Marks a helper writes, and what their value must name (None: any non-empty value).
HELPER_MARKS = (
    "data-fact",
    "data-period",
    "data-entity",
    "data-label",
    "data-source",
    "data-quote-of",
    "data-interval",
    "data-nonfact",
)
#: Text from the store, whose numbers must be the store's figures.
CHECKED_MARKS = ("data-store", "data-chart-text")
#: Attributes a reader sees or hears as text.
TEXT_ATTRIBUTES = frozenset(
    "title alt aria-label aria-description aria-roledescription aria-valuetext "  # noqa: SIM905
    "aria-placeholder abbr placeholder label".split()
)
#: Charts are checked as specs (their words come from charts/*.yaml); scripts are refused
#: by the markup audit.
_SKIP = frozenset({"svg", "script", "template", "noscript"})
#: Reported one by one up to here; past it the templates are hostile anyway.
_MAX_FINDINGS = 30

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ADVICE = {
    "multiplier": 'word a multiple with multiple("id") (a derived metric of unit multiple)',
    "fraction": 'print a share with fig("id")',
    "ordinal": 'print a rank with fig("id", "ordinal")',
    "date": 'print a date with period("id") or source_date("id")',
    "period": 'print a period with period("id")',
    "duration": 'word the time between two sources with apart("source-a", "source-b")',
}
_DEFAULT_ADVICE = 'print figures with fig("id"), value("id") or short("id")'


@dataclass(frozen=True)
class Typed:
    """A number in the templates' own words."""

    text: str
    kind: str
    #: The text it stands in, Unicode format characters removed (to locate it).
    context: str
    start: int
    #: "plain" (the templates' words) or "checked" (store or chart text).
    origin: str
    where: str
    value: Decimal | None = None


def figure_problems(html: str, store: Store, project: Path) -> list[ReportError]:
    """Every figure typed into the templates, and every number in store or chart text
    that is no figure of the store, located in the file that wrote it."""
    finder = _Finder(project)
    values, years = _store_values(store)
    problems: dict[str, ReportError] = {}
    for typed in _typed(html, store):
        if typed.origin == "checked":
            if _is_store_figure(typed, values, years):
                continue
            message = (
                f"{typed.where} states '{typed.text}', which is no figure of the store: "
                "write it as {id} so the figure prints"
            )
            where = finder.find(typed, store_files=True)
        else:
            advice = _ADVICE.get(typed.kind, _DEFAULT_ADVICE)
            message = (
                f"'{typed.text}' typed in {typed.where}: {advice}; words that state "
                'no figure are marked nonfact("…", "why")'
            )
            where = finder.find(typed, store_files=False)
        problems.setdefault(f"{where}: {message}", ReportError(message, where))
    return list(problems.values())[:_MAX_FINDINGS]


def check_figures(html: str, store: Store, project: Path) -> None:
    """Raise ReportErrors for :func:`figure_problems`."""
    found = figure_problems(html, store, project)
    if found:
        raise ReportErrors(found)


# -- reading the document ---------------------------------------------------------------


def _typed(html: str, store: Store) -> Iterator[Typed]:
    root = HTMLParser(namespace_html_elements=False).parse(html)
    store_words = _store_words(store)
    shown: set[str] = set()
    styles: list[tuple[str, str]] = []
    texts: list[tuple[str, str, str]] = []
    attributes: list[tuple[Element, str]] = []
    stack: list[tuple[Element, str]] = [(root, "plain")]
    while stack:
        element, kind = stack.pop()
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = element.tag.rpartition("}")[2]
        kind = _kind(element, tag, kind, store)
        if kind == "skip":
            continue
        if tag == "style":
            styles.append(("".join(element.itertext()), "a <style> element"))
            continue
        if "style" in element.attrib:
            styles.append((element.attrib["style"], f"the style attribute of <{tag}>"))
        if kind != "helper":
            attributes.append((element, kind))
            texts.append((element.text or "", kind, f"<{tag}>"))
            texts += [(child.tail or "", kind, f"<{tag}>") for child in element]
        stack.extend((child, kind) for child in reversed(element))
    for css, where in styles:
        strings, attributes_shown = _css_strings(css)
        shown |= attributes_shown
        for text in strings:
            yield from _numbers(text, "plain", where, store_words)
    for text, kind, where in texts:
        yield from _numbers(text, kind, where, store_words)
    for element, kind in attributes:
        tag = element.tag.rpartition("}")[2]
        for name, value in element.attrib.items():
            if name in TEXT_ATTRIBUTES or name in shown:
                yield from _numbers(value, kind, f"the {name} attribute of <{tag}>", store_words)


def _kind(element: Element, tag: str, outer: str, store: Store) -> str:
    if outer in ("skip", "helper"):
        return outer
    if tag in _SKIP:
        return "skip"
    attributes = element.attrib
    if any(
        _names_record(name, attributes[name], store) for name in HELPER_MARKS if name in attributes
    ):
        return "helper"
    if outer == "checked" or tag == "title" or any(m in attributes for m in CHECKED_MARKS):
        return "checked"
    return "plain"


def _names_record(mark: str, value: str, store: Store) -> bool:
    """Whether a helper's mark names what that helper prints (a typed
    ``<td data-label="Vehicles a year">`` is no helper's)."""
    value = value.strip()
    if mark in ("data-label", "data-period", "data-quote-of"):
        return store.has(value)
    if mark == "data-entity":
        return value in store.entities
    if mark in ("data-source", "data-interval"):
        return bool(value) and all(s in store.sources for s in value.split())
    # Figures of earlier editions the store no longer holds keep their id; nonfact
    # marks say why in their value.
    return bool(value)


def _css_strings(css: str) -> tuple[list[str], set[str]]:
    """The strings CSS shows (``content: "…"``), and the attributes it shows (``attr()``)."""
    strings: list[str] = []
    names: set[str] = set()
    nodes: list[object] = list(tinycss2.parse_stylesheet(css, skip_comments=True))
    nodes += tinycss2.parse_blocks_contents(css, skip_comments=True) if "{" not in css else []
    while nodes:
        node = nodes.pop()
        if isinstance(node, tinycss2.ast.StringToken):
            strings.append(node.value)
        elif isinstance(node, tinycss2.ast.FunctionBlock):
            if node.lower_name == "attr":
                idents = [t for t in node.arguments if isinstance(t, tinycss2.ast.IdentToken)]
                names.update(t.value.lower() for t in idents[:1])
            nodes += node.arguments
        for part in ("prelude", "content", "value"):
            child = getattr(node, part, None)
            if isinstance(child, list):
                nodes += child
    return strings, names


def _store_words(store: Store) -> list[str]:
    """What templates print from the store as it is (``{{ meta.title }}``, a label): store
    text, checked as such wherever it stands. Longest first."""
    words: set[str] = set()
    if store.meta is not None:
        meta = store.meta
        words.update([meta.title, meta.subtitle, meta.author, meta.subject, *meta.keywords])
    for entity in store.entities.values():
        words.update(n for n in (entity.name, getattr(entity, "short_name", None)) if n)
    for source in store.sources.values():
        words.update(n for n in (source.title, source.publisher) if n)
    for figure_id in [*store.facts, *store.derived]:
        words.add(store.figure(figure_id).label)
    # Words, not a bare number: a label "2023" typed in a template is a typed year.
    named = (w for w in words if len(re.findall(r"[^\W\d_]", w)) >= 3)
    return sorted(named, key=len, reverse=True)


def _numbers(text: str, origin: str, where: str, store_words: list[str]) -> Iterator[Typed]:
    # Invisible characters (a zero-width space between digits) neither hide nor split
    # a number; URLs are addresses, not figures.
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    if not text.strip():
        return
    read_text = _URL.sub(lambda m: " " * len(m.group(0)), text)
    if origin == "plain":
        for words in store_words:
            start = read_text.find(words)
            while start >= 0 and words:
                for q in find_quantities(words):
                    if q.value is not None or q.kind == "date":
                        at = start + q.start
                        yield Typed(q.text, q.kind, text, at, "checked", where, q.value)
                end = start + len(words)
                read_text = read_text[:start] + " " * len(words) + read_text[end:]
                start = read_text.find(words, end)
    if origin == "checked":
        for q in find_quantities(read_text):
            if q.value is not None or q.kind == "date":
                yield Typed(q.text, q.kind, text, q.start, origin, where, q.value)
        return
    for start, end, kind in number_spans(read_text):
        yield Typed(text[start:end], kind, text, start, origin, where)


# -- checked text -----------------------------------------------------------------------

#: In store prose, number words up to twelve are ordinary English; larger ones are figures.
_SMALL_WORDS = 12


def _store_values(store: Store) -> tuple[list[float], set[int]]:
    ids = [*store.facts, *store.derived]
    values: list[float] = []
    years: set[int] = set()
    for figure_id in ids:
        fig = store.figure(figure_id)
        values += [v for v in (fig.value, fig.low, fig.high) if v is not None]
        years.update(int(y) for y in re.findall(r"\d{4}", fig.period or ""))
    for source in store.sources.values():
        years.add(int(source.published.date[:4]))
    return values, years


def _is_store_figure(typed: Typed, values: list[float], years: set[int]) -> bool:
    value = typed.value
    if value is None:
        return True  # a day of a month: only its year would be a figure
    if not re.search(r"\d", typed.text) and value <= _SMALL_WORDS:
        return True  # "one month", "times twelve": counting words, not figures
    if typed.kind == "date":
        return int(value) in years
    return any(_matches(value, v) for v in values)


def _matches(stated: Decimal, value: float) -> bool:
    """A stated number is a figure's value, as printed (rounded to what the text shows)."""
    if same_value(stated, value):
        return True
    exponent = stated.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-max(places, 0))) == stated


# -- locating ---------------------------------------------------------------------------


class _Finder:
    """The file and line that wrote a piece of text: the project's templates (then the
    built-in layout), or for store and chart text the store's YAML and the chart specs."""

    def __init__(self, project: Path) -> None:
        from reportgen.render import TEMPLATE_DIR
        from reportgen.render.layout import LAYOUT_DIR, PREFIX

        self.project = project
        self.templates = _files(project / TEMPLATE_DIR, (".j2", ".html", ".css"))
        # The built-in layout, shown as templates name it: reportgen/base.html.j2.
        self.templates += [
            (Path(PREFIX) / path.relative_to(LAYOUT_DIR), text)
            for path, text in _files(LAYOUT_DIR, (".j2", ".css"))
        ]
        self.store = _files(project / "seeds", (".yaml", ".yml")) + _files(
            project / "charts", (".yaml", ".yml")
        )
        self.fallback = Location(f"{TEMPLATE_DIR}/briefing.html.j2")

    def find(self, typed: Typed, *, store_files: bool) -> Location:
        files = self.store if store_files else self.templates
        end = typed.start + len(typed.text)
        # The widest stretch of the surrounding text that the file holds as written
        # decides between files (the same word in two templates).
        for width in (40, 20, 10, 4, 0):
            before = typed.context[max(0, typed.start - width) : typed.start]
            after = typed.context[end : end + width]
            pattern = _pattern(before, typed.text, after)
            for path, text in files:
                match = pattern.search(text)
                if match:
                    line = text.count("\n", 0, match.start("n")) + 1
                    col = match.start("n") - text.rfind("\n", 0, match.start("n"))
                    shown = relative(path, self.project) if path.is_absolute() else str(path)
                    return Location(shown, line, col)
        return self.fallback if not store_files else Location("seeds")


def _pattern(before: str, needle: str, after: str) -> re.Pattern[str]:
    """``needle`` between ``before`` and ``after``, any run of white space as any other
    (templates break lines where the HTML has a space)."""

    def loose(text: str) -> str:
        parts = re.split(r"(\s+)", text)
        return "".join(r"\s+" if p.isspace() else re.escape(p) for p in parts if p)

    edge_before = "" if before else r"(?<!\w)"
    edge_after = "" if after else r"(?!\w)"
    return re.compile(
        f"{loose(before)}{edge_before}(?P<n>{loose(needle)}){edge_after}{loose(after)}",
        re.IGNORECASE,
    )


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Each file's text as the document shows it: character references decoded (line by
    line, so lines stay lines) and format characters dropped."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in suffixes:
            raw = path.read_text(encoding="utf-8", errors="replace")
            lines = [unescape(line) if "&" in line else line for line in raw.split("\n")]
            text = "".join(c for c in "\n".join(lines) if unicodedata.category(c) != "Cf")
            out.append((path, text))
    return out
