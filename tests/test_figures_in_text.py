"""Every number a reader sees in the briefing was printed by a fact helper.

The scan walks the rendered HTML and looks at every piece of text. Text inside
a helper's markup is fine: ``data-fact`` (a figure), ``data-period``,
``data-entity`` and ``data-label`` (from the store), ``data-quote-of`` (a
verbatim quote) and ``data-nonfact`` (page, figure and table numbers, the
edition, dates of sources, ids, hashes). Text the store wrote in prose
(``data-store``) and chart text (``data-chart-text``) may hold numbers only if
each one is the value of a figure in the store. Anything else that states a
number, in digits or in words, fails the test.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportgen.facts import open_store
from reportgen.facts.quantities import find_quantities, same_value
from reportgen.facts.store import Store
from reportgen.render import render_briefing
from tests.conftest import REPO, BuiltBriefing, copy_project
from tests.test_render import stand_in_charts

#: Attributes whose element (and everything in it) a helper produced.
HELPER_MARKS = (
    "data-fact",
    "data-period",
    "data-entity",
    "data-label",
    "data-source",
    "data-quote-of",
    "data-nonfact",
)
#: Attributes whose text must be checked against the store's values.
CHECKED_MARKS = ("data-store", "data-chart-text")
#: Elements whose content is not prose.
SKIP = {"style", "script", "svg", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
_DIGIT = re.compile(r"\d")
#: In store prose, number words up to twelve are ordinary English; larger ones are figures.
SMALL_WORDS = 12


@dataclass
class Text:
    text: str
    #: "plain", "helper" or "checked"
    kind: str
    context: str


@dataclass
class _Scanner(HTMLParser):
    texts: list[Text] = field(default_factory=list)
    stack: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        names = {name for name, _ in attrs}
        outer = self.stack[-1][1] if self.stack else "plain"
        if tag in SKIP or outer == "skip":
            kind = "skip"
        elif outer == "helper" or names & set(HELPER_MARKS):
            kind = "helper"
        elif outer == "checked" or names & set(CHECKED_MARKS):
            kind = "checked"
        else:
            kind = "plain"
        self.stack.append((tag, kind))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        kind = self.stack[-1][1] if self.stack else "plain"
        if kind != "skip" and data.strip():
            where = "/".join(tag for tag, _ in self.stack[-4:])
            self.texts.append(Text(data, kind, where))


def scan(html: str) -> list[Text]:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.texts


def stray_numbers(html: str) -> list[str]:
    """Numbers in the briefing's own words, i.e. not produced by a helper."""
    found = []
    for text in scan(html):
        if text.kind != "plain":
            continue
        words = [q.text for q in find_quantities(text.text) if q.kind != "vague"]
        digits = [] if words else _DIGIT.findall(text.text)
        for number in words or digits:
            found.append(f"{number!r} in {text.text.strip()[:90]!r} ({text.context})")
    return found


def store_values(store: Store) -> tuple[list[float], set[int]]:
    values = [store.figure(i).value for i in [*store.facts, *store.derived]]
    years: set[int] = set()
    for i in [*store.facts, *store.derived]:
        period = store.figure(i).period or ""
        years.update(int(y) for y in re.findall(r"\d{4}", period))
    for source in store.sources.values():
        years.add(int(source.published.date[:4]))
    return values, years


def unsourced_in_checked_text(html: str, store: Store) -> list[str]:
    """Numbers in store prose and chart text that are no figure's value in the store."""
    values, years = store_values(store)
    found = []
    for text in scan(html):
        if text.kind != "checked":
            continue
        for quantity in find_quantities(text.text):
            value = quantity.value
            if value is None:
                continue
            if not _DIGIT.search(quantity.text) and value <= SMALL_WORDS:
                continue  # "one month", "times twelve": counting words, not figures
            if quantity.kind == "date":
                if int(value) not in years:
                    found.append(f"year {quantity.text!r} in {text.text.strip()[:90]!r}")
                continue
            if not any(_matches(value, v) for v in values):
                found.append(f"{quantity.text!r} in {text.text.strip()[:90]!r}")
    return found


def _matches(stated: Decimal, value: float) -> bool:
    """A stated number is a figure's value, as printed (rounded to what the text shows)."""
    if same_value(stated, value):
        return True
    places = -stated.as_tuple().exponent if isinstance(stated.as_tuple().exponent, int) else 0
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-max(places, 0))) == stated


# -- the real briefing ------------------------------------------------------------------


def test_briefing_has_no_number_a_helper_did_not_print(built_briefing: BuiltBriefing) -> None:
    stray = stray_numbers(built_briefing.html_text)
    assert not stray, "numbers typed into templates:\n" + "\n".join(stray)


def test_numbers_in_store_prose_and_chart_text_are_store_values(
    built_briefing: BuiltBriefing,
) -> None:
    store = open_store(REPO)
    found = unsourced_in_checked_text(built_briefing.html_text, store)
    assert not found, "numbers in store text that are no figure in the store:\n" + "\n".join(found)


def test_briefing_prints_figures_through_helpers(built_briefing: BuiltBriefing) -> None:
    """The scan is not vacuous: the briefing is full of helper-printed figures."""
    texts = scan(built_briefing.html_text)
    helper_digits = [t for t in texts if t.kind == "helper" and _DIGIT.search(t.text)]
    assert len(helper_digits) > 100
    assert "12.416" in built_briefing.html_text


# -- the scan catches what it should ----------------------------------------------------


@pytest.fixture(scope="module")
def store() -> Store:
    return open_store(REPO)


def _render_with(tmp_path: Path, store: Store, partial: str, old: str, new: str) -> str:
    project = copy_project(tmp_path / "project")
    path = project / "templates" / "partials" / partial
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    try:
        return render_briefing(store, stand_in_charts(project), project)
    finally:
        shutil.rmtree(project)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("capacity of 700,000 vehicles", "700,000"),
        ("up 37% on the year", "37"),
        ("about five million cars", "five million"),
        ("in 2023", "2023"),
        ("with twelve robots", "twelve"),
    ],
)
def test_scan_finds_a_typed_figure(tmp_path: Path, store: Store, typed: str, expected: str) -> None:
    html = _render_with(
        tmp_path,
        store,
        "methodology.html.j2",
        "<p>This briefing restates",
        f"<p>Note: {typed}.</p>\n<p>This briefing restates",
    )
    stray = stray_numbers(html)
    assert len(stray) == 1 and expected in stray[0], stray


def test_scan_finds_a_typed_figure_next_to_a_helper(tmp_path: Path, store: Store) -> None:
    """A number typed just outside the helper's markup is not excused by its neighbour."""
    html = _render_with(
        tmp_path,
        store,
        "commercial.html.j2",
        '{{ fig("seres-2022-08-sales") }}.',
        '{{ fig("seres-2022-08-sales") }} (12 a day).',
    )
    stray = stray_numbers(html)
    assert any("'12'" in s for s in stray), stray


def test_scan_finds_a_number_in_store_text_that_is_no_figure(store: Store) -> None:
    html = '<p><span data-store="conflict:x">The plant has 1,234 robots, says 2019.</span></p>'
    found = unsourced_in_checked_text(html, store)
    assert len(found) == 1 and "1,234" in found[0]


def test_helper_markup_is_what_excuses_a_number() -> None:
    html = (
        '<p>Sold <a data-fact="x">10,045 vehicles</a> in <span data-period="x">August 2022</span>'
        ' (Table <span data-nonfact="table-number">2</span>).</p>'
    )
    assert stray_numbers(html) == []
    assert stray_numbers(html.replace(' data-fact="x"', "")) != []
