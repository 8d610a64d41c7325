"""The benchmark's synthetic 10x project is a valid report project, ten times the real one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project

REPO = Path(__file__).resolve().parents[1]
REPORTGEN = Path(sys.executable).parent / "reportgen"
_COUNT = re.compile(r"(\d+) (sources|entities|facts|derived|charts)\b")


def check_counts(project: Path) -> dict[str, int]:
    """``reportgen check`` on ``project``; it must pass. The record counts it prints."""
    done = subprocess.run(
        [str(REPORTGEN), "check", "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # The summary is the first line; the per-article lines below it count facts too.
    summary = done.stdout.splitlines()[0]
    return {kind: int(n) for n, kind in _COUNT.findall(summary)}


@pytest.fixture(scope="module")
def scale_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "project"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "make_scale_project.py"),
            "--project",
            str(REPO),
            "--out",
            str(out),
            "--factor",
            "10",
        ],
        check=True,
        capture_output=True,
    )
    return out


def test_scale_project_passes_check_with_ten_times_the_content(scale_project: Path) -> None:
    real = check_counts(REPO)
    scaled = check_counts(scale_project)
    assert real["facts"] > 0 and real["entities"] > 0
    for kind in ("sources", "entities", "facts", "derived", "charts"):
        assert scaled[kind] == 10 * real[kind], kind


def test_clones_keep_quotes_verbatim_and_ids_distinct(scale_project: Path) -> None:
    real = (REPO / "seeds" / "facts" / "seres.yaml").read_text(encoding="utf-8")
    scaled = (scale_project / "seeds" / "facts" / "seres.yaml").read_text(encoding="utf-8")
    quote = "spanning about 700,000 square meters"
    assert quote in real
    assert scaled.count(quote) == 10 * real.count(quote)
    assert "id: se-project-area-x10\n" in scaled
    articles = sorted(p.name for p in (scale_project / "seeds" / "articles").iterdir())
    assert len(articles) == 10 * len(list((REPO / "seeds" / "articles").iterdir()))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("out", [".", ".."], ids=["itself", "its-parent"])
def test_generator_refuses_to_overwrite_the_project_it_reads(tmp_path: Path, out: str) -> None:
    project = copy_project(tmp_path / "work" / "project")
    before = _tree(tmp_path / "work")
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "make_scale_project.py"),
            "--project",
            str(project),
            "--out",
            str(project / out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"refusing to overwrite {(project / out).resolve()}"
    assert _tree(tmp_path / "work") == before, "the project was touched"
