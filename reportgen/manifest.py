"""The build manifest: what went into a build, what came out, and whether it is current.

``OUT/manifest.json`` records the sha256 of every input (each file under
``seeds/``, ``charts/`` and ``templates/``, the font files) and of every output, and what
made them: a hash of reportgen's own files and the versions of the engines whose code
decides the output bytes. A build whose inputs and makers are unchanged and whose outputs
still match is skipped, and delivery refuses to send an output the manifest does not
vouch for.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import reportgen
from reportgen import __version__
from reportgen.errors import Location, ReportError
from reportgen.fonts import FACES, FONT_DIR

MANIFEST = "manifest.json"
#: Folders of a report project whose every file is an input of the briefing (the
#: briefing's "What changed" section reads the recorded editions).
INPUT_DIRS = ("seeds", "charts", "templates", "editions")
#: Files that never are inputs even when they sit in an input folder.
_IGNORED_NAMES = {".DS_Store", "__pycache__"}
#: Python distributions whose code decides the output bytes: the PDF engine and its
#: writer, CSS and HTML parsing, font subsetting, charts, templates and number formats.
ENGINE_DISTRIBUTIONS = (
    "weasyprint",
    "pydyf",
    "pikepdf",  # rewrites the tag tree (reportgen/pdf/structure.py); bundles libqpdf
    "tinycss2",
    "cssselect2",
    "tinyhtml5",
    "fonttools",
    "uharfbuzz",
    "matplotlib",
    "pillow",
    "jinja2",
    "babel",
    "pyyaml",
    "pydantic",
)
#: The C libraries WeasyPrint lays text out with: (name, library files, version function).
#: Read through ctypes, so that deciding "up to date" never imports WeasyPrint.
NATIVE_LIBRARIES = (
    ("pango", ("libpango-1.0.so.0", "libpango-1.0.0.dylib", "pango-1.0"), "pango_version_string"),
    ("harfbuzz", ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "harfbuzz"), "hb_version_string"),
)


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


@functools.cache
def code_digest() -> str:
    """sha256 over every file of the reportgen package: modules and package data.

    Any edit to the code, a comment included, makes the last build stale: the version
    string alone would let an edited checkout vouch for a PDF its old code made.
    """
    package = Path(reportgen.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        parts = path.relative_to(package).parts
        if path.is_dir() or "__pycache__" in parts or path.suffix in {".pyc", ".pyo"}:
            continue
        digest.update(f"{sha256_file(path)}  {'/'.join(parts)}\n".encode())
    return digest.hexdigest()


def _native_version(files: tuple[str, ...], symbol: str) -> str:
    candidates = [*files[:-1], ctypes.util.find_library(files[-1])]
    for name in filter(None, candidates):
        try:
            function = getattr(ctypes.CDLL(name), symbol)
        except (OSError, AttributeError):
            continue
        function.restype = ctypes.c_char_p
        return str(function().decode("ascii", "replace"))
    return "not found"


@functools.cache
def engine_versions() -> dict[str, str]:
    """The versions of the Python engines and C libraries that shape the outputs."""
    versions: dict[str, str] = {}
    for name in ENGINE_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    for name, files, symbol in NATIVE_LIBRARIES:
        versions[name] = _native_version(files, symbol)
    return versions


def built_with() -> dict[str, Any]:
    """What makes the outputs besides the inputs: reportgen's code and the engines."""
    return {"reportgen": __version__, "code": code_digest(), "engines": engine_versions()}


def inputs_digest(inputs: dict[str, str]) -> str:
    """One hash over what made the build (:func:`built_with`) and every input's hash."""
    digest = hashlib.sha256(json.dumps(built_with(), sort_keys=True).encode() + b"\n")
    for name in sorted(inputs):
        digest.update(f"{inputs[name]}  {name}\n".encode())
    return digest.hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the last successful build in ``out``; ReportError if none."""
    path = out / MANIFEST
    if (path.exists() or path.is_symlink()) and not path.is_file():
        # A FIFO would block the read for ever, /dev/zero would never end.
        raise ReportError(
            "the build manifest is not a regular file: remove it", Location(str(path))
        )
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
    except RecursionError:  # nested deeper than the parser recurses: no manifest of ours
        raise ReportError(
            "unreadable build manifest (nested too deep): rebuild with 'reportgen build --force'",
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
    maker = manifest.get("built_with")
    maker = maker if isinstance(maker, dict) else {}
    if maker.get("code") != code_digest():
        return "reportgen's code changed since the last build"
    engines = maker.get("engines")
    engines = engines if isinstance(engines, dict) else {}
    changed = sorted(k for k, v in engine_versions().items() if engines.get(k) != v)
    if changed:
        return "engines changed since the last build: " + ", ".join(
            f"{k} {engines.get(k, '?')} -> {engine_versions()[k]}" for k in changed
        )
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
