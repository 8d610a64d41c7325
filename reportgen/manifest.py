"""The build manifest: what went into a build, what came out, and whether it is current.

``OUT/manifest.json`` records the sha256 of every input (each file under
``seeds/``, ``charts/`` and ``templates/``, the font files, reportgen's version) and
of every output. A build whose inputs are unchanged and whose outputs still match is
skipped, and delivery refuses to send an output the manifest does not vouch for.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.errors import Location, ReportError
from reportgen.fonts import FACES, FONT_DIR

MANIFEST = "manifest.json"
#: Folders of a report project whose every file is an input of the briefing.
INPUT_DIRS = ("seeds", "charts", "templates")
#: Files that never are inputs even when they sit in an input folder.
_IGNORED_NAMES = {".DS_Store", "__pycache__"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(project: Path) -> dict[str, str]:
    """sha256 of every input file, keyed by path relative to the project.

    Font files are keyed by their absolute path: they are not part of the project.
    """
    project = project.resolve()
    inputs: dict[str, str] = {}
    for folder in INPUT_DIRS:
        root = project / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            parts = path.relative_to(project).parts
            if path.is_dir() or any(p in _IGNORED_NAMES or p.endswith("~") for p in parts):
                continue
            if not path.is_file():
                # A FIFO, device or broken symlink is still an input the store tries to
                # read: it must make the build run (and fail), not read as "no change".
                inputs["/".join(parts)] = "not a regular file"
                continue
            inputs["/".join(parts)] = sha256_file(path)
    # The declared font dependency: an upgraded fonts-inter must rebuild the briefing.
    for face in FACES:
        path = FONT_DIR / face.file
        if path.is_file():
            inputs[str(path)] = sha256_file(path)
    return inputs


def inputs_digest(inputs: dict[str, str]) -> str:
    """One hash over reportgen's version and every input's name and hash."""
    digest = hashlib.sha256(f"reportgen {__version__}\n".encode())
    for name in sorted(inputs):
        digest.update(f"{inputs[name]}  {name}\n".encode())
    return digest.hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the last successful build in ``out``; ReportError if none."""
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(
            "no build manifest: run 'reportgen build' first", Location(str(path))
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(
            f"unreadable build manifest ({exc}): rebuild with 'reportgen build --force'",
            Location(str(path)),
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict):
        raise ReportError(
            "not a reportgen build manifest: rebuild with 'reportgen build --force'",
            Location(str(path)),
        )
    return data


def stale_reason(manifest: dict[str, Any], out: Path, digest: str, wanted: set[str]) -> str | None:
    """Why the outputs in ``out`` are not those of a build of the current inputs, or None.

    ``wanted`` names the outputs that must be present (e.g. ``{"briefing.pdf"}``).
    """
    if manifest.get("reportgen") != __version__:
        return f"built by reportgen {manifest.get('reportgen')}, this is {__version__}"
    if manifest.get("inputs_digest") != digest:
        return "inputs changed since the last build"
    outputs: dict[str, Any] = manifest["outputs"]
    missing = sorted(wanted - set(outputs))
    if missing:
        return f"the last build did not make {', '.join(missing)}"
    for name, recorded in sorted(outputs.items()):
        path = out / name
        if not path.is_file():
            return f"{name} is missing"
        if not isinstance(recorded, dict) or recorded.get("sha256") != sha256_file(path):
            return f"{name} changed since it was built"
    return None


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest (sorted keys, trailing newline) to ``path``."""
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
