"""The pinned npm test tools (`make test` installs them into .venv/npm), found or explained.

Where ``REPORTGEN_REQUIRE_BROWSER=1`` (CI), a missing tool fails its test; elsewhere the
test is skipped with the command that installs it."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import REPO

NPM_DIR = REPO / ".venv" / "npm" / "node_modules"
VNU_JAR = NPM_DIR / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_CORE = NPM_DIR / "axe-core" / "axe.min.js"


def _missing(what: str) -> None:
    message = f"{what}: run `make test`, which installs the pinned npm tools into .venv/npm"
    if os.environ.get("REPORTGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def vnu_command() -> list[str]:
    """The Nu Html Checker, run by the machine's Java."""
    java = shutil.which("java")
    if java is None:
        _missing(
            "Java is not installed (the Nu Html Checker runs on it; Debian's default-jre-headless)"
        )
    if not VNU_JAR.is_file():
        _missing(f"the Nu Html Checker is not installed ({VNU_JAR.relative_to(REPO)})")
    return [str(java), "-jar", str(VNU_JAR)]


def axe_source() -> str:
    """axe-core's browser script, to inject into a page."""
    if not AXE_CORE.is_file():
        _missing(f"axe-core is not installed ({AXE_CORE.relative_to(REPO)})")
    return AXE_CORE.read_text(encoding="utf-8")
