"""Editions: what the briefing said last time, so the next one can say what changed.

``reportgen edition`` records the store as published in ``editions/NNNN.json``
(:mod:`reportgen.editions.snapshot`), a file kept in version control. The edition
number is never typed by hand: the briefing being built is the last recorded edition
when the store still matches it, and the next number when it does not (a draft of
the next edition). It shows what changed since the edition before
(:mod:`reportgen.editions.diff`); ``seeds/report.yaml``'s ``edition:`` only words
the number ("Edition {number}").
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from reportgen.editions.diff import Changes, compare, unchanged
from reportgen.editions.snapshot import Snapshot, take
from reportgen.errors import Location, Problems, ReportError
from reportgen.facts.store import Store

__all__ = [
    "EDITIONS_DIR",
    "EditionState",
    "Snapshot",
    "edition_state",
    "recorded",
    "since_previous",
    "take",
]

EDITIONS_DIR = "editions"
_NAME = re.compile(r"^(\d{4,})\.json$")
#: A snapshot of a store of tens of thousands of facts is a few MB.
_MAX_BYTES = 64 * 1024 * 1024


def edition_file(project: Path, number: int) -> Path:
    return project / EDITIONS_DIR / f"{number:04d}.json"


def read_snapshot(path: Path, shown: str) -> Snapshot:
    """One recorded snapshot; a located ReportError if it is not one."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW), "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise ReportError("not a regular file", Location(shown))
            data = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise ReportError(f"cannot read the edition: {exc.strerror}", Location(shown)) from None
    if len(data) > _MAX_BYTES:
        raise ReportError(f"larger than {_MAX_BYTES:,} bytes: not an edition", Location(shown))
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ReportError("not UTF-8 text", Location(shown)) from None
    except json.JSONDecodeError as exc:
        raise ReportError(exc.msg, Location(shown, exc.lineno, exc.colno)) from None
    except RecursionError:
        raise ReportError("nested too deep: not an edition", Location(shown)) from None
    try:
        return Snapshot.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise ReportError(
            f"not an edition snapshot: {where}: {first['msg']} ({exc.error_count()} problems); "
            "editions are written by 'reportgen edition', not by hand",
            Location(shown),
        ) from None


def recorded(project: Path) -> list[Snapshot]:
    """Every recorded edition, oldest first; numbered 1, 2, 3... without a gap."""
    folder = project / EDITIONS_DIR
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            raise ReportError("not a folder", Location(EDITIONS_DIR))
        return []
    found: dict[int, Path] = {}
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            found[int(match.group(1))] = path
    problems = Problems()
    editions: list[Snapshot] = []
    for expected, number in enumerate(sorted(found), start=1):
        shown = f"{EDITIONS_DIR}/{found[number].name}"
        if number != expected:
            problems.add(f"edition {number} follows edition {expected - 1}", Location(shown))
            break
        try:
            snapshot = read_snapshot(found[number], shown)
        except ReportError as exc:
            problems.extend(exc)
            continue
        if snapshot.edition != number:
            problems.add(f"records edition {snapshot.edition}, not {number}", Location(shown))
        editions.append(snapshot)
    problems.raise_if_any()
    return editions


@dataclass(frozen=True)
class EditionState:
    """Which edition a build of the store is, and what it is compared with."""

    number: int
    #: The store matches the last recorded edition (otherwise it is the next, a draft).
    is_recorded: bool
    current: Snapshot
    #: The edition before this one, if any.
    previous: Snapshot | None


def edition_state(store: Store, project: Path) -> EditionState:
    editions = recorded(project)
    last = editions[-1] if editions else None
    current = take(store, project, len(editions) + 1)
    if last is not None and unchanged(last, current):
        previous = editions[-2] if len(editions) > 1 else None
        return EditionState(last.edition, True, last, previous)
    return EditionState(current.edition, False, current, last)


def since_previous(state: EditionState) -> Changes | None:
    """What changed from the edition before to this one; None for the first edition."""
    if state.previous is None:
        return None
    return compare(
        state.previous,
        state.current,
        f"edition {state.previous.edition}",
        f"edition {state.number}",
    )
