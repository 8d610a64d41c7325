"""The published HTML against the Nu Html Checker (npm's vnu-jar, pinned by `make test`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import BuiltBriefing
from tests.npmtools import vnu_command

#: What the published page must not carry: paged-media CSS that browsers do not know.
_PAGED_MEDIA = (
    '<!DOCTYPE html><html lang="en"><title>t</title>'
    "<style>h2 { string-set: s content(text); bookmark-level: 1; }</style><h2>t</h2></html>"
)


def test_published_html_has_no_nu_checker_errors(
    built_briefing: BuiltBriefing, tmp_path: Path
) -> None:
    # One run checks both, a page the checker must fail beside the briefing.
    control = tmp_path / "paged-media.html"
    control.write_text(_PAGED_MEDIA, encoding="utf-8")
    run = subprocess.run(
        [
            *vnu_command(),
            "--format",
            "json",
            "--exit-zero-always",
            str(built_briefing.html),
            str(control),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors: dict[str, list[str]] = {"briefing.html": [], control.name: []}
    for m in json.loads(run.stderr)["messages"]:
        if m["type"] in ("error", "non-document-error"):
            name = Path(m.get("url", "")).name
            errors.setdefault(name, []).append(f"{m.get('lastLine')}: {m['message']}")
    assert len(errors[control.name]) == 2, errors[control.name]
    assert errors["briefing.html"] == []
