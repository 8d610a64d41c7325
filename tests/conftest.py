"""Shared fixtures: the real briefing built once per session, and scratch project copies."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import BuildResult, build

REPO = Path(__file__).resolve().parents[1]
#: The folders that make a report project (what a scratch copy needs).
PROJECT_DIRS = ("seeds", "charts", "templates", "editions")
#: Modules whose tests share one running process and act on it in order (one preview
#: server, edited test after test): under pytest-xdist each runs whole on one worker.
IN_ORDER = ("tests/test_serve.py",)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: absent when it is not loaded
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """Tests go to workers one by one, but an IN_ORDER module's go together. (xdist's
    own ``--dist loadgroup`` would do it from a mark; with this pytest it splits them.)"""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in IN_ORDER else nodeid

    return Scheduling(config, log)


@dataclass(frozen=True)
class BuiltBriefing:
    """The repository's briefing, built into a temporary folder."""

    project: Path
    out: Path
    html: Path
    pdf: Path
    manifest: dict[str, Any]
    result: BuildResult

    @property
    def html_text(self) -> str:
        return self.html.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _project_units() -> None:
    """Units are per project (seeds/units.yaml): figures a test makes by hand count in
    the repository's own, whatever project an earlier test loaded."""
    from reportgen.units import use_project_units

    use_project_units(REPO)


@pytest.fixture(scope="session")
def built_briefing(tmp_path_factory: pytest.TempPathFactory) -> BuiltBriefing:
    """Build the real briefing (HTML and PDF) once for the whole session.

    Tests must not modify the files; copy them first.
    """
    out = tmp_path_factory.mktemp("briefing")
    result = build(REPO, out, {"html", "pdf"}, force=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return BuiltBriefing(
        project=REPO,
        out=out,
        html=out / "briefing.html",
        pdf=out / "briefing.pdf",
        manifest=manifest,
        result=result,
    )


def copy_project(target: Path, source: Path = REPO) -> Path:
    """A scratch copy of a report project's inputs (by default the repository's own)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(
                source / name, target / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A scratch copy of the report project that a test may edit or break."""
    return copy_project(tmp_path / "project")


def run_reportgen(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m reportgen ARGS`` in a fresh process, as a user would."""
    full_env = {**os.environ, **(env or {})}
    path = full_env.get("PYTHONPATH")
    full_env["PYTHONPATH"] = f"{REPO}{os.pathsep}{path}" if path else str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def require_locale(name: str) -> None:
    """Fail, never skip, when a locale a test builds under is not installed: the build
    would quietly run in C and the test would prove nothing. ``make test`` generates it."""
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    wanted = name.lower().replace("-", "")
    if wanted not in {line.strip().lower().replace("-", "") for line in listed.stdout.split()}:
        pytest.fail(
            f"the locale {name} is not installed: run `make test` as root, which generates "
            f"it, or `sudo localedef -i {name.split('.')[0]} -c -f UTF-8 {name}`"
        )


def process_running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan waits for init to reap it); Linux /proc."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
