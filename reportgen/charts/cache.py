"""Drawing only what changed: charts keyed by the hash of everything that decides them.

The key covers the spec, every figure the chart reads (value, qualifier,
status, label, sources), the words derived from them, the source titles and
dates, the style and drawing code, and the font files. A cache hit never
imports matplotlib.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reportgen.charts.resolve import Resolved
from reportgen.charts.style import fingerprint
from reportgen.facts.store import Store

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot hash {type(value).__name__}")


def content_key(chart: Resolved, store: Store) -> str:
    """The chart's content hash; equal keys draw byte-identical files."""
    sources = sorted({s for f in chart.figure_ids for s in store.figure(f).sources})
    payload = {
        "chart": dataclasses.asdict(chart),
        "sources": [
            store.sources[s].model_dump(mode="json") if s in store.sources else s for s in sources
        ],
        "style": fingerprint(),
        "matplotlib": version("matplotlib"),
    }
    text = json.dumps(payload, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` whole or not at all; unchanged files are left untouched."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide outputs from a web server
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Entry:
    svg: str
    svg_file: bytes
    png: bytes


class ChartCache:
    """``PROJECT/.cache/charts/ID.KEY.{svg,inline.svg,png}``; one key kept per chart."""

    _PARTS = ("inline.svg", "svg", "png")

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, chart_id: str, key: str) -> list[Path]:
        return [self.folder / f"{chart_id}.{key[:32]}.{part}" for part in self._PARTS]

    def get(self, chart_id: str, key: str) -> Entry | None:
        inline, svg, png = self._paths(chart_id, key)
        try:
            return Entry(inline.read_text(encoding="utf-8"), svg.read_bytes(), png.read_bytes())
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, chart_id: str, key: str, entry: Entry) -> None:
        try:
            for stale in self.folder.glob(f"{chart_id}.*"):
                if stale.name.split(".")[1] != key[:32]:
                    stale.unlink(missing_ok=True)
            inline, svg, png = self._paths(chart_id, key)
            # The PNG last: get() needs all three, so a half-written entry is a miss.
            write_atomic(inline, entry.svg.encode("utf-8"))
            write_atomic(svg, entry.svg_file)
            write_atomic(png, entry.png)
        except OSError as exc:
            # A cache that cannot be written only costs time on the next run.
            log.warning("chart cache not written (%s): %s", self.folder, exc.strerror)
