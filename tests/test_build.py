"""The build pipeline: outputs, manifest, no-op rebuilds, all-or-nothing failures, determinism."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen import __version__
from reportgen.build import build, is_up_to_date
from reportgen.errors import ReportError
from reportgen.manifest import hash_inputs, inputs_digest, read_manifest, stale_reason
from tests.conftest import REPO, BuiltBriefing, copy_project, require_locale, run_reportgen


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


#: 2024-01-01T00:00:00Z: the start of the month the latest seed article was published.
SEED_EPOCH = 1704067200


def test_manifest_records_inputs_outputs_counts_and_timings(built_briefing: BuiltBriefing) -> None:
    manifest = built_briefing.manifest
    assert manifest["reportgen"] == __version__
    assert manifest["source_date_epoch"] == SEED_EPOCH
    assert datetime.fromtimestamp(SEED_EPOCH, UTC).isoformat() == "2024-01-01T00:00:00+00:00"
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
    require_locale("de_DE.UTF-8")
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


def _reportgen_from(code: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m reportgen`` with its package imported from ``code`` (a copy)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_edit_to_reportgens_code_makes_the_next_build_rebuild(tmp_path: Path) -> None:
    """A comment appended to one module: the old outputs are no longer vouched for."""
    code = tmp_path / "code"
    shutil.copytree(
        REPO / "reportgen", code / "reportgen", ignore=shutil.ignore_patterns("__pycache__")
    )
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    args = ["build", "--project", str(project), "--out", str(out), "--format", "html"]
    where = _reportgen_from(code, ["--version"], tmp_path)
    probe = [sys.executable, "-c", "import reportgen; print(reportgen.__file__)"]
    imported = subprocess.run(
        probe, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True
    )
    assert where.returncode == 0 and imported.stdout.decode().startswith(str(code)), "not the copy"

    first = _reportgen_from(code, args, tmp_path)
    assert first.returncode == 0, first.stderr
    again = _reportgen_from(code, args, tmp_path)
    assert again.returncode == 0 and "up to date" in again.stdout + again.stderr
    built = json.loads((out / "manifest.json").read_text())

    with (code / "reportgen" / "numbers.py").open("a", encoding="utf-8") as module:
        module.write("# a comment changes no behaviour, but it is new code\n")
    after = _reportgen_from(code, args, tmp_path)
    assert after.returncode == 0, after.stderr
    assert "up to date" not in after.stdout + after.stderr
    rebuilt = json.loads((out / "manifest.json").read_text())
    assert rebuilt["built_with"]["code"] != built["built_with"]["code"]
    assert rebuilt["built_with"]["engines"] == built["built_with"]["engines"]


def test_outputs_of_other_engine_versions_are_not_current(
    built_briefing: BuiltBriefing, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built_briefing.out, out)
    assert is_up_to_date(REPO, out, {"pdf"})
    engines = built_briefing.manifest["built_with"]["engines"]
    assert {"weasyprint", "pydyf", "pango", "harfbuzz", "matplotlib"} <= set(engines)
    assert all(v not in ("", "not found", "not installed") for v in engines.values()), engines
    upgraded = {**engines, "pango": "99.0.0"}
    monkeypatch.setattr("reportgen.manifest.engine_versions", lambda: upgraded)
    assert not is_up_to_date(REPO, out, {"pdf"})
    reason = stale_reason(read_manifest(out), out, inputs_digest(hash_inputs(REPO)), set())
    assert reason == f"engines changed since the last build: pango {engines['pango']} -> 99.0.0"
