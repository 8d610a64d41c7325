"""The briefing email as a view of the store: its own templates, the briefing's helpers.

The email is rendered from the fact store that the attached PDF was built from (the
build is up to date with it before anything is rendered), by Jinja templates under
``email/``: a project's ``templates/email/`` first, then the built-in ones in
``reportgen/layout/email/``. ``email/content.j2`` says what the email carries beyond
the title, the dates and what changed: its takeaways, its key figures and its chart.

Both parts run in the briefing's sandbox (:func:`reportgen.render.environment`). The
HTML part is autoescaped and its stylesheet inlined by css-inline, since mail clients
drop ``<style>``; the text part is rendered without escaping, every figure as words.
Figures come from the briefing's helpers (:mod:`reportgen.render.figures`), worded and
formatted as the briefing words them, but without what only the briefing can use:
links to its appendix, citation marks that point to its sources list, hover quotes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import css_inline
from markupsafe import Markup

from reportgen.deliver.templating import check_email_html, content_module, render_email_template
from reportgen.errors import ReportError
from reportgen.facts.store import Figure, Store
from reportgen.periods import month_year
from reportgen.render.figures import Helpers

#: Where a project's email templates go, and the built-in ones it may override.
EMAIL_DIR = "email"
BUILT_IN = f"reportgen/{EMAIL_DIR}"
HTML_TEMPLATE, TEXT_TEMPLATE, CONTENT_TEMPLATE = "email.html.j2", "email.txt.j2", "content.j2"

#: What the briefing's helpers wrap a figure or a name in, for its own pages only.
_CITE = re.compile(r"\u2060?<sup class=\"cite\"[^>]*>.*?</sup>", re.S)
_CITE_INLINE = re.compile(r"\s*<a [^>]*class=\"cite-inline\"[^>]*>.*?</a>", re.S)
_WRAPPERS = re.compile(r"</?(?:a|span|time|cite|q|mark)\b[^>]*>")


#: The briefing's helpers the email's templates get.
_HELPERS = frozenset({"fig", "value", "short", "status", "label", "describe", "period"}) | {
    "entity",
    "source_date",
    "source_title",
    "nonfact",
    "figure",
    "multiple",
    "apart",
}


class EmailHelpers(Helpers):
    """The briefing's figure helpers, for a message: a figure is set in bold and stands
    alone (the email has no appendix to link to and no sources list to cite)."""

    def _link(self, fig: Figure, text: str, css: str) -> Markup:
        return Markup('<strong class="{0}">{1}</strong>').format(css, text)

    def cite(self, fig: Figure) -> Markup:
        return Markup("")


def bare(markup: Markup) -> Markup:
    """Helper markup without the briefing's links, citations and marks; words kept."""
    text = _CITE_INLINE.sub("", _CITE.sub("", str(markup)))
    # Only ever given markup the helpers wrote, whose attribute values are escaped.
    return Markup(_WRAPPERS.sub("", text))  # noqa: S704


def _bare_helper(function: Callable[..., Any]) -> Callable[..., Any]:
    def helper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        return bare(result) if isinstance(result, Markup) else result

    return helper


@dataclass(frozen=True)
class KeyFigure:
    value: Markup
    label: str
    #: Period and status, as the briefing's key-figures panel shows them.
    when: Markup


@dataclass(frozen=True)
class Chart:
    id: str
    #: The caption as a reader sees it above the chart: "Figure 1 Title Subtitle".
    alt: str
    png: bytes


@dataclass(frozen=True)
class EmailView:
    """What the email shows, from the store; rendered by :meth:`render`."""

    store: Store
    project: Path
    context: dict[str, object]
    chart: Chart | None

    @property
    def title(self) -> str:
        assert self.store.meta is not None
        return " ".join(self.store.meta.title.split())

    @property
    def author(self) -> str:
        assert self.store.meta is not None
        return _visible(" ".join(self.store.meta.author.split()))

    @property
    def chart_png(self) -> bytes | None:
        return self.chart.png if self.chart is not None else None

    def subject(self) -> str:
        """'Edition 3: 4 figures changed'; the first edition says so."""
        edition = self.context["edition"]
        label = _visible(" ".join(str(getattr(edition, "label", "")).split()))
        since = getattr(edition, "since", None)
        if since is None:
            return f"{label}: the first edition"
        count = int(getattr(edition, "figures_changed", 0))
        return f"{label}: {count} figure{'s' if count != 1 else ''} changed"

    def render(self, attachment: str, chart_cid: str | None) -> tuple[str, str]:
        """(text part, HTML part); the chart is shown from ``cid:chart_cid``."""
        context = {**self.context, "attachment": attachment, "counter": _counter()}
        if self.chart is not None and chart_cid is not None:
            context["chart"] = {"alt": self.chart.alt, "src": f"cid:{chart_cid}"}
        text = render_email_template(self.project, _names(TEXT_TEMPLATE), context, html=False)
        context["counter"] = _counter()
        html = render_email_template(self.project, _names(HTML_TEMPLATE), context, html=True)
        check_email_html(html, chart_cid)
        inlined = css_inline.CSSInliner(
            keep_style_tags=False, load_remote_stylesheets=False
        ).inline(html)
        return _visible(text), _visible(inlined)


def _counter() -> Callable[[str], int]:
    """``counter(name)``: 1, 2, 3... per name, afresh for each part of the message."""
    counts: dict[str, int] = {}

    def counter(name: str) -> int:
        counts[name] = counts.get(name, 0) + 1
        return counts[name]

    return counter


def _names(name: str) -> list[str]:
    return [f"{EMAIL_DIR}/{name}", f"{BUILT_IN}/{name}"]


def _visible(text: str) -> str:
    """``text`` without format characters (Cf: U+2060 word joiner, U+00AD soft hyphen,
    zero-width spaces, bidi marks), which a mail client may show as boxes or not at all."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def email_view(store: Store, project: Path, charts_dir: Path) -> EmailView:
    """The email's view of ``store``: its context, and the chart PNG the build drew
    into ``charts_dir`` for it."""
    from reportgen.editions.section import EditionView, edition_context

    if store.meta is None:
        raise ReportError("seeds/report.yaml is missing: the briefing has no title")
    helpers = EmailHelpers(store)
    context: dict[str, object] = {name: _bare_helper(getattr(helpers, name)) for name in _HELPERS}
    edition = edition_context(store, project, helpers)["edition"]
    assert isinstance(edition, EditionView)
    items = tuple(
        replace(item, **{f.name: bare(getattr(item, f.name)) for f in fields(item)[1:]})
        for item in edition.items
    )
    context |= {
        "meta": store.meta,
        "as_of": [month_year(s.published.date) for s in store.sources.values()],
        "edition": replace(edition, items=items),
        "chart": None,
    }
    content = render_content(project, context)
    context["key_figures"] = [_key_figure(helpers, fid, words) for fid, words in content.cards]
    return EmailView(store, project, context, _chart(store, project, charts_dir, content.chart))


def _key_figure(helpers: EmailHelpers, fact_id: str, words: str) -> KeyFigure:
    fig = helpers.figure(fact_id)
    when = [helpers.period(fact_id)] if fig.period else []
    if fig.status != "actual":
        when.append(Markup.escape(fig.status))
    return KeyFigure(bare(helpers.short(fact_id)), words, bare(Markup(" · ").join(when)))


@dataclass(frozen=True)
class _Content:
    cards: list[tuple[str, str]]
    chart: str | None


def render_content(project: Path, context: dict[str, object]) -> _Content:
    """``email/content.j2``'s choices: the key figures (id, words) and the chart's id."""
    name, module = content_module(project, _names(CONTENT_TEMPLATE), context)
    context["content_template"] = name
    cards = getattr(module, "key_figures", [])
    chart = getattr(module, "chart", None)
    shown = f"templates/{EMAIL_DIR}/{CONTENT_TEMPLATE}"
    if not isinstance(cards, list | tuple) or not all(
        isinstance(c, list | tuple) and len(c) == 2 and all(isinstance(p, str) for p in c)
        for c in cards
    ):
        raise ReportError(f"{shown}: key_figures must be a list of (fact id, words) pairs")
    if chart is not None and not isinstance(chart, str):
        raise ReportError(f"{shown}: chart must be a chart id or none")
    return _Content([(fid, words) for fid, words in cards], chart)


def _chart(store: Store, project: Path, charts_dir: Path, wanted: str | None) -> Chart | None:
    """The chart the email shows: the one content.j2 names, else the briefing's first."""
    from reportgen.charts import plan_charts

    charts = sorted(plan_charts(store, project, charts_dir).charts, key=lambda c: c.number)
    if wanted is not None:
        known = {c.id: c for c in charts}
        if wanted not in known:
            raise ReportError(
                f"templates/{EMAIL_DIR}/{CONTENT_TEMPLATE} names chart '{wanted}', which the "
                f"project does not define ({', '.join(sorted(known)) or 'none'})"
            )
        charts = [known[wanted]]
    for chart in charts[:1]:
        try:
            png = chart.png_path.read_bytes()
        except OSError:
            return None
        words = [f"Figure {chart.number}", chart.title, chart.subtitle]
        return Chart(chart.id, " ".join(" ".join(w for w in words if w).split()), png)
    return None
