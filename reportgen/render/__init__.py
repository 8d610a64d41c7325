"""Templates to HTML: the briefing as one self-contained document.

One rendering serves both outputs (:class:`Briefing`), and needs no chart drawn yet:
``briefing.html`` gets the drawings inline and its fonts as subsets of the characters
it uses; the copy handed to WeasyPrint, whose ``@media print`` and ``@page`` rules lay
out the PDF, names the font files and shows each chart as an image WeasyPrint reads
when it paints the page. Templates hold words only; every figure is printed by a
helper from :mod:`reportgen.render.figures`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, TemplateError, TemplateNotFound, UndefinedError
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from reportgen.errors import Location, ReportError
from reportgen.facts.store import Store
from reportgen.fonts import font_face_css, font_face_css_for_print
from reportgen.render.appendix import Appendix, facts_in_appendix_order, plan_appendix
from reportgen.render.audit import audit
from reportgen.render.drawings import ChartLike, PlacedChart, chart_slot, drawings, print_svg
from reportgen.render.environment import (
    BRIEFING,
    PRINT_SLOTS,
    TEMPLATE_DIR,
    environment,
    print_stylesheets,
    template_location,
    with_print_css,
)
from reportgen.render.figures import Helpers, published
from reportgen.render.sandbox import SANDBOX
from reportgen.render.templatecheck import check_templates

__all__ = [
    "BRIEFING",
    "TEMPLATE_DIR",
    "Briefing",
    "ChartLike",
    "check_templates",
    "environment",
    "render",
    "render_briefing",
    "template_location",
]

log = logging.getLogger(__name__)

_FONT_SLOT = "/*reportgen:font-faces*/"


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
    by_id = {c.id: PlacedChart(c) for c in charts}
    placed: dict[str, None] = {}

    def chart(chart_id: str) -> PlacedChart:
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
        **_helpers(helpers),
        "font_faces": Markup(_FONT_SLOT),  # noqa: S704 - a constant
        "print_stylesheet": print_stylesheet,
    }
    return context, placed


def _helpers(helpers: Helpers) -> dict[str, object]:
    """The figure helpers templates print every number with."""
    return {
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
    }


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
            html = html.replace(chart_slot(chart.id), drawings(chart))
        html = PRINT_SLOTS.sub("", html)
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
        is still an ``svg``), same alt text. Fonts: cutting subsets costs time on a cold
        build (``make bench``), and WeasyPrint subsets the files itself."""
        html = self.html
        for chart in charts:
            html = html.replace(chart_slot(chart.id), print_svg(chart))
        html = with_print_css(html, self.print_css)
        return html.replace(_FONT_SLOT, font_face_css_for_print())


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
    print_stylesheet, print_css = print_stylesheets(env)
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
    audit(with_print_css(html, print_css), project / TEMPLATE_DIR, project)
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
        raise ReportError(exc.message, exc.location or template_location(exc, project)) from None
    except TemplateNotFound as exc:
        raise ReportError(
            f"template '{exc.name}' not found", template_location(exc, project)
        ) from None
    except SecurityError as exc:
        message = f"{SANDBOX}: {exc.message or exc}"
        raise ReportError(message, template_location(exc, project)) from None
    except (TemplateError, UndefinedError) as exc:
        raise ReportError(str(exc.message or exc), template_location(exc, project)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # An expression in a template failed (1/0, a range the sandbox caps, "a" + 1):
        # the template's line says where. Anywhere else it is a fault of reportgen.
        where = template_location(exc, project)
        if where is None:
            raise
        raise ReportError(f"template expression failed: {exc}", where) from None
