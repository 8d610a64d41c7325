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
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reportgen.cachefile import discard, read_entry, write_entry
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
    drawn = dataclasses.asdict(chart)
    # The kind is named in the spec, and its code is part of the style's fingerprint.
    del drawn["kind"]
    payload = {
        "chart": drawn,
        # A source's file and hash are not drawn: a corrected article redraws only the
        # charts whose figures changed.
        "sources": [
            store.sources[s].model_dump(mode="json", exclude={"file", "sha256"})
            if s in store.sources
            else s
            for s in sources
        ],
        "style": fingerprint(),
        "matplotlib": version("matplotlib"),
    }
    text = json.dumps(payload, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    svg: str
    svg_file: bytes
    png: bytes
    #: The phone drawing's inline ``<svg>``.
    svg_narrow: str


class ChartCache:
    """``PROJECT/.cache/charts/ID.KEY.{svg,inline.svg,narrow.svg,png}``; one key kept per chart.

    Each file carries the sha256 of its contents (:mod:`reportgen.cachefile`): a damaged
    one makes the chart a miss, and it is drawn again."""

    _PARTS = ("inline.svg", "svg", "narrow.svg", "png")

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, chart_id: str, key: str) -> list[Path]:
        return [self.folder / f"{chart_id}.{key[:32]}.{part}" for part in self._PARTS]

    def get(self, chart_id: str, key: str) -> Entry | None:
        parts = [read_entry(path) for path in self._paths(chart_id, key)]
        inline, svg, narrow, png = parts
        if inline is None or svg is None or narrow is None or png is None:
            for path, data in zip(self._paths(chart_id, key), parts, strict=True):
                if data is not None:
                    discard(path)  # the rest of a damaged entry is of no use
            return None
        try:
            return Entry(inline.decode("utf-8"), svg, png, narrow.decode("utf-8"))
        except UnicodeDecodeError:
            return None

    def put(self, chart_id: str, key: str, entry: Entry) -> None:
        try:
            stale = [
                p for p in self.folder.glob(f"{chart_id}.*") if p.name.split(".")[1] != key[:32]
            ]
        except OSError:
            stale = []
        for path in stale:
            discard(path)
        inline, svg, narrow, png = self._paths(chart_id, key)
        # The PNG last: get() needs all three, so a half-written entry is a miss.
        for path, data in (
            (inline, entry.svg.encode("utf-8")),
            (svg, entry.svg_file),
            (narrow, entry.svg_narrow.encode("utf-8")),
            (png, entry.png),
        ):
            if not write_entry(path, data):
                # A cache that cannot be written only costs time on the next run.
                log.warning("chart cache not written (%s)", self.folder)
                return
