"""Markdown job summary of a build: title, data-as-of, key figures, page count, sizes.

Usage: python scripts/ci-summary.py [OUT [PROJECT]]   (default: build .), e.g.
    .venv/bin/python scripts/ci-summary.py build >> "$GITHUB_STEP_SUMMARY"

Sizes and pages come from the build itself (manifest.json); the title, dates and key
figures from the store the build was made from, as the email shows them (its
templates' key figures); what changed since the edition before from the project's
editions/ and store, as the briefing's "What changed" section shows it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from reportgen.deliver.view import email_view
from reportgen.editions.command import open_checked_store


def _cell(text: str) -> str:
    """Table-cell text: Markdown's table and emphasis characters made literal."""
    for char in "\\|*_`[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _size(count: int) -> str:
    return f"{count / 1024:,.0f} KiB" if count >= 1024 else f"{count} bytes"


def _pages(out: Path, recorded: dict[str, Any]) -> str:
    if isinstance(recorded.get("pages"), int):
        return str(recorded["pages"])
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return str(len(PdfReader(out / "briefing.pdf").pages))


def changes_markdown(project: Path) -> str:
    """What changed since the edition before, as the briefing's "What changed" lists it
    (read from the project: editions/ and the store the build was made from)."""
    from reportgen.editions import edition_state, since_previous
    from reportgen.editions.command import open_checked_store
    from reportgen.editions.diff import as_markdown

    state = edition_state(open_checked_store(project), project)
    changes = since_previous(state)
    if changes is None:
        return f"### Edition {state.number}, the first\n\nNo earlier edition to compare with.\n"
    return as_markdown(changes)


def summary(out: Path, project: Path = Path()) -> str:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs: dict[str, dict[str, Any]] = manifest["outputs"]
    view = email_view(open_checked_store(project), project, out / "charts")
    as_of: list[str] = view.context["as_of"]  # type: ignore[assignment]
    key_figures: list[Any] = view.context["key_figures"]  # type: ignore[assignment]
    lines = [
        f"## {_cell(view.title)}",
        "",
        f"Data as of **{_cell(' and '.join(as_of))}** · "
        f"{_pages(out, outputs.get('briefing.pdf', {}))} pages · "
        f"inputs `{str(manifest.get('inputs_digest', '?'))[:12]}`",
        "",
        "| Key figure | Value | When |",
        "|---|--:|---|",
    ]
    lines += [
        f"| {_cell(k.label)} | {_cell(k.value.striptags())} | {_cell(k.when.striptags())} |"
        for k in key_figures
    ]
    lines += ["", changes_markdown(project).rstrip("\n")]
    lines += ["", "| Output | Size | sha256 |", "|---|--:|---|"]
    for name in sorted(outputs):
        lines.append(
            f"| {_cell(name)} | {_size(int(outputs[name].get('bytes', 0)))} | "
            f"`{str(outputs[name].get('sha256', ''))[:16]}` |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(
        summary(
            Path(sys.argv[1] if len(sys.argv) > 1 else "build"),
            Path(sys.argv[2] if len(sys.argv) > 2 else "."),
        )
    )
