"""The build pipeline: outputs, manifest, no-op rebuilds, all-or-nothing failures, determinism."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from reportgen import __version__
from reportgen.build import build, is_up_to_date
from reportgen.errors import ReportError
from reportgen.manifest import read_manifest
from tests.conftest import REPO, BuiltBriefing, copy_project, run_reportgen


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _latest_source_epoch() -> int:
    sources = yaml.safe_load((REPO / "seeds/sources.yaml").read_text(encoding="utf-8"))["sources"]
    latest = max(str(s["published"]["date"]) for s in sources)
    parts = [int(p) for p in latest.split("-")] + [1, 1]
    return int(datetime(parts[0], parts[1], parts[2], tzinfo=UTC).timestamp())


def test_manifest_records_inputs_outputs_counts_and_timings(built_briefing: BuiltBriefing) -> None:
    manifest = built_briefing.manifest
    assert manifest["reportgen"] == __version__
    assert manifest["source_date_epoch"] == _latest_source_epoch()
    for name in ("briefing.html", "briefing.pdf"):
        recorded = manifest["outputs"][name]
        path = built_briefing.out / name
        assert recorded["sha256"] == _sha256(path)
        assert recorded["bytes"] == path.stat().st_size
    assert manifest["outputs"]["briefing.pdf"]["pages"] >= 2
    inputs = manifest["inputs"]
    for name in ("seeds/report.yaml", "seeds/sources.yaml", "templates/briefing.html.j2"):
        assert inputs[name] == _sha256(REPO / name)
    assert any(k.endswith("Inter-Regular.otf") for k in inputs), "the font files are inputs"
    assert all(not k.startswith("build/") for k in inputs)
    assert manifest["counts"]["facts"] > 0
    assert manifest["counts"]["sources"] == 2
    assert manifest["counts"]["charts"] == len(list((REPO / "charts").glob("*.yaml")))
    assert set(manifest["timings_ms"]) >= {"facts", "charts", "render", "pdf"}
    assert is_up_to_date(REPO, built_briefing.out, {"pdf"})
    assert read_manifest(built_briefing.out) == manifest


def test_no_op_rebuild_is_skipped_until_an_input_changes(
    project_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = build(project_copy, out, {"html"})
    assert not first.skipped
    built = {p: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}

    again = build(project_copy, out, {"html"})
    assert again.skipped
    assert "up to date" in again.summary()
    assert {p: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == built

    assert not build(project_copy, out, {"html"}, force=True).skipped

    template = project_copy / "templates/briefing.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{# edited #}\n", "utf-8")
    assert not is_up_to_date(project_copy, out)
    assert not build(project_copy, out, {"html"}).skipped
    assert is_up_to_date(project_copy, out)


def test_a_changed_or_missing_output_is_not_up_to_date(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(project_copy, out, {"html"})
    assert is_up_to_date(project_copy, out, {"html"})
    assert not is_up_to_date(project_copy, out, {"pdf"}), "no PDF was built"
    html = out / "briefing.html"
    html.write_bytes(html.read_bytes() + b"<!-- edited -->")
    assert not is_up_to_date(project_copy, out)
    assert not build(project_copy, out, {"html"}).skipped
    html.unlink()
    assert not is_up_to_date(project_copy, out)


def test_an_html_only_build_removes_the_stale_pdf(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out).mkdir()
    (out / "briefing.pdf").write_bytes(b"%PDF-1.7 from an older build")
    build(project_copy, out, {"html"})
    assert not (out / "briefing.pdf").exists()
    assert set(read_manifest(out)["outputs"]) == {"briefing.html"}


def test_a_failed_build_leaves_the_previous_outputs_untouched(
    project_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(project_copy, out, {"html"})
    before = _snapshot(out)
    report = project_copy / "seeds/report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "title: again\n", encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        build(project_copy, out, {"html"}, force=True)
    assert "seeds/report.yaml" in str(caught.value)
    assert _snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [], "staging left behind"
    assert not is_up_to_date(project_copy, out)


def test_a_pdf_that_would_fetch_from_the_network_fails_the_build(
    project_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(project_copy, out, {"html"})
    before = _snapshot(out)
    layout = next(
        p for p in sorted((project_copy / "templates").rglob("*.j2")) if "</body>" in p.read_text()
    )
    pixel = '<img src="https://example.com/pixel.png" alt=""></body>'
    layout.write_text(layout.read_text().replace("</body>", pixel), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        build(project_copy, out, {"html", "pdf"})
    assert "refused to fetch 'https://example.com/pixel.png'" in str(caught.value)
    assert _snapshot(out) == before


def test_cli_build_reports_stages_then_skips(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_reportgen(["build", "--project", str(project_copy), "--out", str(out)])
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("built ")
    assert "briefing.pdf" in first.stdout and "pages" in first.stdout
    stages = [m[1] for m in re.finditer(r"^(\w+) +\d+\.\d\d s", first.stderr, re.M)]
    # The templates are rendered before the charts are drawn, so that the PDF worker lays
    # out pages meanwhile; the email PNGs of a first build's charts come after the HTML.
    assert stages == ["facts", "render", "charts", "html", "png", "pdf"], first.stderr
    second = run_reportgen(["build", "--project", str(project_copy), "--out", str(out)])
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("up to date")


def test_cli_failed_build_exits_1_with_the_location(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    facts = sorted((project_copy / "seeds/facts").glob("*.yaml"))[0]
    facts.write_text("facts:\n  - id: [unclosed\n", encoding="utf-8")
    result = run_reportgen(["build", "--project", str(project_copy), "--out", str(out)])
    assert result.returncode == 1
    assert f"seeds/facts/{facts.name}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "briefing.pdf").exists()


def test_same_inputs_give_byte_identical_html_and_pdf(tmp_path: Path) -> None:
    """Two builds in separate processes, project folders, time zones, locales and cwds.

    Each project copy has its own (empty) chart cache, so both draw every chart.
    """
    outputs = []
    for n, (tz, lang) in enumerate([("UTC", "C.UTF-8"), ("Asia/Shanghai", "de_DE.UTF-8")]):
        project = copy_project(tmp_path / f"project{n}")
        cwd = tmp_path / f"cwd{n}"
        cwd.mkdir()
        out = tmp_path / f"out{n}"
        env = {"TZ": tz, "LANG": lang, "LC_ALL": lang, "PYTHONHASHSEED": str(n + 1)}
        # The data dates the briefing: a SOURCE_DATE_EPOCH in the environment changes nothing.
        env["SOURCE_DATE_EPOCH"] = str(n * 2_000_000_000)
        result = run_reportgen(
            ["build", "--project", str(project), "--out", str(out)], cwd=cwd, env=env
        )
        assert result.returncode == 0, result.stderr
        outputs.append(out)
    for name in ("briefing.html", "briefing.pdf"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    manifests = [json.loads((o / "manifest.json").read_text()) for o in outputs]
    assert manifests[0]["outputs"] == manifests[1]["outputs"]
    assert manifests[0]["counts"]["charts_drawn"] == manifests[0]["counts"]["charts"]


def test_an_unwritable_output_folder_is_a_report_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError, match="cannot write the briefing here"):
        build(REPO, blocker / "out", {"html"})
