"""Stage timing: one progress line per build stage, and the timings for the manifest.

The library only logs (logger ``reportgen.progress``); the CLI decides where the
lines go. Timings are measured with a monotonic clock and never reach the outputs,
which must not depend on how long anything took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("reportgen.progress")


class Stages:
    """Times named stages in order; ``timings_ms`` feeds the build manifest."""

    def __init__(self) -> None:
        self.timings_ms: dict[str, int] = {}
        self._notes: dict[str, str] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block; log its line only when it succeeds."""
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        self.timings_ms[name] = round(elapsed * 1000)
        note = self._notes.get(name)
        log.info("%-8s %6.2f s%s", name, elapsed, f"  {note}" if note else "")

    def note(self, name: str, text: str) -> None:
        """Detail shown on the stage's progress line ("12 charts, 3 drawn")."""
        self._notes[name] = text
