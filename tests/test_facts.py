"""The fact store: the real store passes, and every kind of bad input is reported
with its file and line, all at once, without a traceback."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from reportgen.errors import ReportErrors
from reportgen.facts import open_store, open_store_with_coverage
from reportgen.facts.quantities import find_quantities

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the real project's seeds to break."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


def problems_of(project: Path) -> list[str]:
    with pytest.raises(ReportErrors) as info:
        open_store_with_coverage(project)
    return info.value.lines()


def edit(project: Path, relpath: str, old: str, new: str) -> None:
    file = project / relpath
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relpath}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(project: Path, relpath: str, needle: str) -> int:
    lines = (project / relpath).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# --- the real store -----------------------------------------------------------------------


def test_real_store_accounts_for_every_number_in_both_sources() -> None:
    store, coverage = open_store_with_coverage(ROOT)
    assert len(store.sources) == 2
    assert coverage.statements > 40
    assert coverage.covered == coverage.statements
    assert coverage.uncovered == []


def test_derived_metrics_compute_what_the_briefing_quotes() -> None:
    store = open_store(ROOT)
    assert store.derived_values["seres-capacity-before"] == 300_000
    assert store.derived_values["seres-capacity-after"] == 1_000_000
    assert store.derived_values["seres-capacity-multiple"] == pytest.approx(10 / 3)
    assert store.derived_values["se-project-investment-per-vehicle"] == pytest.approx(1e10 / 7e5)
    assert store.derived_values["chongqing-share-of-china-2023"] == pytest.approx(
        2.3e6 / 30.161e6 * 100
    )
    assert store.derived_values["chongqing-nev-output-2022-implied"] == pytest.approx(5e5 / 1.37)
    assert store.derived_values["chongqing-growth-needed-2025"] == pytest.approx(
        ((1.5e6 / 5e5) ** 0.5 - 1) * 100
    )
    growth = store.figure("chongqing-growth-needed-2027")
    assert growth.inputs == ("chongqing-2027-icv-nev-target", "chongqing-2023-nev-output")
    assert any("intelligent connected" in caveat for caveat in growth.caveats)


def test_capacity_total_carries_the_weakest_status_of_its_inputs() -> None:
    after = open_store(ROOT).figure("seres-capacity-after")
    assert after.status == "planned"  # actual + planned + estimated
    assert after.precision == "about"


def test_robot_counts_in_the_two_articles_are_recorded_as_a_conflict() -> None:
    store = open_store(ROOT)
    conflict = store.conflicts["liangjiang-robot-counts"]
    assert conflict.kind == "conflict"
    assert set(conflict.facts) == {"liangjiang-robots", "seres-smart-factory-robots"}


# --- the quote/value checker on the seeds' own phrasings ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "nearly 10 billion yuan ($1.44 billion)",
            [("10000000000", "nearly", "CNY"), ("1440000000", None, "USD")],
        ),
        ("more than 1,000 intelligent robots", [("1000", "more_than", None)]),
        (
            "reaching 30.161 million and 30.094 million vehicles, respectively",
            [("30161000", None, None), ("30094000", None, None)],
        ),
        ("surpassing two million units", [("2000000", "more_than", None)]),
        ("for 15 consecutive years", [("15", None, None)]),
        ("up 68.14% year-on-year", [("68.14", None, "percent")]),
        ("take just five seconds", [("5", None, None)]),
        ("establishing a trillion-yuan industrial cluster", [("1000000000000", None, "CNY")]),
        ("spanning about 700,000 square meters", [("700000", "about", "m2")]),
    ],
)
def test_checker_reads_the_hard_phrasings(
    text: str, expected: list[tuple[str, str | None, str | None]]
) -> None:
    found = [q for q in find_quantities(text) if q.kind == "quantity"]
    # A sign may stand for several currencies ("$": US, Hong Kong, ... dollars).
    assert [
        (q.value, q.precision, u if u in q.currencies else q.unit_hint)
        for q, (_, _, u) in zip(found, expected, strict=False)
    ] == [(Decimal(v), p, u) for v, p, u in expected]
    assert len(found) == len(expected)


@pytest.mark.parametrize(
    "text",
    [
        "the AITO M5 and M7s; The second one is the SERES Fenghuang Factory",
        "the appendix keeps each earlier one, marked as superseded",
        "another one opened in the spring",
        "the older plant and its newer one",
        "the later one counts only electric cars",
    ],
)
def test_names_and_pronouns_are_not_numbers(text: str) -> None:
    assert [q.text for q in find_quantities(text) if q.kind != "ordinal"] == []


def test_one_before_a_noun_is_still_a_count() -> None:
    assert [q.text for q in find_quantities("one factory; each one of 3 lines")] == ["one", "3"]


def test_vague_amounts_are_statements_without_a_value() -> None:
    (found,) = find_quantities("hundreds of robots")
    assert found.kind == "vague" and found.value is None


# --- bad input: one kind at a time, with its location ----------------------------------------

Mutation = Callable[[Path], None]
FACTS = "seeds/facts/seres.yaml"


def _dup_id(p: Path) -> None:
    edit(p, FACTS, "id: liangjiang-area", "id: se-project-area")


def _bad_entity(p: Path) -> None:
    edit(
        p,
        FACTS,
        "entity: seres-liangjiang-factory\n    metric: site_area",
        "entity: nowhere\n    metric: site_area",
    )


def _bad_source(p: Path) -> None:
    edit(
        p,
        FACTS,
        'source: seres-2022\n    quote: "with a net loss',
        'source: seres-2099\n    quote: "with a net loss',
    )


def _quote_missing(p: Path) -> None:
    edit(p, FACTS, "with a net loss of 1.717 billion yuan", "with a net loss of 1.7 billion yuan")


def _value_not_stated(p: Path) -> None:
    edit(p, FACTS, "value: 21600", "value: 21700")


def _unit_mismatch(p: Path) -> None:
    edit(p, FACTS, "value: 68.14\n    unit: percent", "value: 68.14\n    unit: vehicles")


def _unknown_unit(p: Path) -> None:
    edit(p, FACTS, "value: 171\n    unit: cities", "value: 171\n    unit: towns")


def _qualifier_dropped(p: Path) -> None:
    edit(
        p,
        FACTS,
        "value: 1000\n    unit: robots\n    precision: more_than",
        "value: 1000\n    unit: robots",
    )


def _status_dropped(p: Path) -> None:
    edit(p, FACTS, "unit: vehicles/year\n    status: planned", "unit: vehicles/year")


def _hash_changed(p: Path) -> None:
    article = p / "seeds/articles/seres-third-factory-2022.txt"
    article.write_bytes(article.read_bytes().replace(b"10,045", b"10,054"))


def _bad_date(p: Path) -> None:
    edit(
        p,
        FACTS,
        "period: 2022-08\n    source: seres-2022\n    label: August 2022",
        "period: 2022-02-30\n    source: seres-2022\n    label: August 2022",
    )


def _cycle(p: Path) -> None:
    edit(
        p,
        "seeds/facts/derived.yaml",
        '"{liangjiang-annual-output} + {fenghuang-capacity}"',
        '"{seres-capacity-after} - {se-project-capacity}"',
    )


def _div_zero(p: Path) -> None:
    edit(
        p,
        "seeds/facts/derived.yaml",
        '"{seres-2022-08-sales} * 12"',
        '"{seres-2022-08-sales} / (12 - 12)"',
    )


def _unknown_field(p: Path) -> None:
    edit(
        p,
        FACTS,
        "    metric: site_area\n    value: 500000",
        "    metric: site_area\n    vaule: 1\n    value: 500000",
    )


def _missing_field(p: Path) -> None:
    edit(p, FACTS, '    quote: "with a total area of about 500,000 square meters"\n', "")


def _string_value(p: Path) -> None:
    edit(p, FACTS, "value: 500000", 'value: "500000"')


def _octal_trap(p: Path) -> None:
    edit(p, FACTS, "value: 171", "value: 0171")


def _no_trap(p: Path) -> None:
    edit(
        p,
        "seeds/facts/entities.yaml",
        "  - id: china\n    name: China",
        "  - id: china\n    name: no",
    )
    edit(p, "seeds/facts/entities.yaml", "    name: China", "    name: China")  # unchanged marker
    edit(p, "seeds/facts/entities.yaml", "kind: country", "kind: no")


def _yaml_syntax(p: Path) -> None:
    edit(p, FACTS, "  - id: liangjiang-area", "  - id: [liangjiang-area")


def _tab(p: Path) -> None:
    edit(
        p,
        FACTS,
        "    metric: site_area\n    value: 500000",
        "    metric: site_area\n\tvalue: 500000",
    )


def _dup_key(p: Path) -> None:
    edit(
        p,
        FACTS,
        "    metric: site_area\n    value: 500000",
        "    metric: site_area\n    value: 500000\n    value: 500000",
    )


def _uncovered(p: Path) -> None:
    edit(
        p,
        "seeds/facts/ignore.yaml",
        '    text: "Industry 4.0 standards"',
        '    text: "Industry 4.0 standards and"',
    )
    edit(p, "seeds/facts/ignore.yaml", '"Industry 4.0 standards and"', '"built according to"')


def _empty(p: Path) -> None:
    (p / "seeds/facts/empty.yaml").write_text("", encoding="utf-8")


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "duplicate id",
        _dup_id,
        FACTS,
        "duplicate id 'se-project-area' (first defined at seeds/facts/seres.yaml:",
    ),
    ("dangling entity", _bad_entity, FACTS, "unknown entity 'nowhere'"),
    ("dangling source", _bad_source, FACTS, "unknown source 'seres-2099'"),
    ("quote not in source", _quote_missing, FACTS, "quote not found in source 'seres-2022'"),
    (
        "value not in quote",
        _value_not_stated,
        FACTS,
        "value 21700 is not stated in its quote (it states: 21,600)",
    ),
    ("unit mismatch", _unit_mismatch, FACTS, "unit mismatch: the quote states '68.14%' as percent"),
    ("unknown unit", _unknown_unit, FACTS, "unknown unit 'towns'"),
    (
        "qualifier dropped",
        _qualifier_dropped,
        FACTS,
        "with a qualifier ('more than') but precision is 'exact'",
    ),
    ("status dropped", _status_dropped, FACTS, "the quote says 'planned' but status is 'actual'"),
    ("source edited", _hash_changed, "seeds/sources.yaml", "changed since it was recorded"),
    ("impossible date", _bad_date, FACTS, "period '2022-02-30' is not a real date"),
    (
        "derived cycle",
        _cycle,
        "seeds/facts/derived.yaml",
        "derived metrics form a cycle: seres-capacity-after -> seres-capacity-before -> seres-capacity-after",
    ),
    (
        "division by zero",
        _div_zero,
        "seeds/facts/derived.yaml",
        "derived 'seres-2022-08-sales-annualised': division by zero",
    ),
    ("unknown field", _unknown_field, FACTS, "unknown field 'vaule'"),
    ("missing field", _missing_field, FACTS, "missing field 'quote'"),
    ("string for a number", _string_value, FACTS, "value"),
    ("YAML 1.1 octal", _octal_trap, FACTS, "value"),
    ("YAML 1.1 'no'", _no_trap, "seeds/facts/entities.yaml", "kind: Input should be"),
    ("YAML syntax", _yaml_syntax, FACTS, "YAML syntax error"),
    ("tab indentation", _tab, FACTS, "use spaces, not tabs"),
    ("duplicate key", _dup_key, FACTS, "duplicate key 'value'"),
    (
        "uncovered number",
        _uncovered,
        "seeds/articles/seres-third-factory-2022.txt",
        "'4.0' (quantity) is neither a fact nor in an ignore list",
    ),
    ("empty file", _empty, "seeds/facts/empty.yaml", "empty fact file"),
]


@pytest.mark.parametrize(("name", "mutate", "path", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_its_location(
    project: Path, name: str, mutate: Mutation, path: str, message: str
) -> None:
    mutate(project)
    lines = problems_of(project)
    matching = [
        line for line in lines if line.startswith(path + ":") or line.startswith(path + " ")
    ]
    assert any(message in line for line in matching), "\n".join(lines)
    if path.endswith(".yaml") and name != "empty file":
        # file:line:col, with a real line number
        located = next(line for line in matching if message in line)
        assert located.split(":")[1].isdigit() and int(located.split(":")[1]) > 0


def test_all_problems_are_reported_at_once(project: Path) -> None:
    _dup_id(project)
    _value_not_stated(project)
    _div_zero(project)
    lines = problems_of(project)
    assert any("duplicate id" in line for line in lines)
    assert any("is not stated in its quote" in line for line in lines)
    assert any("division by zero" in line for line in lines)


def test_value_problem_points_at_the_fact(project: Path) -> None:
    _value_not_stated(project)
    expected_line = line_of(project, FACTS, "id: seres-h1-2022-sales")
    assert any(line.startswith(f"{FACTS}:{expected_line}:") for line in problems_of(project))


# --- the command line -----------------------------------------------------------------------


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_reports_problems_one_per_line_without_traceback(project: Path) -> None:
    _quote_missing(project)
    _bad_entity(project)
    result = run_cli("facts", "list", "--project", str(project))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any("quote not found" in line for line in lines)
    assert any("unknown entity 'nowhere'" in line for line in lines)
    for line in lines:  # path:line:col: message
        path, line_no, col, message = line.split(":", 3)
        assert (project / path).is_file() and int(line_no) > 0 and int(col) > 0 and message


def test_cli_usage_error_exits_2() -> None:
    result = run_cli("facts", "export", "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "Traceback" not in result.stderr


def test_facts_show_gives_quote_and_formula() -> None:
    fact = run_cli("facts", "show", "se-project-investment")
    assert fact.returncode == 0
    assert "nearly ¥10 billion (planned)" in fact.stdout
    assert "with a total investment of nearly 10 billion yuan ($1.44 billion)" in fact.stdout
    derived = run_cli("facts", "show", "seres-capacity-multiple")
    assert "{seres-capacity-after} / {seres-capacity-before}" in derived.stdout
    assert "seres-capacity-before = about 300,000 vehicles a year" in derived.stdout


def test_facts_list_filters_by_entity() -> None:
    result = run_cli("facts", "list", "--entity", "seres-fenghuang-factory")
    ids = [line.split()[0] for line in result.stdout.splitlines()]
    assert ids == [
        "fenghuang-area",
        "fenghuang-capacity",
        "fenghuang-investment",
        "fenghuang-investment-per-vehicle",
    ]


def test_sqlite_export_can_be_queried(tmp_path: Path) -> None:
    target = tmp_path / "store.db"
    assert run_cli("facts", "export", "--format", "sqlite", "-o", str(target)).returncode == 0
    with sqlite3.connect(target) as db:
        (quote,) = db.execute("SELECT quote FROM facts WHERE id = 'seres-h1-2022-sales'").fetchone()
        inputs = db.execute(
            "SELECT input FROM derived_inputs WHERE derived = 'seres-capacity-multiple' ORDER BY input"
        ).fetchall()
        robots = db.execute(
            "SELECT fact FROM conflict_facts WHERE conflict = 'liangjiang-robot-counts' ORDER BY fact"
        ).fetchall()
    assert "21,600" in quote
    assert inputs == [("seres-capacity-after",), ("seres-capacity-before",)]
    assert robots == [("liangjiang-robots",), ("seres-smart-factory-robots",)]


def test_json_export_round_trips_every_fact() -> None:
    result = run_cli("facts", "export", "--format", "json")
    document = json.loads(result.stdout)
    store = open_store(ROOT)
    assert {f["id"] for f in document["facts"]} == set(store.facts)
    assert {d["id"]: d["value"] for d in document["derived"]} == store.derived_values


# --- random and mutated YAML only ever produce our own error -----------------------------------

_REAL = (ROOT / FACTS).read_text(encoding="utf-8")


def test_check_passes_on_the_real_project_with_full_coverage() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert "2 sources" in result.stdout and "6 charts" in result.stdout
    # 66: every number, year, date, period and ordinal the two articles state.
    assert "numeric statements covered: 66/66 (100%)" in result.stdout
    assert (
        "seeds/articles/chongqing-auto-2023.txt: 26 numbers: 21 facts, 5 ignored, 0 unread, "
        "0 unaccounted" in result.stdout
    )


def test_coverage_is_never_100_percent_while_a_number_is_unaccounted() -> None:
    from reportgen.facts.verify import Coverage

    assert Coverage(statements=1000, covered=999).percent < 99.5
    assert Coverage(statements=1000, covered=1000).percent == 100.0


def test_check_does_not_import_the_drawing_and_pdf_engines() -> None:
    probe = (
        "import sys; from reportgen.cli import main; code = main(['-q', 'check']); "
        "heavy = sorted(m for m in ('matplotlib', 'weasyprint') if m in sys.modules); "
        "print(heavy); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")


def test_a_broken_file_is_reported_alone_not_under_follow_on_errors(project: Path) -> None:
    _yaml_syntax(project)
    lines = problems_of(project)
    assert len(lines) == 1, "\n".join(lines)
    assert lines[0].startswith(f"{FACTS}:") and "YAML syntax error" in lines[0]


def test_unknown_section_points_at_its_key(project: Path) -> None:
    file = project / "seeds/facts/extra.yaml"
    file.write_text("# notes\nfigures:\n  - id: x\n", encoding="utf-8")
    lines = problems_of(project)
    assert any(
        line.startswith("seeds/facts/extra.yaml:2:1: unknown section 'figures'") for line in lines
    )


def test_unknown_field_with_a_nested_value_points_at_the_key(project: Path) -> None:
    edit(
        project,
        FACTS,
        "    metric: site_area\n    value: 500000",
        "    metric: site_area\n    extras:\n      a: 1\n    value: 500000",
    )
    key_line = line_of(project, FACTS, "    extras:")
    lines = problems_of(project)
    assert any(
        line.startswith(f"{FACTS}:{key_line}:5: unknown field 'extras'") for line in lines
    ), lines


def test_negative_figures_keep_their_sign_but_hyphens_are_not_signs() -> None:
    found = [
        (q.text, q.values)
        for q in find_quantities("a swing of -1.717 billion yuan, −5%, 10-20 units")
    ]
    assert found == [
        ("-1.717 billion yuan", (Decimal("-1717000000"),)),
        ("−5%", (Decimal("-5"),)),
        ("10-20", (Decimal("10"), Decimal("20"))),
    ]


# --- pinning: each fact to the one number its quote states ---------------------------------

CQ = "seeds/facts/chongqing.yaml"


def test_a_quote_cut_inside_a_number_fails(project: Path) -> None:
    edit(
        project,
        FACTS,
        "    value: 700000\n    unit: vehicles/year\n    status: estimated\n"
        "    period: as-of 2022-09\n    source: seres-2022\n    label: SE Project\n"
        '    quote: "this site will achieve an estimated annual production capacity of 700,000 vehicles"',
        "    value: 70\n    unit: vehicles/year\n    status: estimated\n"
        "    period: as-of 2022-09\n    source: seres-2022\n    label: SE Project\n"
        '    quote: "annual production capacity of 70"',
    )
    line = line_of(project, FACTS, "id: se-project-capacity")
    lines = problems_of(project)
    assert (
        f"{FACTS}:{line}:5: fact 'se-project-capacity': the quote starts or stops inside the "
        "number '700,000'; quote it whole" in lines
    ), lines


def test_swapping_two_values_that_share_a_quote_fails(project: Path) -> None:
    edit(project, CQ, "value: 30161000", "value: 30094000X")
    edit(project, CQ, "value: 30094000\n", "value: 30161000\n")
    edit(project, CQ, "value: 30094000X", "value: 30094000")
    line = line_of(project, CQ, "id: china-2023-production")
    lines = problems_of(project)
    assert (
        f"{CQ}:{line}:5: fact 'china-2023-production': value 3.0094e+07 is not stated in its "
        "quote (it states: 30.161 million, 30.094 million)" in lines
    ), lines
    assert any("fact 'china-2023-sales': value 3.0161e+07" in x for x in lines), lines


def test_a_quote_with_several_numbers_needs_states(project: Path) -> None:
    edit(project, CQ, '    states: "30.161 million"\n', "")
    line = line_of(project, CQ, "id: china-2023-production")
    lines = problems_of(project)
    assert (
        f"{CQ}:{line}:5: fact 'china-2023-production': its quote states several numbers "
        '(30.161 million, 30.094 million); say which one the fact states with states: "…"' in lines
    ), lines


def test_states_names_one_of_the_quotes_numbers(project: Path) -> None:
    edit(project, CQ, 'states: "30.161 million"', 'states: "30.16 million"')
    lines = problems_of(project)
    assert any(
        "fact 'china-2023-production': states '30.16 million' is not a number of its quote "
        "(it states: 30.161 million, 30.094 million)" in x
        for x in lines
    ), lines


def _new_article_sentence(project: Path, sentence: str) -> tuple[str, int]:
    """Append ``sentence`` to an article and record its new hash; return file and line."""
    import hashlib

    article = project / "seeds/articles/seres-third-factory-2022.txt"
    old = hashlib.sha256(article.read_bytes()).hexdigest()
    with article.open("a", encoding="utf-8") as stream:
        stream.write("\n" + sentence + "\n")
    new = hashlib.sha256(article.read_bytes()).hexdigest()
    edit(project, "seeds/sources.yaml", old, new)
    lines = article.read_text(encoding="utf-8").splitlines()
    return "seeds/articles/seres-third-factory-2022.txt", len(lines)


@pytest.mark.parametrize(
    ("sentence", "token", "col"),
    [
        ("Revenue rose to 21.4bn yuan.", "'21.4bn yuan' (quantity)", 17),
        ("It sold 350k vehicles.", "'350k' (quantity)", 9),
        ("Losses of 0.6bn-0.9bn are expected.", "'0.6bn-0.9bn' (range)", 11),
        ("Output would more than triple.", "'triple' (multiplier)", 24),
    ],
)
def test_a_figure_news_writes_without_a_fact_fails(
    project: Path, sentence: str, token: str, col: int
) -> None:
    file, line = _new_article_sentence(project, sentence)
    lines = problems_of(project)
    assert any(x.startswith(f"{file}:{line}:{col}: {token} is neither a fact") for x in lines), (
        lines
    )


@pytest.mark.parametrize(("sentence", "token", "col"), [("A 5G link", "5G", 3), ("Plan Ⅲ", "Ⅲ", 6)])
def test_an_unreadable_number_fails_closed(
    project: Path, sentence: str, token: str, col: int
) -> None:
    file, line = _new_article_sentence(project, sentence)
    lines = problems_of(project)
    assert any(
        x.startswith(f"{file}:{line}:{col}: '{token}' looks like a number but could not be read")
        for x in lines
    ), lines


# --- qualifiers, status words and ranges --------------------------------------------------


def _extra_fact(project: Path, body: str) -> None:
    (project / "seeds/facts/extra.yaml").write_text("facts:\n" + body, encoding="utf-8")


_RANGE_FACT = """\
  - id: se-project-output-range
    entity: seres-se-project
    metric: output_range
    low: 180000
    high: 200000
    unit: vehicles
    status: expected
    period: "2023"
    source: seres-2022
    quote: "SERES expects output of between 180,000 and 200,000 vehicles."
"""


def test_a_range_fact_is_stored_checked_and_printed(project: Path) -> None:
    from reportgen.numbers import format_figure

    _new_article_sentence(project, "SERES expects output of between 180,000 and 200,000 vehicles.")
    _extra_fact(project, _RANGE_FACT)
    store, coverage = open_store_with_coverage(project)
    assert coverage.uncovered == []
    figure = store.figure("se-project-output-range")
    assert format_figure(figure) == "between 180,000 and 200,000 vehicles (expected)"


def test_a_range_fact_with_the_wrong_end_fails(project: Path) -> None:
    _new_article_sentence(project, "SERES expects output of between 180,000 and 200,000 vehicles.")
    _extra_fact(project, _RANGE_FACT.replace("high: 200000", "high: 210000"))
    lines = problems_of(project)
    assert any(
        "fact 'se-project-output-range': value 180000, 210000 is not stated in its quote "
        "(it states: 180,000 and 200,000)" in x
        for x in lines
    ), lines


@pytest.mark.parametrize(
    ("sentence", "status", "precision", "message"),
    [
        (
            "The firm expects to sell 50,000 cars.",
            "actual",
            "exact",
            "the quote says 'expects' but status is 'actual' (use status: expected)",
        ),
        (
            "Its forecast is 50,000 cars.",
            "planned",
            "exact",
            "the quote says 'forecast' but status is 'planned' (use status: expected)",
        ),
        (
            "It will make up to 50,000 cars.",
            "actual",
            "exact",
            "with a qualifier ('up to') but precision is 'exact'",
        ),
        (
            "It made almost 50,000 cars.",
            "actual",
            "nearly",
            "with a qualifier ('almost') but precision is 'nearly'",
        ),
    ],
)
def test_status_and_qualifier_words_in_the_quote_must_be_the_facts(
    project: Path, sentence: str, status: str, precision: str, message: str
) -> None:
    _new_article_sentence(project, sentence)
    _extra_fact(
        project,
        "  - id: extra-cars\n    entity: seres\n    metric: cars_extra\n    value: 50000\n"
        f"    unit: vehicles\n    status: {status}\n    precision: {precision}\n"
        f'    period: "2023"\n    source: seres-2022\n    quote: "{sentence}"\n',
    )
    lines = problems_of(project)
    assert any(
        x.startswith("seeds/facts/extra.yaml:2:5: fact 'extra-cars': ") and message in x
        for x in lines
    ), lines


def test_a_project_declares_its_own_units(project: Path) -> None:
    edit(
        project,
        "seeds/units.yaml",
        "  robots: {",
        "  drones: {singular: drone, plural: drones}\n  robots: {",
    )
    edit(project, FACTS, "unit: robots", "unit: drones")
    edit(project, CQ, "unit: robots", "unit: drones")
    open_store(project)
    edit(project, "seeds/units.yaml", "  drones: {singular: drone, plural: drones}\n", "")
    lines = problems_of(project)
    assert any("unknown unit 'drones'" in x for x in lines), lines


def test_any_iso_currency_is_a_unit_with_its_sign_from_babel() -> None:
    from reportgen.units import UNITS

    assert UNITS["EUR"].symbol == "€" and UNITS["GBP"].symbol == "£"
    assert UNITS["CNY"].symbol == "¥" and UNITS["USD"].symbol == "$"
    assert "XYZ" not in UNITS


def test_a_formula_refuses_a_range_fact(project: Path) -> None:
    _new_article_sentence(project, "SERES expects output of between 180,000 and 200,000 vehicles.")
    _extra_fact(project, _RANGE_FACT)
    with (project / "seeds/facts/extra.yaml").open("a", encoding="utf-8") as stream:
        stream.write(
            "derived:\n  - id: range-twice\n    label: Twice the range\n"
            '    formula: "{se-project-output-range} * 2"\n    unit: vehicles\n'
        )
    lines = problems_of(project)
    assert any(
        "derived 'range-twice': 'se-project-output-range' is a range (low, high)" in x
        for x in lines
    ), lines
