"""Fixtures of the hostile suite: a good build to preserve, bait files, a loopback server."""

from __future__ import annotations

import secrets
import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

# The suite imports its helpers as tests.hostile.*, whichever way pytest was started.
if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.hostile.harness import Loopback, copy_project, reportgen_env, run


@pytest.fixture(scope="session")
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    yield server
    server.close()


@pytest.fixture(scope="session")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT of a good build of the real project, built once in a separate process.

    Its project copy stays next to it (see ``reference``)."""
    base = tmp_path_factory.mktemp("previous")
    project = copy_project(base / "project")
    out = base / "out"
    result = run(
        [*_python(), "build", "--project", str(project), "--out", str(out)],
        cwd=project,
        timeout=600,
        env=reportgen_env(),
    )
    if result.returncode != 0:
        # The cases about bad inputs still prove that a failure touches nothing; the
        # attack cases that need a real briefing fail on their own.
        warnings.warn(
            f"the real project does not build; using stand-in outputs:\n{result.stderr[-500:]}",
            stacklevel=1,
        )
        shutil.rmtree(out, ignore_errors=True)
        (out / "charts").mkdir(parents=True)
        (out / "briefing.html").write_text("<!DOCTYPE html><p>previous</p>", encoding="utf-8")
        (out / "briefing.pdf").write_bytes(b"%PDF-1.7 previous")
        (out / "charts" / "c.svg").write_text("<svg/>", encoding="utf-8")
        (out / "manifest.json").write_text("{}", encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def reference(previous_build: Path) -> Path:
    """The project as it was when the session started: cases copy this one, so the good
    build stays current for unmutated copies even if the repository changes meanwhile."""
    return previous_build.parent / "project"


def _python() -> list[str]:
    return [sys.executable, "-m", "reportgen"]


@pytest.fixture(scope="session")
def canary() -> str:
    """A token written only outside the project: found in an output, it is a leak."""
    return f"CANARY-{secrets.token_hex(8)}"
