"""Editions: recording the store, a newer article superseding a 2023 figure, the diff,
the "What changed" section in HTML and PDF, and the scheduled send's gate. Every step
runs reportgen in its own process on a scratch copy of the project."""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import REPO, copy_project, run_reportgen

#: A short article of our own: Chongqing's final 2023 output, after the expected one.
ARTICLE = (
    "Chongqing's final vehicle output figure\n\n"
    "Final figures published by the city show that factories in Chongqing built "
    "2.32 million vehicles in 2023.\n"
)
NEW_QUOTE = "factories in Chongqing built 2.32 million vehicles in 2023"
OLD_QUOTE = "Chongqing's automobile output is expected to reach 2.3 million units in 2023"
FACT = """facts:
  - id: chongqing-2023-output-actual
    entity: chongqing
    metric: vehicle_production
    value: 2320000
    unit: vehicles
    period: "2023"
    source: chongqing-final-2023
    label: Chongqing
{supersedes}    quote: "{quote}"
"""


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def _add_article(project: Path, tmp_path: Path, supersedes: bool = True) -> None:
    article = tmp_path / "chongqing-final.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    _ok(
        run_reportgen(
            [
                "sources",
                "add",
                str(article),
                "--id",
                "chongqing-final-2023",
                "--publisher",
                "Example Wire",
                "--published",
                "2024-03",
                "--project",
                str(project),
            ]
        )
    )
    line = "    supersedes: chongqing-2023-output\n" if supersedes else ""
    (project / "seeds" / "facts" / "final.yaml").write_text(
        FACT.format(supersedes=line, quote=NEW_QUOTE), encoding="utf-8"
    )


def test_the_repository_records_its_first_edition() -> None:
    snapshot = json.loads((REPO / "editions" / "0001.json").read_text(encoding="utf-8"))
    assert snapshot["edition"] == 1 and snapshot["date"] == "2024-01"
    fact = snapshot["facts"]["chongqing-2023-output"]
    assert (fact["value"], fact["status"], fact["period"], fact["unit"]) == (
        2300000,
        "expected",
        "2023",
        "vehicles",
    )
    assert fact["quote"] == OLD_QUOTE
    assert fact["source_sha256"] == (
        "df8dad3771c1517424b79290e6cda6657d7b8cee74b0c35b456bb59026e87d80"
    )
    assert snapshot["derived"]["chongqing-share-of-china-2023"]["unit"] == "percent"
    assert "chongqing-share" in snapshot["charts"]


def test_a_newer_article_supersedes_a_2023_figure(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    unchanged = _ok(run_reportgen(["diff", "--project", str(project)]))
    assert unchanged.strip() == "no changes from edition 1 to the current store"

    _add_article(project, tmp_path)
    text = _ok(run_reportgen(["diff", "--project", str(project)]))
    assert "New sources\n  chongqing-final-2023: “Chongqing's final vehicle output figure”" in text
    assert (
        "chongqing-2023-output → chongqing-2023-output-actual (supersedes): "
        "2.3 million vehicles (expected) → 2.32 million vehicles\n"
    ) in text
    assert f"was: “{OLD_QUOTE}” [chongqing-2024:" in text
    assert f"now: “{NEW_QUOTE}” [chongqing-final-2023:" in text
    assert "chongqing-2023-output → chongqing-2023-output-actual: expected → actual" in text
    assert "chongqing-share-of-china-2023: 7.6% (expected) → 7.7% (+0.07 percentage points)" in text
    assert "chongqing-share (changed)" in text

    data = json.loads(_ok(run_reportgen(["diff", "--project", str(project), "--format", "json"])))
    assert data["changed"] is True and data["figures_changed"] == 3
    (change,) = [f for f in data["facts"] if f["superseded"]]
    assert change["old"]["value"] == 2300000 and change["new"]["value"] == 2320000
    assert change["status_changed"] is True

    out = tmp_path / "build"
    _ok(run_reportgen(["build", "--project", str(project), "--out", str(out)]))
    html = (out / "briefing.html").read_text(encoding="utf-8")
    section = html[html.index('id="changes"') : html.index('id="summary"')]
    assert "What changed since edition 1" in section
    assert 'data-fact="chongqing-2023-output"' in section
    assert 'data-fact="chongqing-2023-output-actual"' in section
    assert "2.3 million vehicles (expected)" in section and "2.32 million vehicles" in section
    assert 'href="#src-chongqing-final-2023"' in section  # cited
    # The cover says it; text and charts use the current figure; the appendix keeps both.
    cover = re.sub(r"<[^>]+>", "", html[: html.index('id="contents"')])
    assert "3 figures changed since edition 1" in cover and "Edition 2" in cover
    summary = html[html.index('id="summary"') :]
    summary = summary[: summary.index("</section>")]
    assert 'data-fact="chongqing-2023-output-actual"' in summary
    entry = html[html.index('id="f-chongqing-2023-output"') :]
    entry = entry[: entry.index("</div>")]
    assert "Superseded by" in entry and "chongqing-2023-output-actual" in entry

    with pymupdf.open(out / "briefing.pdf") as pdf:
        pages = [page.get_text() for page in pdf]
    (page,) = [p for p in pages if "What changed since edition 1" in p and "Was:" in p]
    flat = " ".join(page.split())
    assert "2.3 million vehicles (expected)" in flat and "2.32 million vehicles" in flat
    assert NEW_QUOTE in flat and OLD_QUOTE in flat

    # The email's subject counts the changed figures; its body lists them first.
    mail = run_reportgen(
        ["email", "--dry-run", "--project", str(project), "--out", str(out), "--to", "a@b.org"],
        env={"REPORTGEN_MAIL_FROM": "briefing@example.com"},
    )
    _ok(mail)
    message = email.message_from_bytes(
        (out / "briefing.eml").read_bytes(), policy=email.policy.default
    )
    assert message["Subject"] == "Edition 2: 3 figures changed"
    body = message.get_body(("plain",))
    assert isinstance(body, email.message.EmailMessage)
    plain = body.get_content()
    assert plain.index("WHAT CHANGED SINCE EDITION 1") < plain.index("KEY TAKEAWAYS")
    assert (
        "- Chongqing vehicle production, 2023: 2.3 million vehicles (expected) → "
        "2.32 million vehicles (expected → actual).\r\n"
    ) in plain

    # Recorded, the store diffs as unchanged against its own edition.
    recorded = _ok(run_reportgen(["edition", "--project", str(project)]))
    assert "recorded edition 2" in recorded and (project / "editions" / "0002.json").is_file()
    again = _ok(run_reportgen(["diff", "--project", str(project)]))
    assert again.strip() == "no changes from edition 2 to the current store"
    between = _ok(run_reportgen(["diff", "--project", str(project), "--from", "1", "--to", "2"]))
    assert between.startswith("3 figures changed from edition 1 to edition 2")


def test_check_asks_whether_a_newer_figure_supersedes_or_conflicts(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _add_article(project, tmp_path, supersedes=False)
    result = run_reportgen(["check", "--project", str(project)])
    assert result.returncode == 1
    assert result.stderr.startswith(
        "seeds/facts/final.yaml:2:5: fact 'chongqing-2023-output-actual'"
    )
    assert "add 'supersedes: chongqing-2023-output'" in result.stderr
    assert "conflicts: entry" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_hand_typed_edition_number_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    report = project / "seeds" / "report.yaml"
    text = report.read_text(encoding="utf-8").replace('"Edition {number}"', '"Edition 7"')
    report.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("edition:"))
    result = run_reportgen(["check", "--project", str(project)])
    assert result.returncode == 1
    assert result.stderr.startswith(f"seeds/report.yaml:{line}:1: edition: 'Edition 7'")


def test_a_damaged_edition_is_located(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "editions" / "0001.json").write_text('{"edition": 1,\n  "facts": }\n')
    result = run_reportgen(["diff", "--project", str(project)])
    assert result.returncode == 1
    assert result.stderr.startswith("editions/0001.json:2:12: ")


def test_diff_from_a_git_revision(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed to diff against a revision")
    project = copy_project(tmp_path / "project")
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com"}
    env |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "first"]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True)
    _add_article(project, tmp_path)
    text = _ok(run_reportgen(["diff", "--project", str(project), "--from", "HEAD"]))
    assert text.startswith("3 figures changed from HEAD (")
    assert f"was: “{OLD_QUOTE}”" in text
    wrong = run_reportgen(["diff", "--project", str(project), "--from", "no-such-ref"])
    assert wrong.returncode == 2 and "not an edition number" in wrong.stderr


def _gate(project: Path, last: Path, force: str, tmp_path: Path) -> tuple[str, str]:
    output = tmp_path / "github-output"
    output.write_text("")
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "ci-send-gate.py"), str(last), "--force", force],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO), "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), output.read_text()


def test_the_scheduled_send_is_skipped_when_nothing_changed(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    sent = tmp_path / "sent.json"
    assert _gate(project, sent, "false", tmp_path)[1] == "send=true\n"  # never sent
    _ok(run_reportgen(["edition", "--project", str(project), "--out", str(sent)]))
    log, output = _gate(project, sent, "false", tmp_path)
    assert output == "send=false\n"
    assert log == "skipping the send: nothing changed since the last edition sent"
    assert _gate(project, sent, "true", tmp_path)[1] == "send=true\n"  # forced
    _add_article(project, tmp_path)
    log, output = _gate(project, sent, "false", tmp_path)
    assert output == "send=true\n" and log.startswith("sending: 3 figures changed")


def test_snapshots_are_byte_identical_across_processes_zones_and_dates(tmp_path: Path) -> None:
    written = []
    for n, (zone, later) in enumerate((("UTC", False), ("Pacific/Kiritimati", True))):
        project = copy_project(tmp_path / f"p{n}")
        out = tmp_path / f"snapshot-{n}.json"
        argv = [sys.executable, "-m", "reportgen", "edition", "--project", str(project)]
        if later:
            assert shutil.which("faketime"), "faketime is installed for the test suite"
            argv = ["faketime", "-f", "+1000d", *argv]
        env = {**os.environ, "PYTHONPATH": str(REPO), "TZ": zone, "PYTHONHASHSEED": str(n + 1)}
        env["LC_ALL"] = "C.UTF-8"
        result = subprocess.run(
            [*argv, "--out", str(out)], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        written.append(out.read_bytes())
    assert written[0] == written[1] == (REPO / "editions" / "0001.json").read_bytes()
