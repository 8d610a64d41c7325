"""``reportgen init``: a new report project that passes ``check`` and builds at once.

The files are package data (``reportgen/starter/``): an example article, its source
entry, a few facts, a derived metric, a chart and a briefing template on the
built-in layout, each saying in a comment what it is for. They are written into a
staging folder beside the target and moved into place whole, so a failed ``init``
leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import Location, ReportError, UsageError
from reportgen.publish import staging

STARTER = Path(__file__).resolve().parent / "starter"
#: Package data cannot ship a dot-file reliably; these are renamed on the way out.
_RENAMED = {"gitignore": ".gitignore"}
_TITLE_LINE = 'title: "Example briefing"\n'


@dataclass(frozen=True)
class Created:
    folder: Path
    files: list[str]

    def render(self) -> str:
        where = _shown(self.folder)
        lines = [f"created {where}: {len(self.files)} files"]
        lines += [f"  {name}" for name in self.files]
        lines += [
            "next:",
            f"  cd {where}",
            "  reportgen build                 # the example briefing, HTML and PDF",
            "  reportgen sources add FILE.txt  # your first article",
        ]
        return "\n".join(lines)


def init_project(folder: Path, title: str | None = None) -> Created:
    """Write the starter project into ``folder``, which must be new or empty."""
    _check_folder(folder)
    files = _starter_files(title)
    parent = folder.absolute().parent
    failure = "cannot create the project"
    with staging(parent, f".{folder.name}.init-", failure, str(folder)) as staged:
        try:
            for name, data in files.items():
                path = staged / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            _move_into_place(staged, folder)
        except OSError as exc:
            raise ReportError(f"{failure}: {exc.strerror}", Location(str(folder))) from None
    return Created(folder, sorted(files))


def _check_folder(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ReportError("exists and is not a folder: name a new folder", Location(str(folder)))
    if folder.is_dir() and any(folder.iterdir()):
        raise ReportError(
            "not empty: init writes a new project into a new or empty folder, and never "
            "over files that are there",
            Location(str(folder)),
        )


def _starter_files(title: str | None) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in sorted(STARTER.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = path.relative_to(STARTER).as_posix()
            files[_RENAMED.get(name, name)] = path.read_bytes()
    if title is not None:
        files["seeds/report.yaml"] = _with_title(files["seeds/report.yaml"], title)
    return files


def _with_title(report: bytes, title: str) -> bytes:
    text = " ".join(title.split())
    if not text or any(unicodedata.category(c) == "Cc" for c in title.strip()):
        raise UsageError("reportgen init: --title must be one line of text")
    if len(text) > 300:
        raise UsageError("reportgen init: --title is longer than 300 characters")
    source = report.decode("utf-8")
    assert _TITLE_LINE in source, "the starter report.yaml names its title"
    line = f"title: {json.dumps(text, ensure_ascii=False)}\n"
    return source.replace(_TITLE_LINE, line, 1).encode("utf-8")


def _move_into_place(staging: Path, folder: Path) -> None:
    """The staging folder becomes ``folder``; into an existing empty one, entry by entry."""
    if not folder.exists():
        staging.rename(folder)
        return
    for entry in sorted(staging.iterdir()):
        entry.rename(folder / entry.name)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)
