"""Publishing a build: the staged outputs replace the old ones all together, or none do.

A build writes into a staging folder inside the output folder (the same file system, so
every move out of it is one rename). The folder goes when the build ends, however it
ends; one left by a build that was killed is swept by the next build in that folder.

Every target is checked before anything is replaced: a directory, FIFO, device or
symlink where an output file goes (or anything but a folder where the charts go) is a
located error, and the old outputs stay as they were. Each file is then replaced by one
rename, after a hard link keeps the old one in the staging folder, so that a failure
half-way puts every replaced output back: a reader sees the old build or the new one.
The manifest goes last, so until it is replaced the old manifest no longer matches the
files it lists and an interrupted publish reads as "not built".
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.atomic import check_target
from reportgen.errors import Location, ReportError

log = logging.getLogger(__name__)

#: Inside the staging folder: the old outputs, kept until the new ones are all in place.
_BACKUP = ".previous"
#: A build's staging folder is named ``.staging-PID-RANDOM``, so a sweep knows its process.
_STAGING = ".staging-"

#: Staging folders in use by this process, for :func:`abandon`.
_ACTIVE: set[Path] = set()


@contextmanager
def staging(parent: Path, prefix: str, failure: str, shown: str) -> Iterator[Path]:
    """A fresh folder in ``parent``, removed on the way out (or by :func:`abandon`).

    A folder that cannot be made is a ReportError: ``failure`` and the reason, at ``shown``.
    """
    try:
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError as exc:
        raise ReportError(f"{failure}: {exc.strerror}", Location(shown)) from None
    _ACTIVE.add(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _ACTIVE.discard(folder)


def build_staging(out: Path) -> AbstractContextManager[Path]:
    """The staging folder of a build into ``out``, named after this process."""
    return staging(out, f"{_STAGING}{os.getpid()}-", "cannot write the briefing here", str(out))


def abandon() -> None:
    """Remove this process's staging folders at once; published outputs stay as they were.

    For a signal handler that exits without unwinding, so no ``finally`` runs."""
    for folder in list(_ACTIVE):
        shutil.rmtree(folder, ignore_errors=True)


def sweep_abandoned(out: Path) -> None:
    """Remove staging folders of builds that were killed (SIGKILL skips ``finally``).

    A folder is abandoned when the process named in it no longer runs; a build still
    running in the same output folder keeps its own."""
    for folder in out.glob(f"{_STAGING}*"):
        pid_text = folder.name.split("-")[1] if folder.name.count("-") >= 2 else ""
        if not pid_text.isdigit() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            log.debug("removing %s, left by a build that was killed", folder.name)
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue  # another user's running process


def check_targets(out: Path, files: Iterable[str], folders: Iterable[str] = ()) -> None:
    """Raise a located ReportError unless every target can be replaced or removed.

    ``files`` must be absent or regular files, ``folders`` absent or real folders."""
    for name in sorted(files):
        check_target(out / name, _shown(out / name))
    for name in sorted(folders):
        path = out / name
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ReportError(
                f"cannot inspect the output folder: {exc.strerror}", Location(_shown(path))
            ) from None
        if not stat.S_ISDIR(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
            raise ReportError(
                f"refusing to replace: {kind} where the build puts its charts folder; "
                "remove it or build into another folder",
                Location(_shown(path)),
            )


@dataclass
class _Swap:
    """What has been done so far, so that it can be undone."""

    out: Path
    backup: Path
    #: (name, had an old version) for every target about to be or already replaced.
    done: list[tuple[str, bool]] = field(default_factory=list)

    def keep_old(self, name: str) -> bool:
        """Keep the current ``out/name`` in the backup folder; whether there was one."""
        old = self.out / name
        if not (old.exists() or old.is_symlink()):
            return False
        if old.is_dir():
            old.rename(self.backup / name)  # the charts folder: rename is its only copy
        else:
            os.link(old, self.backup / name)
        return True

    def undo(self) -> None:
        for name, had_old in reversed(self.done):
            current, saved = self.out / name, self.backup / name
            try:
                if current.is_dir() and not current.is_symlink():
                    current.rename(self.backup / f"{name}.new")
                if had_old:
                    saved.replace(current)
                else:
                    current.unlink(missing_ok=True)
            except OSError as exc:
                log.error("could not put back %s: %s", _shown(current), exc.strerror)


def publish(
    staging: Path, out: Path, files: set[str], remove: set[str], manifest: str, charts: str
) -> None:
    """Move ``files`` and the ``charts`` folder from ``staging`` into ``out``, remove the
    outputs in ``remove`` (of other formats), then move ``manifest``; all or nothing."""
    has_charts = (staging / charts).is_dir()
    check_targets(out, files | remove | {manifest}, {charts} if has_charts else set())
    swap = _Swap(out, staging / _BACKUP)
    try:
        swap.backup.mkdir()
        for name in sorted(files):
            _replace_file(swap, staging / name, name)
        for name in sorted(remove):
            swap.done.append((name, swap.keep_old(name)))
            (out / name).unlink(missing_ok=True)
        if has_charts:
            swap.done.append((charts, swap.keep_old(charts)))
            (staging / charts).rename(out / charts)
        _replace_file(swap, staging / manifest, manifest)
    except BaseException as exc:
        swap.undo()
        if isinstance(exc, OSError):
            raise ReportError(
                f"cannot publish the build: {exc.strerror}; the previous outputs are kept",
                Location(_shown(Path(exc.filename or out))),
            ) from None
        raise


def _replace_file(swap: _Swap, new: Path, name: str) -> None:
    target = swap.out / name
    check_target(target, _shown(target))  # it may have changed since the first check
    swap.done.append((name, swap.keep_old(name)))
    new.replace(target)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
