"""The only way a template prints a figure: fact helpers that carry their source.

Every number a reader sees in the briefing's prose comes out of one of these
helpers. Each returns markup that names the fact (``data-fact``), links to its
entry in the appendix, shows the verbatim quote on hover or focus, and carries a
citation mark that points to the sources list. Numbers that are not figures
(page, figure and table numbers, source dates, model names) are marked
``data-nonfact`` so the test that scans the briefing can tell them apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup

from reportgen.errors import ReportError
from reportgen.facts.formula import REF
from reportgen.facts.model import PublicationDate
from reportgen.facts.quantities import read
from reportgen.facts.quantities.lexicon import CARDINALS, MULTIPLIERS
from reportgen.facts.store import Figure, Store
from reportgen.numbers import Style, format_figure, format_ordinal, format_value
from reportgen.periods import month_year, period_words

Form = Literal["verb", "times"]


def _marked(attribute: str, value: str, text: str) -> Markup:
    """Text from the store, marked for the figure scan only where it holds a digit.

    Every element becomes a node in the PDF's structure tree, so unmarked text
    stays bare: the PDF has a size budget.
    """
    if not re.search(r"\d", str(text)) and not read(str(text)).quantities:
        return Markup("{0}").format(text)
    return Markup(f'<span {attribute}="{{0}}">{{1}}</span>').format(value, text)  # noqa: S704


def _operators(text: str) -> str:
    """Operators as a reader writes them; only ever given the text between two {ids}."""
    return text.replace("**", "^").replace("*", "×").replace("/", "÷")


def formula_words(formula: str, name: Callable[[str], str]) -> str:
    """A formula as printed: each ``{id}`` replaced by ``name(id)`` exactly as written
    (a label "before/after" keeps its slash), the operators between them as × ÷ ^."""
    parts: list[str] = []
    last = 0
    for match in REF.finditer(formula):
        parts += [_operators(formula[last : match.start()]), name(match.group(1).strip())]
        last = match.end()
    return "".join([*parts, _operators(formula[last:])])


@dataclass
class Helpers:
    """Jinja globals bound to one store; records which facts the briefing cites."""

    store: Store
    #: Figure id -> the id of the element its links go to (its appendix entry).
    anchor: Callable[[str], str] = "f-{}".format
    #: Source id -> citation number, in the order sources.yaml lists them.
    numbers: dict[str, int] = field(default_factory=dict)
    used: dict[str, None] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.numbers = {sid: n for n, sid in enumerate(self.store.sources, start=1)}

    # -- figures --------------------------------------------------------------------------

    def figure(self, fact_id: str, *, as_stated: bool = False) -> Figure:
        """The figure ``fact_id`` stands for now (a superseded fact's successor), or with
        ``as_stated`` the fact itself, as its own entry in the appendix shows it."""
        try:
            fig = self.store.figure(fact_id if as_stated else self.store.current(fact_id))
        except ReportError as exc:
            raise ReportError(f"template names {exc.message}") from None
        self.used.setdefault(fact_id, None)
        self.used.setdefault(fig.id, None)
        return fig

    def hover_text(self, fig: Figure) -> str:
        """What the reader sees on hover or focus: the quote, or how a metric is computed."""
        if fig.quote is not None and fig.stated is not None:
            start, end = fig.stated  # the number the fact states, marked in its quote
            return f"“{fig.quote[:start]}[{fig.quote[start:end]}]{fig.quote[end:]}”"
        if fig.quote is not None:
            return f"“{fig.quote}”"
        text = f"Computed: {formula_words(fig.formula or '', self._ref_name)}"
        if fig.caveats:
            text += " — " + " ".join(fig.caveats)
        return text

    def _ref_name(self, ref: str) -> str:
        """A formula's input as a reader of the hover text needs it: what a stated input
        measures and when ("Tallgrass EV output 2023"), not its chart label; a computed
        input by its own label."""
        fig = self.store.figure(ref)
        if fig.kind == "derived":
            return fig.label
        when = f" {period_words(fig.period)}" if fig.period else ""
        return f"{self._measures(fig)}{when}"

    def formula(self, fig: Figure) -> Markup:
        """A derived figure's formula, each input linked to its own entry by id."""
        out = Markup("")
        text = fig.formula or ""
        last = 0
        for match in REF.finditer(text):
            ref = match.group(1).strip()
            out += _operators(text[last : match.start()])
            out += Markup('<a class="ref" href="#{0}">{1}</a>').format(self.anchor(ref), ref)
            last = match.end()
        out += _operators(text[last:])
        return Markup('<span class="formula" data-nonfact="formula">{0}</span>').format(out)

    def cite(self, fig: Figure) -> Markup:
        links = Markup(", ").join(
            Markup('<a href="#src-{0}">{1}</a>').format(sid, self.numbers.get(sid, "?"))
            for sid in fig.sources
        )
        # A word joiner keeps the mark on the line of the figure it cites.
        return Markup('\u2060<sup class="cite" data-nonfact="citation">[{0}]</sup>').format(links)

    def _link(self, fig: Figure, text: str, css: str) -> Markup:
        return Markup(
            '<a class="{css}" href="#{anchor}" data-fact="{id}" data-quote="{quote}">{text}</a>'
        ).format(
            css=css, anchor=self.anchor(fig.id), id=fig.id, quote=self.hover_text(fig), text=text
        )

    def fig(
        self,
        fact_id: str,
        style: Style | Literal["ordinal"] = "text",
        *,
        status: bool = True,
        cite: bool = True,
        equivalents: bool = True,
        as_stated: bool = False,
    ) -> Markup:
        """A figure in prose: 'nearly ¥10 billion ($1.44 billion; planned)[1]'.

        A conversion the source gives follows as the source writes it, after the
        qualifier it shares ("nearly 10 billion yuan ($1.44 billion)"); the status
        then joins it inside the one pair of brackets. A superseded fact prints its
        successor unless ``as_stated`` (what changed between editions shows both).
        """
        fig = self.figure(fact_id, as_stated=as_stated)
        fact_id = fig.id
        others = self.equivalents(fact_id) if equivalents and style != "ordinal" else []
        if style == "ordinal":
            out = self._link(fig, format_ordinal(fig, status=status), "fig")
        elif others:
            out = self._link(fig, format_figure(fig, style, status=False), "fig")
            inner = Markup("; ").join(
                self._link(self.figure(o), format_value(self.figure(o), style), "fig")
                for o in others
            )
            if status and fig.status != "actual":
                inner += Markup("; {0}").format(fig.status)
            out += Markup(" ({0})").format(inner)
        else:
            out = self._link(fig, format_figure(fig, style, status=status), "fig")
        if cite:
            out += self.cite(fig)
        return out

    def equivalents(self, fact_id: str) -> list[str]:
        """Ids of facts restating ``fact_id`` in another currency, as the source gives them."""
        return [f.id for f in self.store.equivalents(fact_id)]

    def plain(self, fact_id: str, style: Style = "text", *, status: bool = True) -> Markup:
        """A figure without link or citation, for its own entry in the appendix."""
        fig = self.figure(fact_id, as_stated=True)
        return Markup('<span class="num" data-fact="{0}">{1}</span>').format(
            fact_id, format_figure(fig, style, status=status)
        )

    def prose(self, text: str, record: str) -> Markup:
        """Store text (a conflict summary, a caveat, a note): ``{id}`` becomes a figure.

        Any other number in it was written in the store next to the facts it
        describes; ``data-store`` lets the briefing's scan check it against them.
        """
        out = Markup("")
        last = 0
        for match in REF.finditer(text):
            out += text[last : match.start()]
            out += self.fig(match.group(1).strip(), cite=False)
            last = match.end()
        out += text[last:]
        # Always marked: store prose may state numbers in words ("one month").
        return Markup('<span class="store-text" data-store="{0}">{1}</span>').format(record, out)

    def value(self, fact_id: str, *, status: bool = False, cite: bool = True) -> Markup:
        """A figure for a table cell: 'about 150,000', '¥4 billion'."""
        return self.fig(fact_id, "table", status=status, cite=cite, equivalents=False)

    def short(self, fact_id: str, style: Style = "short") -> Markup:
        """A compact figure for the key-figures panel: '~700k', '1,000+'."""
        fig = self.figure(fact_id)
        return self._link(fig, format_figure(fig, style, status=False), "fig fig-short")

    def status(self, fact_id: str) -> str:
        """The fact's status word for a table column ('actual', 'planned', ...)."""
        return self.figure(fact_id).status

    def label(self, fact_id: str) -> Markup:
        return _marked("data-label", fact_id, self.figure(fact_id).label)

    def describe(self, fact_id: str) -> Markup:
        """What a figure measures, in words: 'Chongqing NEV production'."""
        return _marked("data-label", fact_id, self._measures(self.figure(fact_id)))

    def _measures(self, fig: Figure) -> str:
        if fig.entity is None or fig.metric is None:
            return fig.label
        spelt = self.store.meta.words if self.store.meta is not None else {}
        words = " ".join(spelt.get(w, w) for w in fig.metric.split("_"))
        return f"{self.store.entity_name(fig.entity)} {words}"

    def period(self, fact_id: str) -> Markup:
        """The period a figure covers, as prose, from the store: 'H1 2022', 'by 2025'."""
        fig = self.figure(fact_id)
        if fig.period is None:
            raise ReportError(f"template asks for the period of '{fact_id}', which has none")
        return Markup('<span class="period" data-period="{0}">{1}</span>').format(
            fact_id, period_words(fig.period)
        )

    def quote(self, fact_id: str) -> Markup:
        fig = self.figure(fact_id, as_stated=True)
        text: Markup | str = fig.quote or ""
        if fig.quote is not None and fig.stated is not None:
            start, end = fig.stated  # the number the fact states, marked in its quote
            text = Markup('{0}<mark class="stated">{1}</mark>{2}').format(
                fig.quote[:start], fig.quote[start:end], fig.quote[end:]
            )
        return Markup('<q class="quote" data-quote-of="{0}">{1}</q>').format(fact_id, text)

    def recorded(self, fig: Figure, *, status: bool = True) -> Markup:
        """A figure an earlier edition stated that the store no longer holds as it was:
        the same markup as :meth:`fig`, linked and cited only where the store still has
        its entry and its source (every link must have a target)."""
        text = format_figure(fig, "text", status=status)
        attrs = Markup('data-fact="{0}" data-quote="{1}"').format(fig.id, self.hover_text(fig))
        if self.store.has(fig.id):
            out = Markup('<a class="fig fig-was" href="#{0}" {1}>{2}</a>').format(
                self.anchor(fig.id), attrs, text
            )
        else:
            out = Markup('<span class="fig fig-was" {0}>{1}</span>').format(attrs, text)
        if all(sid in self.numbers for sid in fig.sources):
            out += self.cite(fig)
        return out

    # -- names, dates and counters --------------------------------------------------------

    def entity(self, entity_id: str, *, short: bool = False) -> Markup:
        """An entity's name from the store; names may hold digits (AITO M5, ADS 2.0)."""
        found = self.store.entities.get(entity_id)
        if found is None:
            raise ReportError(f"template names unknown entity '{entity_id}'")
        name = found.short_name if short and found.short_name else found.name
        return _marked("data-entity", entity_id, name)

    def source_title(self, source_id: str) -> Markup:
        """A source's title, which may hold digits ("record 2023 automobile output")."""
        source = self.store.sources.get(source_id)
        if source is None:
            raise ReportError(f"template names unknown source '{source_id}'")
        return Markup('<cite class="source-title" data-source="{0}">{1}</cite>').format(
            source_id, source.title
        )

    def source_date(self, source_id: str) -> Markup:
        source = self.store.sources.get(source_id)
        if source is None:
            raise ReportError(f"template names unknown source '{source_id}'")
        return published(source.published)

    def multiple(self, fact_id: str, form: Form = "verb", *, cite: bool = True) -> Markup:
        """A multiple in words, linked and cited like :meth:`fig`: as a verb ("more than
        triple", "double") or with ``"times"`` ("more than three times", "about 5.3
        times"). The words are the quantity reader's, so the briefing says what the
        scan of a source would read back."""
        fig = self.figure(fact_id)
        if fig.unit != "multiple":
            raise ReportError(f"multiple('{fact_id}'): its unit is {fig.unit}, not multiple")
        text = multiple_words(fig.value, form)
        if text is None:
            raise ReportError(
                f"multiple('{fact_id}'): no verb says {fig.value:g} times (double, triple, "
                f'quadruple); write multiple("{fact_id}", "times")'
            )
        out = self._link(fig, text, "fig")
        return out + self.cite(fig) if cite else out

    def apart(self, first: str, second: str) -> Markup:
        """How far apart two sources' publication dates are, at least, in words: "more
        than a year", "seven months". Read from the dates, as precise as each is known."""
        dates = []
        for source_id in (first, second):
            source = self.store.sources.get(source_id)
            if source is None:
                raise ReportError(f"template names unknown source '{source_id}'")
            dates.append(source.published.date)
        return Markup('<span class="interval" data-interval="{0} {1}">{2}</span>').format(
            first, second, interval_words(*sorted(dates))
        )

    def nonfact(self, text: object, kind: str) -> Markup:
        """A number that is not a figure (a page, figure or table number), marked as such."""
        return Markup('<span data-nonfact="{0}">{1}</span>').format(kind, text)

    def counter(self, name: str) -> int:
        self._counters[name] = self._counters.get(name, 0) + 1
        return self._counters[name]

    def source_number(self, source_id: str) -> Markup:
        return self.nonfact(self.numbers[source_id], "citation")


def published(date: PublicationDate) -> Markup:
    return Markup('<time datetime="{0}" data-nonfact="date">{1}</time>').format(
        date.date, month_year(date.date)
    )


_NUMBER_WORDS = {n: w for w, n in CARDINALS.items()}
_VERBS = {int(n): w for w, n in reversed(MULTIPLIERS.items()) if n in (2, 3, 4)}


def multiple_words(value: float, form: Form) -> str | None:
    """3.33 -> 'more than triple' (or 'more than three times'); 2.0 -> 'double' ('twice')."""
    whole = int(value)
    exact = value == whole
    if form == "times":
        if exact:
            return "twice" if whole == 2 else f"{_NUMBER_WORDS.get(whole, whole)} times"
        if value - whole < 0.5 and whole in _NUMBER_WORDS:
            return f"more than {_NUMBER_WORDS[whole]} times"
        return f"about {value:.1f} times"
    if whole not in _VERBS:
        return None
    return _VERBS[whole] if exact else f"more than {_VERBS[whole]}"


def _bounds(date: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The earliest and latest day a date as precise as it is written may be."""
    parts = [int(p) for p in date.split("-")]
    year, month, day = [*parts, 0, 0][:3]
    if not month:
        return (year, 1, 1), (year, 12, 31)
    if not day:
        return (year, month, 1), (year, month, 31)
    return (year, month, day), (year, month, day)


def interval_words(earlier: str, later: str) -> str:
    """The least time between two dates, in words: 'more than a year', 'two years'."""
    _, (y1, m1, d1) = _bounds(earlier)
    (y2, m2, d2), _ = _bounds(later)
    months = (y2 - y1) * 12 + m2 - m1 - (1 if d2 < d1 else 0)
    more = (y2, m2, d2) != (y1, m1, d1) and (d2 != d1 or months < 0)
    months = max(months, 0)
    if months >= 12:
        years = months // 12
        amount = "a year" if years == 1 else f"{_NUMBER_WORDS.get(years, years)} years"
        more = more or months % 12 != 0
    elif months:
        amount = "a month" if months == 1 else f"{_NUMBER_WORDS.get(months, months)} months"
    else:
        return "less than a month"
    return f"more than {amount}" if more else amount
