"""Templates to HTML: the briefing as one self-contained document.

One rendering serves both outputs (:class:`Briefing`), and needs no chart drawn yet:
``briefing.html`` gets the drawings inline and its fonts as subsets of the characters
it uses; the copy handed to WeasyPrint, whose ``@media print`` and ``@page`` rules lay
out the PDF, names the font files and shows each chart as an image WeasyPrint reads
when it paints the page. Templates hold words only; every figure is printed by a
helper from :mod:`reportgen.render.figures`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import jinja2
from jinja2 import (
    BytecodeCache,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.store import Store
from reportgen.fonts import font_face_css, font_face_css_for_print
from reportgen.render.appendix import Appendix, facts_in_appendix_order, plan_appendix
from reportgen.render.audit import audit
from reportgen.render.bytecode import SealedBytecodeCache
from reportgen.render.figures import Helpers, month_year, period_words, published
from reportgen.render.layout import template_loader
from reportgen.render.sandbox import SANDBOX, TemplateSandbox, unsafe_uses

log = logging.getLogger(__name__)

TEMPLATE_DIR = "templates"
BRIEFING = "briefing.html.j2"
_FONT_SLOT = "/*reportgen:font-faces*/"
#: Where a ``print_stylesheet()`` goes: only the HTML WeasyPrint reads gets its CSS.
_PRINT_SLOT = "/*reportgen:print-css:{}*/"
_PRINT_SLOTS = re.compile(r"/\*reportgen:print-css:(\d+)\*/")


class ChartLike(Protocol):
    """What the briefing needs from a drawn chart (reportgen.charts.ChartOutput)."""

    @property
    def id(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def subtitle(self) -> str | None: ...
    @property
    def caption(self) -> str | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def source_line(self) -> str | None: ...
    @property
    def alt(self) -> str: ...
    @property
    def svg(self) -> str: ...
    @property
    def svg_narrow(self) -> str: ...
    @property
    def size_pt(self) -> tuple[float, float]: ...


#: How templates are read and compiled. A change here changes the compiled code, so
#: it also names the folder that caches it.
_TEMPLATE_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


def environment(project: Path) -> Environment:
    """Sandboxed (:mod:`reportgen.render.sandbox`), autoescape on for every template
    whatever its suffix; undefined names are errors.

    Compiled templates are kept in ``PROJECT/.cache/jinja``: compiling the 16
    templates took 0.12 s of every build. Jinja reuses one only while the template's
    source is unchanged; the folder is named after the options, the sandbox (which
    compiles attribute access and operators differently) and Jinja's version."""
    env = TemplateSandbox(
        loader=template_loader(project / TEMPLATE_DIR),
        autoescape=True,
        bytecode_cache=_bytecode_cache(project),
        auto_reload=False,
        **_TEMPLATE_OPTIONS,
    )
    env.filters["period_words"] = period_words
    env.filters["month_year"] = month_year
    env.globals["stylesheet"] = _stylesheet_loader(env)
    return env


def _bytecode_cache(project: Path) -> BytecodeCache | None:
    sandbox = f"{TemplateSandbox.__qualname__} {sorted(TemplateSandbox.intercepted_binops)}"
    options = f"autoescape {sorted(_TEMPLATE_OPTIONS.items())} {sandbox} {jinja2.__version__}"
    folder = project / ".cache" / "jinja" / hashlib.sha256(options.encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only project still builds, compiling every time
        return None
    return SealedBytecodeCache(str(folder))


def _stylesheet_loader(env: Environment) -> object:
    def stylesheet(name: str) -> Markup:
        """A CSS file from templates/, inlined into <style> (the HTML is self-contained)."""
        if not name.endswith(".css"):
            raise ReportError(f"stylesheet '{name}' is not a .css file")
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, name)
        if "</" in source:
            raise ReportError(f"stylesheet '{name}' contains '</', which would end <style>")
        # A project file, checked above not to close the <style> element.
        return Markup(source)  # noqa: S704

    return stylesheet


def _print_stylesheets(env: Environment) -> tuple[Callable[[str], Markup], list[str]]:
    """``print_stylesheet(name)`` for templates, and the sheets it read (in call order).

    Paged-media CSS (``@page`` margin boxes, ``string-set``, ``bookmark-level``,
    ``target-counter``) is not CSS a browser knows: the published page would fail HTML
    validators and print oddly from a browser. It goes into the PDF's HTML only."""
    stylesheet = env.globals["stylesheet"]
    assert callable(stylesheet)
    sheets: list[str] = []

    def print_stylesheet(name: str) -> Markup:
        sheets.append(str(stylesheet(name)))
        return Markup(_PRINT_SLOT.format(len(sheets) - 1))  # noqa: S704 - a constant

    return print_stylesheet, sheets


def _with_print_css(html: str, sheets: Sequence[str]) -> str:
    return _PRINT_SLOTS.sub(lambda m: sheets[int(m.group(1))], html)


def _template_location(exc: BaseException, project: Path) -> Location | None:
    """The template line an error came from: Jinja rewrites frames to template lines."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return Location(relative(Path(exc.filename), project), exc.lineno or 0)
    found: Location | None = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".css")):
            found = Location(relative(Path(filename), project), tb.tb_lineno)
        tb = tb.tb_next
    return found


class _Chart:
    """A chart as templates see it: its markup is trusted (drawn by reportgen.charts)."""

    def __init__(self, chart: ChartLike) -> None:
        self.id = chart.id
        self.number = chart.number
        self.title = chart.title
        self.subtitle = chart.subtitle
        self.caption = chart.caption
        self.note = chart.note
        self.source_line = chart.source_line
        self.alt = chart.alt
        # Where the drawing goes: it is set in when the briefing is finished (Briefing).
        self.svg = Markup(_chart_slot(chart.id))  # noqa: S704 - a comment naming a chart id


def _chart_slot(chart_id: str) -> str:
    return f"<!--reportgen:chart:{chart_id}-->"


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def _with_title(svg: str, alt: str) -> str:
    """The drawing with its alt text as <title>, which tagged PDFs use as the figure's /Alt."""
    match = _SVG_OPEN.search(svg)
    if match is None or "<title" in svg:
        return svg
    title = str(Markup("<title>{0}</title>").format(alt))
    return f"{svg[: match.end()]}{title}{svg[match.end() :]}"


def _context(
    store: Store,
    charts: Sequence[ChartLike],
    helpers: Helpers,
    appendix: Appendix,
    print_stylesheet: Callable[[str], Markup],
) -> tuple[dict[str, object], dict[str, None]]:
    """What templates are given, and the ids of the charts they place (kept out of
    their reach). Data, and bound helpers whose internals the sandbox hides."""
    if store.meta is None:
        raise ReportError("seeds/report.yaml is missing: the briefing has no title")
    by_id = {c.id: _Chart(c) for c in charts}
    placed: dict[str, None] = {}

    def chart(chart_id: str) -> _Chart:
        if chart_id not in by_id:
            known = ", ".join(sorted(by_id)) or "none"
            raise ReportError(f"template places chart '{chart_id}', which was not built ({known})")
        placed.setdefault(chart_id, None)
        return by_id[chart_id]

    context: dict[str, object] = {
        "meta": store.meta,
        "sources": list(store.sources.values()),
        "sources_by_id": store.sources,
        "facts": facts_in_appendix_order(store),
        "derived": [store.figure(d) for d in sorted(store.derived)],
        "appendix": appendix,
        "conflicts": store.all_conflicts(),
        "ignored": store.ignored,
        "entities": store.entities,
        "charts": by_id,
        "chart": chart,
        "fig": helpers.fig,
        "value": helpers.value,
        "short": helpers.short,
        "status": helpers.status,
        "label": helpers.label,
        "describe": helpers.describe,
        "period": helpers.period,
        "quote": helpers.quote,
        "entity": helpers.entity,
        "source_date": helpers.source_date,
        "source_title": helpers.source_title,
        "published": published,
        "nonfact": helpers.nonfact,
        "multiple": helpers.multiple,
        "apart": helpers.apart,
        "counter": helpers.counter,
        "source_number": helpers.source_number,
        "figure": helpers.figure,
        "plain": helpers.plain,
        "formula": helpers.formula,
        "prose": helpers.prose,
        "equivalents": helpers.equivalents,
        "cite": helpers.cite,
        "hover_text": helpers.hover_text,
        "font_faces": Markup(_FONT_SLOT),  # noqa: S704 - a constant
        "print_stylesheet": print_stylesheet,
    }
    return context, placed


@dataclass(frozen=True)
class Briefing:
    """The rendered briefing before its charts and fonts are set in: one HTML, two ends.

    The templates can be rendered before any chart is drawn, so the PDF worker gets
    its HTML first and lays it out while the charts are drawn (it reads a chart
    only when it paints it, see :meth:`for_print`)."""

    html: str
    project: Path
    #: What the appendix lists; past its limit, the CSV the PDF attaches.
    appendix: Appendix
    #: The ``print_stylesheet()`` sheets, which only the PDF's HTML carries.
    print_css: tuple[str, ...] = ()

    def page(self, charts: Sequence[ChartLike]) -> str:
        """``briefing.html``: self-contained, charts inline, fonts WOFF2 subsets of the
        characters used (charts' text included)."""
        html = self.html
        for chart in charts:
            if not chart.svg:
                raise ValueError(f"chart {chart.id} is not drawn yet")
            html = html.replace(_chart_slot(chart.id), _drawings(chart))
        html = _PRINT_SLOTS.sub("", html)
        # Again with the drawings in: this is the file that is published.
        audit(html, self.project / TEMPLATE_DIR, self.project)
        fonts = font_face_css(html, self.project / ".cache" / "fonts")
        return html.replace(_FONT_SLOT, fonts)

    def for_print(self, charts: Sequence[ChartLike]) -> str:
        """The HTML WeasyPrint renders: the same document, naming the font files, and
        each chart an ``<svg>`` of the drawing's size that shows it as an ``<image>``.

        WeasyPrint lays out an inline ``<svg>`` by its viewBox and fetches an
        ``<image>`` only when painting the page, so the drawings can arrive while it
        lays out (``reportgen-chart:ID``, answered by the PDF stage's fetcher). The
        pages come out as with the drawings inline: same size, same CSS (the element
        is still an ``svg``), same alt text. Fonts: cutting subsets takes a fifth of
        a second on a cold build, and WeasyPrint subsets the files itself."""
        html = self.html
        for chart in charts:
            html = html.replace(_chart_slot(chart.id), _print_svg(chart))
        html = _with_print_css(html, self.print_css)
        return html.replace(_FONT_SLOT, font_face_css_for_print())


def _drawings(chart: ChartLike) -> str:
    """The chart's drawings for the page: the phone drawing beside the wide one, each
    shown at the widths it reads well at (screen.css), both with the same alt text."""
    wide = _with_title(chart.svg, chart.alt)
    if not chart.svg_narrow:
        return wide
    narrow = _with_title(chart.svg_narrow, chart.alt)
    return _with_class(wide, "chart-wide") + _with_class(narrow, "chart-narrow")


def _with_class(svg: str, name: str) -> str:
    match = _SVG_OPEN.search(svg)
    if match is None:
        return svg
    tag = match.group(0)
    tag = (
        tag.replace(' class="', f' class="{name} ', 1)
        if ' class="' in tag
        else (f'{tag[:-1]} class="{name}">')
    )
    return f"{svg[: match.start()]}{tag}{svg[match.end() :]}"


def _print_svg(chart: ChartLike) -> str:
    width, height = (f"{v:f}".rstrip("0").rstrip(".") for v in chart.size_pt)
    return str(
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
            'class="chart" role="img" aria-label="{alt}"><title>{alt}</title>'
            '<image href="reportgen-chart:{id}" x="0" y="0" width="{w}" height="{h}"/></svg>'
        ).format(w=width, h=height, alt=chart.alt, id=chart.id)
    )


def render_briefing(store: Store, charts: Sequence[ChartLike], project: Path) -> str:
    """The complete briefing as one self-contained HTML document (charts drawn)."""
    return render(store, charts, project).page(charts)


def render(store: Store, charts: Sequence[ChartLike], project: Path) -> Briefing:
    """The briefing rendered from the templates and audited, its charts and fonts still
    to be set in (only the charts' words and sizes are read here)."""
    project = project.resolve()
    appendix = plan_appendix(store)
    helpers = Helpers(store, anchor=appendix.anchor)
    env = environment(project)
    print_stylesheet, print_css = _print_stylesheets(env)
    context, placed = _context(store, charts, helpers, appendix, print_stylesheet)
    from reportgen.editions.section import edition_context  # editions import this package

    context.update(edition_context(store, project, helpers))
    html = _render_template(env, context, project)
    missing = [c.id for c in charts if c.id not in placed]
    if missing:
        raise ReportError(
            f"chart(s) {', '.join(missing)} were built but the briefing does not place them",
            Location(f"{TEMPLATE_DIR}/{BRIEFING}"),
        )
    # The PDF's HTML, print CSS included, is what must reach nothing outside.
    audit(_with_print_css(html, print_css), project / TEMPLATE_DIR, project)
    if html.count(_FONT_SLOT) != 1:
        raise ReportError(
            "the base layout must include {{ font_faces }} exactly once inside <style>",
            Location(f"{TEMPLATE_DIR}/base.html.j2"),
        )
    return Briefing(html, project, appendix, tuple(print_css))


def _render_template(env: Environment, context: dict[str, object], project: Path) -> str:
    try:
        return env.get_template(BRIEFING).render(context)
    except ReportError as exc:
        raise ReportError(exc.message, exc.location or _template_location(exc, project)) from None
    except TemplateNotFound as exc:
        raise ReportError(
            f"template '{exc.name}' not found", _template_location(exc, project)
        ) from None
    except SecurityError as exc:
        message = f"{SANDBOX}: {exc.message or exc}"
        raise ReportError(message, _template_location(exc, project)) from None
    except (TemplateError, UndefinedError) as exc:
        raise ReportError(str(exc.message or exc), _template_location(exc, project)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # An expression in a template failed (1/0, a range the sandbox caps, "a" + 1):
        # the template's line says where. Anywhere else it is a fault of reportgen.
        where = _template_location(exc, project)
        if where is None:
            raise
        raise ReportError(f"template expression failed: {exc}", where) from None


def check_templates(project: Path, problems: Problems) -> int:
    """Compile every template; report syntax errors, missing partials and what the
    sandbox would refuse, with their line.

    Returns how many templates were compiled."""
    project = project.resolve()
    folder = project / TEMPLATE_DIR
    if not (folder / BRIEFING).is_file():
        problems.add("the briefing template is missing", Location(f"{TEMPLATE_DIR}/{BRIEFING}"))
        return 0
    env = environment(project)
    names = sorted(env.list_templates(filter_func=lambda n: n.endswith(".j2")))
    for name in names:
        shown = f"{TEMPLATE_DIR}/{name}"
        try:
            source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            ast = env.parse(source, name, shown)
            env.compile(ast, name, shown)
        except TemplateSyntaxError as exc:
            problems.add(exc.message or "syntax error", Location(shown, exc.lineno or 0))
            continue
        except UnicodeDecodeError:
            problems.add("not UTF-8 text", Location(shown))
            continue
        _check_references(env, name, shown, ast, problems)
        for line, message in unsafe_uses(ast):
            problems.add(message, Location(shown, line))
    for css in sorted(folder.rglob("*.css")):
        if "</" in css.read_text(encoding="utf-8", errors="replace"):
            problems.add("contains '</', which would end <style>", Location(relative(css, project)))
    return len(names)


def _check_references(
    env: Environment, name: str, shown: str, ast: object, problems: Problems
) -> None:
    """Every {% include %}, {% import %} and {% extends %} names a template that exists."""
    from jinja2 import nodes

    assert isinstance(ast, nodes.Template)
    known = set(env.list_templates())
    for node in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = getattr(node, "template", None)
        if (
            isinstance(target, nodes.Const)
            and isinstance(target.value, str)
            and target.value not in known
        ):
            problems.add(f"names missing template '{target.value}'", Location(shown, node.lineno))
    for call in ast.find_all(nodes.Call):
        if (
            isinstance(call.node, nodes.Name)
            and call.node.name in ("stylesheet", "print_stylesheet")
            and call.args
            and isinstance(call.args[0], nodes.Const)
            and call.args[0].value not in known
        ):
            problems.add(
                f"names missing stylesheet '{call.args[0].value}'", Location(shown, call.lineno)
            )
