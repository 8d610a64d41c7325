"""``reportgen edition`` and ``reportgen diff``: record the store, compare two states.

A side of a diff is an edition number (``3``), a snapshot file (``.json``), or any git
revision of the project (``HEAD~2``, a tag, a commit), whose ``seeds/`` and
``charts/`` are read out of git into a temporary folder and checked as ``check``
would; by default the last recorded edition and the current store.
"""

from __future__ import annotations

import logging
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reportgen.atomic import write_atomic
from reportgen.editions import (
    EDITIONS_DIR,
    edition_file,
    edition_state,
    read_snapshot,
    recorded,
    since_previous,
)
from reportgen.editions.diff import Changes, compare, heading
from reportgen.editions.snapshot import Snapshot, take
from reportgen.errors import Location, ReportError, UsageError

# Re-exported: the email and the CI summary read the store as build does.
from reportgen.facts import open_checked_store as open_checked_store
from reportgen.units import use_project_units

log = logging.getLogger(__name__)

_GIT_TIMEOUT = 60


@dataclass(frozen=True)
class Recorded:
    snapshot: Snapshot
    path: Path | None
    changes: Changes | None

    def render(self) -> str:
        number = self.snapshot.edition
        if self.path is None:
            return f"edition {number} already records this store: nothing to record"
        since = (
            f"; {heading(self.changes)}"
            if self.changes is not None
            else "; the first edition recorded"
        )
        return (
            f"recorded edition {number} (data as of {self.snapshot.date}) in "
            f"{EDITIONS_DIR}/{self.path.name}{since}\nnext: commit {EDITIONS_DIR}/{self.path.name}"
        )


def record_edition(project: Path, out: Path | None = None) -> Recorded:
    """Record the store as the next edition (or, with ``out``, write its snapshot there
    and record nothing)."""
    project = project.resolve()
    state = edition_state(open_checked_store(project), project)
    if out is not None:
        write_atomic(out, state.current.dumps(), shown=str(out))
        return Recorded(state.current, out, None)
    if state.is_recorded:
        return Recorded(state.current, None, None)
    path = edition_file(project, state.number)
    write_atomic(path, state.current.dumps(), shown=f"{EDITIONS_DIR}/{path.name}")
    return Recorded(state.current, path, since_previous(state))


def diff(project: Path, old: str | None, new: str | None) -> Changes:
    """The changes from ``old`` to ``new`` (defaults: last recorded edition, the store)."""
    project = project.resolve()
    if old is None:
        editions = recorded(project)
        if not editions:
            raise ReportError(
                "no edition recorded yet: 'reportgen edition' records the first",
                Location(EDITIONS_DIR),
            )
        before, before_name = editions[-1], f"edition {editions[-1].edition}"
    else:
        before, before_name = _side(project, old)
    if new is None:
        after, after_name = take(open_checked_store(project), project, 0), "the current store"
    else:
        after, after_name = _side(project, new)
    # Figures are worded in the project's units (a revision's store loads its own).
    use_project_units(project)
    return compare(before, after, before_name, after_name)


def _side(project: Path, spec: str) -> tuple[Snapshot, str]:
    if spec.isdigit():
        editions = recorded(project)
        number = int(spec)
        if not 1 <= number <= len(editions):
            have = f"editions 1 to {len(editions)}" if editions else "no edition"
            raise UsageError(f"reportgen diff: no edition {number} ({have} recorded)")
        return editions[number - 1], f"edition {number}"
    path = Path(spec)
    if spec.endswith(".json") and (path.exists() or path.is_symlink()):
        snapshot = read_snapshot(path, spec)
        return snapshot, spec
    return _at_revision(project, spec)


def _git(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(project), *args],
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportError(f"cannot run git: {exc}") from None


def _at_revision(project: Path, ref: str) -> tuple[Snapshot, str]:
    """The store as it was at git revision ``ref``: its snapshot and a name for it."""
    if ref.startswith("-"):
        raise UsageError(
            f"reportgen diff: {ref!r} is not an edition, a snapshot file or a revision"
        )
    found = _git(project, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise UsageError(
            f"reportgen diff: {ref!r} is not an edition number, a snapshot file (.json) "
            "or a git revision of the project"
        )
    commit = found.stdout.decode().strip()
    prefix = _git(project, "rev-parse", "--show-prefix").stdout.decode().strip()
    with tempfile.TemporaryDirectory(prefix="reportgen-diff-") as temp:
        root = Path(temp)
        archive = root / "tree.tar"
        with archive.open("wb") as stream:
            made = subprocess.run(
                ["git", "-C", str(project), "archive", "--format=tar", f"{commit}:{prefix}"],
                stdout=stream,
                stderr=subprocess.PIPE,
                timeout=_GIT_TIMEOUT,
                check=False,
            )
        if made.returncode != 0:
            message = made.stderr.decode(errors="replace").strip()
            raise ReportError(f"git archive {ref} failed: {message}")
        tree = root / "tree"
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.split("/")[0] in ("seeds", "charts")]
            tar.extractall(tree, members=members, filter="data")
        if not (tree / "seeds").is_dir():
            raise ReportError(f"the project has no seeds/ at revision {ref}")
        try:
            snapshot = take(open_checked_store(tree), tree, 0)
        except ReportError as exc:
            raise ReportError(f"the store at revision {ref} does not pass check: {exc}") from None
    return snapshot, f"{ref} ({commit[:10]})"
