"""Rebuilding on a save: watchfiles on the project's input folders, a burst as one change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from reportgen.serve.pipeline import WATCHED

log = logging.getLogger(__name__)

#: A change is acted on once no other came for this long (an editor's save is several
#: writes, a checkout many); and at the latest after DEBOUNCE_MS of steady changes.
STEP_MS = 50
DEBOUNCE_MS = 1600


def watch(project: Path, on_change: Callable[[set[Path]], object], stop: threading.Event) -> None:
    """Call ``on_change`` with the paths changed in the project's input folders
    (``WATCHED``), a debounced burst at a time, until ``stop`` is set.

    Changes made while ``on_change`` runs are kept by the watcher and come next."""
    import watchfiles

    while not stop.is_set():
        folders = [project / name for name in WATCHED if (project / name).is_dir()]
        if not folders:
            log.warning("nothing to watch: %s has none of %s", project, ", ".join(WATCHED))
            stop.wait(1.0)
            continue
        try:
            for changes in watchfiles.watch(
                *folders,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=stop,
                raise_interrupt=False,
            ):
                on_change({Path(path) for _, path in changes})
        except (OSError, RuntimeError) as exc:
            # A watched folder was removed or renamed: watch what is there again.
            log.debug("watching again after: %s", exc)
            stop.wait(0.5)
