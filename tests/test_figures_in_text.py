"""Every number a reader sees in the briefing was printed by a figure helper.

``check`` and ``build`` scan the rendered briefing (reportgen.render.figurescan): a
figure typed into a template, in digits or in words, fails both with the template line
and column that wrote it. These tests write such templates and run the product on them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reportgen.build import build
from reportgen.check import check_project
from reportgen.errors import ReportError, ReportErrors
from reportgen.facts import open_store
from reportgen.facts.store import Store
from reportgen.render import render
from reportgen.render.figures import interval_words, multiple_words
from reportgen.render.figurescan import figure_problems
from tests.conftest import REPO, BuiltBriefing, copy_project
from tests.test_render import stand_in_charts

METHODOLOGY = "templates/partials/methodology.html.j2"
ANCHOR = "<p>This briefing restates"


@pytest.fixture(scope="module")
def store() -> Store:
    return open_store(REPO)


def _lines(exc: ReportError) -> list[str]:
    return exc.lines()


def _problems_with(tmp_path: Path, store: Store, relpath: str, old: str, new: str) -> list[str]:
    """The figure scan's problems after one edit to a copy of the project's templates."""
    project = copy_project(tmp_path / "project")
    path = project / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    try:
        briefing = render(store, stand_in_charts(project), project)
        return [str(p) for p in figure_problems(briefing.html, store, project)]
    finally:
        shutil.rmtree(project)


def _typed(tmp_path: Path, store: Store, html: str) -> list[str]:
    return _problems_with(tmp_path, store, METHODOLOGY, ANCHOR, f"<p>{html}</p>\n{ANCHOR}")


def _line_of(needle: str) -> int:
    text = (REPO / METHODOLOGY).read_text(encoding="utf-8")
    return text[: text.index(ANCHOR)].count("\n") + 1


# -- the seed briefing ------------------------------------------------------------------


def test_seed_briefing_has_no_typed_figure(store: Store) -> None:
    briefing = render(store, stand_in_charts(REPO), REPO)
    assert figure_problems(briefing.html, store, REPO) == []


def test_seed_briefing_prints_its_words_through_helpers(built_briefing: BuiltBriefing) -> None:
    """What the templates said in words is now a helper's figure, linked to its entry."""
    html = built_briefing.html_text
    assert re.search(r'data-fact="seres-capacity-multiple"[^>]*>more than triple</a>', html)
    assert 'data-interval="seres-2022 chongqing-2024">more than a year</span> apart' in html
    assert html.count("data-fact=") > 100


# -- typed figures fail check and build, located ----------------------------------------


def test_check_fails_on_a_typed_figure_with_its_location(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    path = project / METHODOLOGY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(ANCHOR, "<p>Sales more than tripled.</p>\n" + ANCHOR), "utf-8")
    line = _line_of(ANCHOR)
    with pytest.raises(ReportErrors) as caught:
        check_project(project)
    found = [s for s in _lines(caught.value) if "tripled" in s]
    assert found == [f"{METHODOLOGY}:{line}:20: " + found[0].split(": ", 1)[1]]
    assert 'multiple("id")' in found[0]


def test_build_fails_on_a_typed_figure_and_keeps_no_output(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    path = project / "templates/partials/takeaways.j2"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("capacity, on paper.", "capacity, on paper, by 2026.", 1), "utf-8")
    line = text[: text.index("capacity, on paper.")].count("\n") + 1
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        build(project, out, {"html"}, force=True)
    assert any(
        found.startswith(f"templates/partials/takeaways.j2:{line}:") and "'2026'" in found
        for found in _lines(caught.value)
    ), _lines(caught.value)
    assert not (out / "briefing.html").exists()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("capacity of 700,000 vehicles", "700,000"),
        ("up 37% on the year", "37%"),
        ("about five million cars", "five million"),
        ("in 2023", "2023"),
        ("with twelve robots", "twelve"),
        ("would more than triple", "triple"),
        ("a third of the output", "a third"),
        ("half the plants", "half"),
        ("sales doubled", "doubled"),
        ("a dozen suppliers", "a dozen"),
        ("published a year apart", "a year apart"),
        ("twice the size", "twice"),
        ("the second plant", "second"),
        ("ranked 15th", "15th"),
        ("grew threefold", "threefold"),
        ("in the third quarter", "third quarter"),
        ("in Q3", "Q3"),
        ("Ⅲ units", "Ⅲ"),
    ],
)
def test_a_typed_figure_is_refused(tmp_path: Path, store: Store, typed: str, expected: str) -> None:
    found = _typed(tmp_path, store, f"Note: {typed}.")
    line = _line_of(ANCHOR)
    assert len(found) == 1, found
    assert found[0].startswith(f"{METHODOLOGY}:{line}:")
    assert f"'{expected}'" in found[0]


def test_a_number_next_to_a_helper_is_not_excused(tmp_path: Path, store: Store) -> None:
    found = _problems_with(
        tmp_path,
        store,
        "templates/partials/commercial.html.j2",
        '{{ fig("seres-2022-08-sales") }}.',
        '{{ fig("seres-2022-08-sales") }} (12 a day).',
    )
    assert len(found) == 1 and "'12'" in found[0], found
    assert found[0].startswith("templates/partials/commercial.html.j2:")


def test_nonfact_marks_words_that_state_no_figure(tmp_path: Path, store: Store) -> None:
    found = _typed(tmp_path, store, 'The {{ nonfact("second", "the order of this list") }} item.')
    assert found == []


def test_a_mark_a_helper_did_not_write_excuses_nothing(tmp_path: Path, store: Store) -> None:
    """Marks name a record of the store: a typed data-label or data-entity is no helper's."""
    typed = '<span data-label="Vehicles">700,000</span> <span data-entity="nobody">12</span>'
    found = _typed(tmp_path, store, typed)
    assert len(found) == 2, found


def test_store_text_may_only_state_store_figures(tmp_path: Path, store: Store) -> None:
    found = _typed(tmp_path, store, '{{ prose("The plant has 1,234 robots.", "note:x") }}')
    assert len(found) == 1 and "1,234" in found[0] and "no figure of the store" in found[0]


# -- sources with URLs ------------------------------------------------------------------


def test_a_source_url_with_digits_is_no_typed_figure(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    sources = project / "seeds/sources.yaml"
    text = sources.read_text(encoding="utf-8")
    assert "url: null" in text
    sources.write_text(
        text.replace("url: null", "url: https://example.com/news-547660", 1), "utf-8"
    )
    summary = check_project(project)
    assert summary.coverage.covered == summary.coverage.statements
    store = open_store(project)
    html = render(store, stand_in_charts(project), project).html
    assert "news-547660" in html
    assert figure_problems(html, store, project) == []


# -- the helpers' words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "form", "words"),
    [
        (3.333, "verb", "more than triple"),
        (2.0, "verb", "double"),
        (4.2, "verb", "more than quadruple"),
        (5.3, "verb", None),
        (3.333, "times", "more than three times"),
        (2.0, "times", "twice"),
        (5.7, "times", "about 5.7 times"),
    ],
)
def test_multiple_words(value: float, form: str, words: str | None) -> None:
    assert multiple_words(value, form) == words  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("earlier", "later", "words"),
    [
        ("2022-09", "2024-01", "more than a year"),
        ("2022-09-05", "2023-09-05", "a year"),
        ("2022", "2024", "more than a year"),
        ("2022-01-10", "2022-08-20", "more than seven months"),
        ("2022-01-10", "2022-01-20", "less than a month"),
        ("2020-03", "2023-06", "more than three years"),
    ],
)
def test_interval_words(earlier: str, later: str, words: str) -> None:
    assert interval_words(earlier, later) == words


# -- chart specs ------------------------------------------------------------------------


def test_chart_text_takes_years_and_periods_from_the_facts(tmp_path: Path) -> None:
    summary = check_project(REPO)
    assert summary.charts == 6
    title = "title: SERES in {seres-h1-2022-income:period} against {seres-h1-2021-income-implied:period}"
    line, found = _chart_title_problems(
        tmp_path, title, "title: SERES in H1 2022 against the first half"
    )
    assert found == [
        f"charts/seres-h1-2022.yaml:{line}:8: chart 'seres-h1-2022': title: typed period 'H1', "
        "date '2022', period 'first half'; quote figures as {fact-id} or {fact-id:short}, "
        "a figure's year or period as {fact-id:year} or {fact-id:period}"
    ]


def _chart_title_problems(tmp_path: Path, old: str, new: str) -> tuple[int, list[str]]:
    """Check a copy of the project whose Figure 3 spec has ``old`` replaced by ``new``:
    the line ``old`` stood on, and the problems check reports in that spec."""
    project = copy_project(tmp_path / "project")
    spec = project / "charts/seres-h1-2022.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(ReportErrors) as caught:
        check_project(project)
    found = [s for s in caught.value.lines() if "seres-h1-2022.yaml" in s]
    return text[: text.index(old)].count("\n") + 1, found


def test_chart_titles_print_the_facts_periods(built_briefing: BuiltBriefing) -> None:
    html = built_briefing.html_text
    assert "SERES in H1 2022 against H1 2021" in html
    assert "its targets for 2025 and\n" in html or "its targets for 2025 and 2027" in html


def test_a_year_asked_of_a_figure_without_a_period_is_located(tmp_path: Path) -> None:
    title = "title: SERES in {seres-h1-2022-income:period}"
    line, found = _chart_title_problems(
        tmp_path, title, "title: SERES in {seres-capacity-multiple:year}"
    )
    assert found == [
        f"charts/seres-h1-2022.yaml:{line}:8: chart 'seres-h1-2022': 'seres-capacity-multiple' "
        "has no period to print as {seres-capacity-multiple:year}"
    ]
