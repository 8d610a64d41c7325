"""Chart builders: specs, validation, drawing, cache, determinism, alt text, PDF rendering."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import pytest
from pydantic import Field

from reportgen.charts import KINDS, ChartsResult, build_charts, check_charts, style
from reportgen.charts.kind import Box, ChartKind
from reportgen.charts.resolve import MarkGroup, Resolved, mark_group
from reportgen.charts.spec import ChartSpec, Point
from reportgen.errors import Problems, ReportError, ReportErrors
from reportgen.facts import open_store
from reportgen.facts.derive import derive
from reportgen.facts.model import Derived, Fact, PublicationDate, Source
from reportgen.facts.store import Store
from reportgen.numbers import format_figure
from tests.conftest import REPO, copy_project, run_reportgen

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

SVG = "{http://www.w3.org/2000/svg}"

FACTS = [
    # id, value, unit, precision, status, period, label
    ("alpha-output", 150_000, "vehicles/year", "about", "actual", "as-of 2022-09", "Alpha"),
    ("beta-capacity", 150_000, "vehicles/year", "exact", "planned", "as-of 2022-09", "Beta"),
    ("gamma-capacity", 700_000, "vehicles/year", "exact", "estimated", "as-of 2022-09", "Gamma"),
    ("tiny-capacity", 9_000, "vehicles/year", "exact", "planned", "as-of 2022-09", "Tiny"),
    ("income-2022", 12_416_000_000, "CNY", "exact", "actual", "2022-H1", "H1 2022"),
    ("income-growth", 68.14, "percent", "exact", "actual", "2022-H1", None),
    ("sales-2022", 21_600, "vehicles", "exact", "actual", "2022-H1", "H1 2022"),
    ("country-output", 30_161_000, "vehicles", "exact", "actual", "2023", "Country"),
    ("city-output", 2_300_000, "vehicles", "exact", "expected", "2023", "City"),
    ("nev-2023", 500_000, "vehicles", "exact", "expected", "2023", None),
    ("target-2025", 1_500_000, "vehicles/year", "more_than", "target", "by 2025", "2025 target"),
    ("target-2027", 2_000_000, "vehicles/year", "more_than", "target", "by 2027", "2027 target"),
]
DERIVED = [
    ("total-capacity", "{alpha-output} + {beta-capacity} + {gamma-capacity}", "vehicles/year", 0),
    ("income-2021", "{income-2022} / (1 + {income-growth} / 100)", "CNY", 0),
    ("city-share", "{city-output} / {country-output} * 100", "percent", 1),
]
SPECS = {
    "bars.yaml": """
        id: bars
        order: 2
        kind: bar
        title: Capacity by plant
        bars:
          - {label: Delta, absent: not stated in the source}
          - alpha-output
          - {id: beta-capacity, tag: recently opened}
          - gamma-capacity
    """,
    "grouped.yaml": """
        id: grouped
        order: 3
        kind: grouped_bar
        title: Income against the year before
        groups:
          - label: Operating income
            bars:
              - {id: income-2021, label: Implied by growth, look: implied}
              - income-2022
            change: income-growth
          - label: Vehicle sales
            bars: [sales-2022]
    """,
    "stacked.yaml": """
        id: stacked
        order: 1
        kind: stacked_bar
        title: Capacity, before and after
        caption: "All plants together: {total-capacity}."
        rows:
          - label: Before
            segments: [alpha-output, beta-capacity]
          - label: After
            segments: [alpha-output, beta-capacity, {id: gamma-capacity, tag: building}]
            total: total-capacity
    """,
    "share.yaml": """
        id: share
        order: 4
        kind: share
        title: The city in the country's output
        rows:
          - label: City's share
            part: city-output
            whole: country-output
            share: city-share
    """,
    "line.yaml": """
        id: line
        order: 5
        kind: line
        title: Output and targets
        note: The targets count a narrower kind of vehicle.
        series:
          - label: City NEV output
            points: [nev-2023, target-2025, target-2027]
    """,
}


def make_store(root: Path) -> Store:
    from reportgen.units import use_project_units

    use_project_units(Path(__file__).resolve().parents[1])  # the repository's units
    store = Store(root=root)
    store.sources["src"] = Source(
        id="src",
        title="A Test Article",
        publisher=None,
        published=PublicationDate(date="2022-09", precision="month", basis="stated"),
        language="en",
        file="seeds/articles/src.txt",
        sha256="0" * 64,
    )
    for fid, value, unit, precision, status, period, label in FACTS:
        store.facts[fid] = Fact(
            id=fid, entity="thing", metric="m", value=value, unit=unit, precision=precision,
            status=status, period=period, source="src", quote="quoted", label=label,
        )  # fmt: skip
    for did, formula, unit, decimals in DERIVED:
        store.derived[did] = Derived(
            id=did, label=did.replace("-", " "), formula=formula, unit=unit, decimals=decimals
        )
    problems = Problems()
    derive(store, problems)
    assert not problems
    return store


def write_specs(project: Path, specs: dict[str, str]) -> None:
    folder = project / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in specs.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_specs(root, SPECS)
    return root


@pytest.fixture
def built(project: Path, tmp_path: Path) -> ChartsResult:
    return build_charts(make_store(project), project, tmp_path / "out" / "charts")


def problems_for(project: Path, specs: dict[str, str]) -> list[str]:
    shutil.rmtree(project / "charts")
    write_specs(project, specs)
    problems = Problems()
    check_charts(make_store(project), project, problems)
    return [str(p) for p in problems]


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# --- drawing ----------------------------------------------------------------------------


def test_every_kind_renders_in_order_with_its_labelled_values(
    built: ChartsResult, project: Path
) -> None:
    assert [c.id for c in built.charts] == ["stacked", "bars", "grouped", "share", "line"]
    assert [c.number for c in built.charts] == [1, 2, 3, 4, 5]
    assert {c.kind for c in built.charts} == set(KINDS)
    store = make_store(project)
    for chart in built.charts:
        shown = " | ".join(texts(chart.svg))
        for figure_id in chart.figures:
            assert format_figure(store.figure(figure_id), "short") in shown, (chart.id, figure_id)
    by_id = {c.id: texts(c.svg) for c in built.charts}
    # Qualifiers and statuses stay on the labels; plans and targets say so.
    assert "~150k" in by_id["bars"] and "~150k" in by_id["stacked"]
    assert any(t.endswith(" planned · recently opened") for t in by_id["bars"])
    assert any(t.endswith(" estimated") for t in by_id["bars"])
    assert "not stated in the source" in by_id["bars"]
    assert "Total ~1m planned" in by_id["stacked"]
    assert "Gamma · building" in by_id["stacked"]
    assert {"¥12.416bn", "+68.14%"} <= set(by_id["grouped"])
    assert "¥7.384bn implied" in by_id["grouped"]
    assert any(t.endswith("= 7.6%") for t in by_id["share"])
    assert {"1.5m+ target", "2m+ target"} <= set(by_id["line"])


def test_svg_is_inlinable_text_in_inter_and_scales_to_the_column(built: ChartsResult) -> None:
    ids: list[str] = []
    for chart in built.charts:
        assert chart.svg.startswith("<svg") and "<?xml" not in chart.svg
        root = ET.fromstring(chart.svg)
        assert root.get("width") == "100%" and root.get("height") is None
        assert root.get("viewBox") and root.get("role") == "img"
        # The PDF lays a chart out by this size before it is drawn: it must be exact.
        width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
        assert chart.size_pt == pytest.approx((width, height), abs=1e-4)
        assert root.get("aria-label") == chart.alt
        assert "<metadata" not in chart.svg and "<style" not in chart.svg
        styles = [t.get("style", "") for t in root.iter(f"{SVG}text")]
        assert styles and all("font-family: 'Inter'" in s for s in styles)
        # Only the faces the briefing embeds: regular, italic and semibold.
        assert set(re.findall(r"font-weight: (\d+)", chart.svg)) <= {"600"}
        assert not list(root.iter(f"{SVG}pattern")), "hatches must be plain paths"
        own = re.findall(r'\sid="([^"]+)"', chart.svg)
        assert all(i.startswith(f"chart-{chart.id}-") for i in own)
        for ref in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', chart.svg):
            assert (ref[0] or ref[1]) in own
        ids += own
        file_root = ET.fromstring(chart.svg_path.read_bytes())
        assert file_root.get("width", "").endswith("pt")
    assert len(ids) == len(set(ids)), "ids collide when the charts share one page"


def test_png_is_twice_the_css_size(built: ChartsResult) -> None:
    png = built.charts[0].png_path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(170 / 25.4 * 192)


def test_alt_text_names_every_point_with_qualifier_and_unit(
    built: ChartsResult, project: Path
) -> None:
    store = make_store(project)
    for chart in built.charts:
        for figure_id in chart.figures:
            assert format_figure(store.figure(figure_id), "text") in chart.alt, figure_id
    bars = next(c for c in built.charts if c.id == "bars")
    assert "about 150,000 vehicles a year" in bars.alt
    assert "150,000 vehicles a year (planned)" in bars.alt
    assert "Delta: no figure (not stated in the source)" in bars.alt
    line = next(c for c in built.charts if c.id == "line")
    assert "2025: more than 1.5 million vehicles a year (target)" in line.alt


def test_source_line_caption_and_note(built: ChartsResult) -> None:
    stacked = built.charts[0]
    assert stacked.source_line.startswith("Source: “A Test Article”, September 2022.")
    assert "calculated from the source's figures" in stacked.source_line
    assert stacked.caption == "All plants together: about 1 million vehicles a year (planned)."
    line = next(c for c in built.charts if c.id == "line")
    assert "calculated" not in line.source_line  # no derived figure on it
    assert line.note == "The targets count a narrower kind of vehicle."


def test_thin_segments_and_several_series_keep_their_labels(project: Path, tmp_path: Path) -> None:
    write_specs(
        project,
        {
            "stacked.yaml": SPECS["stacked.yaml"]
            .replace(
                "segments: [alpha-output, beta-capacity, {id",
                "segments: [alpha-output, tiny-capacity, beta-capacity, {id",
            )
            .replace("total: total-capacity\n", ""),
            "line.yaml": textwrap.dedent(SPECS["line.yaml"])
            + "  - label: City output\n    points: [city-output, target-2025]\n",
        },
    )
    result = build_charts(make_store(project), project, tmp_path / "out")
    stacked = texts(next(c for c in result.charts if c.id == "stacked").svg)
    # Too thin to hold its value, the segment names it beside the column instead.
    assert "Tiny: 9,000 planned" in stacked and "9,000 planned" not in stacked
    line = texts(next(c for c in result.charts if c.id == "line").svg)
    assert {"City NEV output", "City output"} <= set(line)


def test_two_builds_give_identical_bytes(project: Path, tmp_path: Path) -> None:
    store = make_store(project)
    first = build_charts(store, project, tmp_path / "a")
    shutil.rmtree(project / ".cache")
    second = build_charts(store, project, tmp_path / "b")
    assert second.to_draw == len(second.charts)
    for one, two in zip(first.charts, second.charts, strict=True):
        assert one.svg_path.read_bytes() == two.svg_path.read_bytes()
        assert one.png_path.read_bytes() == two.png_path.read_bytes()
        assert one.svg == two.svg


# --- cache -------------------------------------------------------------------------------


def test_cache_redraws_only_what_changed(project: Path, tmp_path: Path) -> None:
    store = make_store(project)
    first = build_charts(store, project, tmp_path / "out")
    assert (first.to_draw, first.cached) == (5, 0)
    again = build_charts(store, project, tmp_path / "out")
    assert (again.to_draw, again.cached) == (0, 5)
    assert [c.svg for c in again.charts] == [c.svg for c in first.charts]

    spec = project / "charts" / "line.yaml"
    spec.write_text(spec.read_text().replace("Output and targets", "Output, targets"))
    assert build_charts(store, project, tmp_path / "out").to_draw == 1

    changed = make_store(project)
    changed.facts["income-growth"] = changed.facts["income-growth"].model_copy(
        update={"value": 70.0}
    )
    derive(changed, Problems())
    result = build_charts(changed, project, tmp_path / "out")
    assert (result.to_draw, result.cached) == (1, 4)  # only the grouped chart reads it
    grouped = next(c for c in result.charts if c.id == "grouped")
    assert "+70%" in texts(grouped.svg)
    assert "+70%" in texts(grouped.svg_narrow)
    # One entry kept: the inline, file and phone SVGs and the PNG of the new key.
    assert len(list((project / ".cache" / "charts").glob("grouped.*"))) == 4


def test_cache_hit_does_not_import_matplotlib(project: Path, tmp_path: Path) -> None:
    build_charts(make_store(project), project, tmp_path / "out")
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from tests.test_charts import make_store
        from reportgen.charts import build_charts
        project = Path({str(project)!r})
        result = build_charts(make_store(project), project, Path({str(tmp_path / "o2")!r}))
        assert result.cached == 5, result
        print("matplotlib" in sys.modules)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


# --- spec errors -------------------------------------------------------------------------


def test_missing_fact_is_reported_at_its_line(project: Path) -> None:
    spec = SPECS["bars.yaml"].replace("- alpha-output", "- alpha-outptu")
    found = problems_for(project, {"bars.yaml": spec})
    assert found == ["charts/bars.yaml:7:5: chart 'bars': no fact or derived metric 'alpha-outptu'"]


def test_unknown_kind_lists_the_valid_kinds(project: Path) -> None:
    found = problems_for(project, {"pie.yaml": "id: pie\nkind: pie\ntitle: Pie\n"})
    assert found == [
        "charts/pie.yaml:2:7: unknown chart kind ('pie'); "
        "valid kinds: bar, grouped_bar, line, share, stacked_bar"
    ]


def test_wrong_field_and_literal_number_are_located(project: Path) -> None:
    spec = SPECS["line.yaml"].replace("note:", "notes:")
    spec = spec.replace("title: Output and targets", "title: Output to reach 1.5 million")
    found = problems_for(project, {"line.yaml": spec})
    assert found == ["charts/line.yaml:5:1: unknown field 'notes' in a line chart"]
    found = problems_for(
        project,
        {
            "line.yaml": SPECS["line.yaml"].replace(
                "title: Output and targets", "title: Output to reach 1.5 million"
            )
        },
    )
    assert len(found) == 1 and found[0].startswith("charts/line.yaml:4:8: chart 'line': title:")
    assert "typed number '1.5 million'" in found[0]
    words = SPECS["bars.yaml"].replace("tag: recently opened", "tag: nearly ten billion")
    assert problems_for(project, {"bars.yaml": words}) == [
        "charts/bars.yaml:8:30: chart 'bars': tag: typed number 'ten billion'; "
        "quote figures as {fact-id} or {fact-id:short}, a figure's year or period as "
        "{fact-id:year} or {fact-id:period}"
    ]


def test_inconsistent_data_is_reported(project: Path) -> None:
    stacked = SPECS["stacked.yaml"].replace(
        "segments: [alpha-output, beta-capacity, {id: gamma-capacity, tag: building}]",
        "segments: [alpha-output, beta-capacity]",
    )
    mixed = SPECS["bars.yaml"].replace("- gamma-capacity", "- sales-2022")
    hidden = SPECS["share.yaml"].replace(
        "part: city-output", "part: {id: city-output, look: actual}"
    )
    found = problems_for(
        project, {"stacked.yaml": stacked, "bars.yaml": mixed, "share.yaml": hidden}
    )
    assert found == [
        "charts/stacked.yaml:11:12: chart 'stacked': total 'total-capacity' (~1m planned) "
        "is not the sum of the segments",
        "charts/bars.yaml:6:3: chart 'bars': figures in units vehicles, vehicles/year "
        "cannot share an axis",
        "charts/share.yaml:7:11: chart 'share': look 'actual' would hide that 'city-output' "
        "is expected",
    ]


def test_markup_in_spec_text_stays_text(project: Path, tmp_path: Path) -> None:
    spec = (
        SPECS["bars.yaml"]
        .replace("title: Capacity by plant", 'title: \'<script>alert("x")</script> & "plants"\'')
        .replace("tag: recently opened", "tag: '</text><svg onload=x>'")
    )
    write_specs(project, {"bars.yaml": spec})
    result = build_charts(make_store(project), project, tmp_path / "out")
    chart = next(c for c in result.charts if c.id == "bars")
    assert "<script" not in chart.svg and "<svg onload" not in chart.svg
    root = ET.fromstring(chart.svg)  # still well-formed
    assert root.get("aria-label", "").startswith(
        'Bar chart: <script>alert("x")</script> & "plants"'
    )
    assert any(t.endswith("</text><svg onload=x>") for t in texts(chart.svg))


def test_dollar_signs_in_labels_print_as_text_not_math(project: Path, tmp_path: Path) -> None:
    spec = (
        SPECS["bars.yaml"]
        .replace("label: Delta", "label: '$\\frac{a}{$'")
        .replace("tag: recently opened", "tag: '$bn in, $bn out'")
    )
    write_specs(project, {"bars.yaml": spec})
    store = make_store(project)
    alpha = store.facts["alpha-output"]
    store.facts[alpha.id] = alpha.model_copy(update={"label": "$5bn to $3bn"})
    result = build_charts(store, project, tmp_path / "out")
    chart = next(c for c in result.charts if c.id == "bars")
    shown = texts(chart.svg)
    assert "$5bn to $3bn" in shown, shown
    assert "$\\frac{a}{$" in shown
    assert any(t.endswith("$bn in, $bn out") for t in shown)
    assert (tmp_path / "out" / "bars.png").stat().st_size > 0


def test_build_raises_every_problem(project: Path, tmp_path: Path) -> None:
    write_specs(project, {"broken.yaml": "id: broken\nkind: bar\ntitle: T\nbars: [nope]\n"})
    with pytest.raises(ReportErrors) as caught:
        build_charts(make_store(project), project, tmp_path / "out")
    assert "charts/broken.yaml:4:8: chart 'broken': no fact or derived metric 'nope'" in str(
        caught.value
    )


def test_reportgen_check_reports_every_spec_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "charts" / "pie.yaml").write_text("id: pie\nkind: pie\ntitle: Pie\n")
    spec = project / "charts" / "seres-capacity.yaml"
    spec.write_text(spec.read_text().replace("total: seres-capacity-after", "total: capacity"))
    done = run_reportgen(["check", "--project", str(project)])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert (
        "charts/pie.yaml:2:7: unknown chart kind ('pie'); "
        "valid kinds: bar, grouped_bar, line, share, stacked_bar"
    ) in lines
    assert any(
        re.fullmatch(
            r"charts/seres-capacity\.yaml:\d+:\d+: chart 'seres-capacity': "
            r"no fact or derived metric 'capacity'",
            line,
        )
        for line in lines
    ), lines


def test_unwritable_output_is_a_located_error(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the charts folder should be")
    with pytest.raises(ReportError, match="cannot write the chart files") as caught:
        build_charts(make_store(project), project, blocker / "charts")
    assert caught.value.location is not None and "out" in caught.value.location.path


def test_check_does_not_import_matplotlib() -> None:
    code = textwrap.dedent("""
        import sys
        from pathlib import Path
        from reportgen.charts import check_charts
        from reportgen.errors import Problems
        from reportgen.facts import open_store
        problems = Problems()
        specs = check_charts(open_store(Path('.')), Path('.').resolve(), problems)
        assert specs and not problems, list(problems)
        print("matplotlib" in sys.modules)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


# --- the registry of kinds -----------------------------------------------------------------


class DotChart(ChartSpec):
    """A kind the product does not have: one dot per figure along a value axis."""

    kind: Literal["dot"]
    dots: Annotated[list[Point], Field(min_length=1, max_length=8)]


class DotKind(ChartKind[DotChart]):
    model = DotChart
    noun = "Dot plot"
    groups_key = "dots"

    def groups(self, spec: DotChart, store: Store) -> list[MarkGroup]:
        return [mark_group(store, "", spec.dots)]

    def height_in(self, chart: Resolved, narrow: bool) -> float:
        return 1.5

    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        marks = chart.groups[0].marks
        ax = style.place_axes(fig, style.Margins(), box)
        ax.set_xlim(0, max(m.value for m in marks) * 1.3)
        ax.set_ylim(-1, len(marks))
        for y, mark in enumerate(marks):
            ax.plot([mark.value], [y], marker="o")
            ax.annotate(f"{mark.label}: {mark.short}", (mark.value, y))


DOTS = """
    id: dots
    kind: dot
    title: Capacity as dots
    dots: [alpha-output, {id: gamma-capacity, label: The big plant}]
"""


def test_a_new_kind_is_one_registry_line_away_from_being_drawn(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(KINDS, "dot", DotKind())  # the one line a new kind adds
    shutil.rmtree(project / "charts")
    write_specs(project, {"dots.yaml": DOTS})
    result = build_charts(make_store(project), project, tmp_path / "out")
    (chart,) = result.charts
    assert chart.kind == "dot"
    assert {"Alpha: ~150k", "The big plant: 700k estimated"} <= set(texts(chart.svg))
    assert chart.alt.startswith("Dot plot: Capacity as dots. Alpha: about 150,000 vehicles a")
    assert chart.size_pt == pytest.approx((170 / 25.4 * 72, 1.5 * 72))
    assert chart.png_path.read_bytes()[:4] == b"\x89PNG"
    # Checked like every kind: figures located in the spec, units on one axis, its fields.
    wrong = DOTS.replace("alpha-output", "alpha-outptu")
    assert problems_for(project, {"dots.yaml": wrong}) == [
        "charts/dots.yaml:4:8: chart 'dots': no fact or derived metric 'alpha-outptu'"
    ]
    mixed = DOTS.replace("gamma-capacity", "sales-2022")
    assert problems_for(project, {"dots.yaml": mixed}) == [
        "charts/dots.yaml:4:7: chart 'dots': figures in units vehicles, vehicles/year "
        "cannot share an axis"
    ]
    extra = DOTS + "    bars: [alpha-output]\n"
    assert problems_for(project, {"dots.yaml": extra}) == [
        "charts/dots.yaml:5:1: unknown field 'bars' in a dot chart"
    ]
    pie = problems_for(project, {"pie.yaml": "id: pie\nkind: pie\ntitle: Pie\n"})
    assert pie[0].endswith("valid kinds: bar, dot, grouped_bar, line, share, stacked_bar")


# --- the briefing's own charts -------------------------------------------------------------


def test_briefing_charts_check_cleanly_and_cover_the_kinds() -> None:
    problems = Problems()
    specs = check_charts(open_store(REPO), REPO, problems)
    assert not list(problems)
    assert [s.id for s in specs] == [
        "seres-capacity",
        "investment-per-vehicle",
        "seres-h1-2022",
        "seres-sales-vs-capacity",
        "chongqing-share",
        "chongqing-nev-path",
    ]
    assert {s.kind for s in specs} == set(KINDS)


def test_charts_command_is_deterministic_across_processes(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    first = run_reportgen(["charts", "--project", str(project), "--out", str(tmp_path / "a")])
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("charts: 6 drawn, 0 from cache -> ")
    again = run_reportgen(["charts", "--project", str(project), "--out", str(tmp_path / "a")])
    assert again.stdout.startswith("charts: 0 drawn, 6 from cache -> ")
    shutil.rmtree(project / ".cache")
    second = run_reportgen(["charts", "--project", str(project), "--out", str(tmp_path / "b")])
    assert second.returncode == 0, second.stderr
    names = sorted(p.name for p in (tmp_path / "a" / "charts").iterdir())
    assert len(names) == 12
    for name in names:
        one = (tmp_path / "a" / "charts" / name).read_bytes()
        assert one == (tmp_path / "b" / "charts" / name).read_bytes(), name


def test_weasyprint_renders_the_inline_svg_with_inter(built: ChartsResult, tmp_path: Path) -> None:
    import pymupdf
    import weasyprint

    chart = next(c for c in built.charts if c.id == "bars")
    html = (
        "<html><head><style>@page { size: A4; margin: 20mm } "
        "svg { width: 100%; height: auto }</style></head>"
        f"<body>{chart.svg}</body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        page = doc[0]
        words = page.get_text()
        assert "Alpha" in words and "~150k" in words and "not stated in the source" in words
        assert any("Inter" in font[3] for font in page.get_fonts())
        # The chart spans the text column: 170 mm between the 20 mm margins.
        rects = [b["bbox"] for b in page.get_text("dict")["blocks"]]
        left = min(r[0] for r in rects) * 25.4 / 72
        assert 19 < left < 26
