"""Fuzzing: generated and mutated fact files and chart specs, and the number parser.

Whatever an analyst (or an attacker) writes, loading the store and checking the
charts ends in a result or a ReportError with a location, never another exception.
The default run tries a few hundred inputs of each kind; ``make fuzz`` (``-m slow``)
tries more than 10,000 in all.

The number parser that checks quotes (reportgen.facts.quantities) must read back
what the formatter (reportgen.numbers) writes: value, qualifier and currency, across
scales, separators and decimals.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reportgen.errors import Problems, ReportError
from reportgen.facts import Figure, open_store, open_store_with_coverage
from reportgen.facts.quantities import PRECISION_WORDS, find_quantities
from reportgen.numbers import format_figure, format_number
from tests.conftest import copy_project

REPO = Path(__file__).resolve().parents[1]
SEED_FACTS = REPO / "seeds" / "facts"
SPECS = REPO / "charts"

DEFAULT = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# 4 fact-file tests and 2 chart-spec tests at 2,000 examples each: 12,000 inputs.
SLOW = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch copy of the real project; each example rewrites one file in it."""
    return copy_project(tmp_path_factory.mktemp("fuzz"))


# --- what an analyst might write ------------------------------------------------------------

_HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "no",
        "yes",
        "on",
        "~",
        "null",
        "010",
        "0x1F",
        "1e400",
        "-0",
        ".inf",
        ".nan",
        "2022-09-01",
        "12:30:00",
        "!!python/object:os.system",
        "&a",
        "*a",
        "<<",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "#",
        "|",
        ">-",
        "%",
        "@",
        "`",
        "\u202e",
        "\x00",
        "\x85",
        "\ufeff",
        "é",
        "１０",
        "{se-project-area}",
        "{{ 7*7 }}",
        "<script>",
        "../../etc/passwd",
        "x" * 5000,
    ]
)
_SCALAR = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=40),
    _HOSTILE_TEXT,
)
_FIELDS = [
    "id",
    "entity",
    "metric",
    "value",
    "unit",
    "precision",
    "status",
    "period",
    "source",
    "quote",
    "label",
    "equivalent_of",
    "note",
    "formula",
    "decimals",
    "caveats",
    "kind",
    "facts",
    "summary",
    "text",
    "reason",
    "name",
    "aliases",
    "relations",
    "bogus",
]
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_FIELDS), inner, max_size=5),
    ),
    max_leaves=12,
)
_REAL = {
    "id": st.sampled_from(["se-project-area", "a1", "new-fact", "seres", "Bad_Id", "x"]),
    "entity": st.sampled_from(["seres", "chongqing", "ghost", "seres-se-project"]),
    "metric": st.sampled_from(["site_area", "annual_capacity", "Bad Metric"]),
    "value": st.one_of(st.integers(-5, 10**12), st.floats(allow_nan=True, allow_infinity=True)),
    "unit": st.sampled_from(["m2", "vehicles/year", "CNY", "USD", "percent", "parsecs"]),
    "precision": st.sampled_from(["exact", "about", "nearly", "over", "roughly"]),
    "status": st.sampled_from(["actual", "estimated", "planned", "rumoured"]),
    "period": st.sampled_from(["2023", "as-of 2022-09", "2022-02-30", "2022-H3", "by 2027"]),
    "source": st.sampled_from(["seres-2022", "chongqing-2024", "ghost-source"]),
    "quote": st.sampled_from(
        [
            "spanning about 700,000 square meters in the southwestern city of Chongqing",
            "a total investment of 4 billion yuan",
            "not in the article",
            "nearly five million",
        ]
    ),
    "formula": st.sampled_from(
        [
            "{se-project-area} / 2",
            "{a1} + {a1}",
            "1 / 0",
            "{se-project-area} ** 99",
            "__import__('os')",
            "{",
            "{ghost}",
            "({se-project-area} - 700000) ** -1",
        ]
    ),
}


def _record() -> st.SearchStrategy[dict[str, object]]:
    field_value = st.one_of(*(st.tuples(st.just(k), v) for k, v in _REAL.items()))
    return st.lists(
        st.one_of(field_value, st.tuples(st.sampled_from(_FIELDS), _VALUE)), max_size=10
    ).map(dict)


def _fact_file() -> st.SearchStrategy[str]:
    import yaml

    document = st.dictionaries(
        st.sampled_from(["facts", "derived", "entities", "conflicts", "ignore", "factz"]),
        st.one_of(st.lists(_record(), max_size=4), _VALUE),
        max_size=3,
    )
    return document.map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False))


def _mutated(text: str) -> st.SearchStrategy[str]:
    """The text with a few edits a tired analyst (or a fuzzer) would make."""
    lines = text.splitlines(keepends=True)

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        out = list(lines)
        for _ in range(draw(st.integers(1, 4))):
            if not out:
                break
            i = draw(st.integers(0, len(out) - 1))
            action = draw(st.sampled_from(["delete", "dup", "swap", "insert", "chars", "indent"]))
            if action == "delete":
                del out[i]
            elif action == "dup":
                out.insert(i, out[i])
            elif action == "swap":
                j = draw(st.integers(0, len(out) - 1))
                out[i], out[j] = out[j], out[i]
            elif action == "insert":
                out.insert(i, draw(_HOSTILE_TEXT) + "\n")
            elif action == "indent":
                out[i] = draw(st.sampled_from(["  ", "\t", " "])) + out[i]
            else:
                line = out[i]
                k = draw(st.integers(0, len(line)))
                out[i] = line[:k] + draw(_HOSTILE_TEXT) + line[k + draw(st.integers(0, 3)) :]
        return "".join(out)

    return mutate()


def _load(project: Path, relpath: str, text: str) -> None:
    """Write ``text`` into the project, load the store; only ReportError may escape."""
    target = project / relpath
    original = (REPO / relpath).read_bytes() if (REPO / relpath).exists() else None
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        open_store_with_coverage(project)
    except ReportError as exc:
        assert exc.lines(), "a ReportError without a message"
        for line in exc.lines():
            assert "\n" not in line and len(line) < 5000, line[:200]
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)


def _check_charts(project: Path, relpath: str, text: str) -> None:
    from reportgen.charts import check_charts

    store = _store(project)
    target = project / relpath
    original = (REPO / relpath).read_bytes()
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        problems = Problems()
        check_charts(store, project.resolve(), problems)
        for problem in problems:
            assert problem.lines() and all("\n" not in line for line in problem.lines())
    except ReportError:
        pass
    finally:
        target.write_bytes(original)


_STORES: dict[Path, object] = {}


def _store(project: Path) -> object:
    if project not in _STORES:
        _STORES[project] = open_store(project)
    return _STORES[project]


_SERES = (SEED_FACTS / "seres.yaml").read_text(encoding="utf-8")
_DERIVED = (SEED_FACTS / "derived.yaml").read_text(encoding="utf-8")
_SPEC_NAMES = sorted(p.name for p in SPECS.glob("*.yaml"))
_SPECS = {name: (SPECS / name).read_text(encoding="utf-8") for name in _SPEC_NAMES}


def _spec_mutation() -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from(_SPEC_NAMES).flatmap(
        lambda name: st.tuples(st.just(name), _mutated(_SPECS[name]))
    )


def _spec_generated() -> st.SearchStrategy[tuple[str, str]]:
    import yaml

    spec = st.dictionaries(
        st.sampled_from(
            [
                "id",
                "order",
                "kind",
                "title",
                "subtitle",
                "rows",
                "bars",
                "series",
                "caption",
                "note",
                "part",
                "whole",
                "segments",
                "total",
                "bogus",
            ]
        ),
        _VALUE,
        max_size=8,
    )
    return st.tuples(
        st.sampled_from(_SPEC_NAMES), spec.map(lambda d: yaml.safe_dump(d, allow_unicode=True))
    )


# --- the default run: a few hundred of each ---------------------------------------------------


@DEFAULT
@given(text=_fact_file())
def test_generated_fact_files_fail_only_with_report_errors(project: Path, text: str) -> None:
    _load(project, "seeds/facts/zz-fuzz.yaml", text)


@DEFAULT
@given(text=_mutated(_SERES))
def test_mutated_fact_files_fail_only_with_report_errors(project: Path, text: str) -> None:
    _load(project, "seeds/facts/seres.yaml", text)


@DEFAULT
@given(case=_spec_mutation())
def test_mutated_chart_specs_fail_only_with_report_errors(
    project: Path, case: tuple[str, str]
) -> None:
    _check_charts(project, f"charts/{case[0]}", case[1])


# --- make fuzz: more than 10,000 inputs -----------------------------------------------------


@pytest.mark.slow
@SLOW
@given(text=_fact_file())
def test_slow_generated_fact_files(project: Path, text: str) -> None:
    _load(project, "seeds/facts/zz-fuzz.yaml", text)


@pytest.mark.slow
@SLOW
@given(text=_mutated(_SERES))
def test_slow_mutated_fact_files(project: Path, text: str) -> None:
    _load(project, "seeds/facts/seres.yaml", text)


@pytest.mark.slow
@SLOW
@given(text=_mutated(_DERIVED))
def test_slow_mutated_derived_metrics(project: Path, text: str) -> None:
    _load(project, "seeds/facts/derived.yaml", text)


@pytest.mark.slow
@SLOW
@given(text=st.binary(max_size=400).map(lambda b: b.decode("utf-8", "replace")))
def test_slow_noise_fact_files(project: Path, text: str) -> None:
    _load(project, "seeds/facts/zz-fuzz.yaml", text)


@pytest.mark.slow
@SLOW
@given(case=_spec_mutation())
def test_slow_mutated_chart_specs(project: Path, case: tuple[str, str]) -> None:
    _check_charts(project, f"charts/{case[0]}", case[1])


@pytest.mark.slow
@SLOW
@given(case=_spec_generated())
def test_slow_generated_chart_specs(project: Path, case: tuple[str, str]) -> None:
    _check_charts(project, f"charts/{case[0]}", case[1])


# --- the number parser reads back what the formatter writes ------------------------------------

_QUALIFIERS = ["exact", "about", "nearly", "more_than", "over", "at_least"]


def _figure(value: float, unit: str, precision: str, decimals: int | None = None) -> Figure:
    return Figure(
        id="f",
        kind="fact",
        value=value,
        unit=unit,
        precision=precision,  # type: ignore[arg-type]
        status="actual",
        label="x",
        period="2023",
        entity=None,
        metric=None,
        sources=("s",),
        decimals=decimals,
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    value=st.one_of(
        st.integers(min_value=0, max_value=10**15),
        st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False),
    )
)
def test_format_number_parses_back_to_the_same_value(value: int | Decimal) -> None:
    number = float(value)
    assume(Decimal(repr(number)) == Decimal(value))
    text = format_number(number)
    found = [q for q in find_quantities(text) if q.value is not None]
    assert len(found) == 1, (text, found)
    assert found[0].value == Decimal(value), text


_SCALED = st.tuples(
    st.integers(min_value=1, max_value=999_999),  # digits, three of them after the point
    st.sampled_from([1, 10**6, 10**9, 10**12]),
).map(lambda t: Decimal(t[0]) / 1000 * t[1] if t[1] > 1 else Decimal(t[0]))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    value=_SCALED,
    unit=st.sampled_from(["vehicles", "vehicles/year", "robots", "CNY", "USD", "m2", "percent"]),
    precision=st.sampled_from(_QUALIFIERS),
)
def test_formatted_figure_parses_back_with_value_qualifier_and_currency(
    value: Decimal, unit: str, precision: str
) -> None:
    number = float(value)
    assume(Decimal(repr(number)) == value.normalize() or Decimal(repr(number)) == value)
    fig = _figure(number, unit, precision)
    text = format_figure(fig, "text")
    found = [q for q in find_quantities(text) if q.value is not None and q.kind == "quantity"]
    assert found, text
    stated = found[0]
    assert stated.value == value, (text, stated)
    expected_precision = None if precision == "exact" else precision
    assert stated.precision == expected_precision, (text, stated)
    if unit in ("CNY", "USD"):
        assert unit in stated.currencies, (text, stated)
    if unit == "percent":
        assert stated.unit_hint == "percent", (text, stated)


def test_every_qualifier_the_formatter_writes_is_one_the_parser_reads() -> None:
    for precision in _QUALIFIERS[1:]:
        text = format_figure(_figure(150000, "vehicles", precision), "text")
        words = text.split(" 150,000")[0]
        assert PRECISION_WORDS.get(words) == precision, text
