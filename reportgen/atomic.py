"""Replacing a file whole or not at all, and never replacing what is not a regular file.

Every place that writes a file a user or a later run reads goes through here: readers see
the old bytes or the new ones, never a mix, and a target that is a directory, a device, a
FIFO or a symlink is refused with a located error instead of being renamed over.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from reportgen.errors import Location, ReportError


def check_target(path: Path, shown: str | None = None) -> None:
    """Raise a located ReportError unless ``path`` is absent or a regular file.

    Symlinks are refused too: renaming over one would replace the link, and writing
    through it would touch a file outside the folder the user named.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ReportError(
            f"cannot inspect the output file: {exc.strerror}", Location(shown or str(path))
        ) from None
    if stat.S_ISREG(mode):
        return
    kind = (
        "a directory"
        if stat.S_ISDIR(mode)
        else "a symbolic link"
        if stat.S_ISLNK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a file that is not a regular file"
    )
    raise ReportError(
        f"refusing to replace {kind}: remove it or name another output file",
        Location(shown or str(path)),
    )


@contextlib.contextmanager
def replacing(path: Path, *, shown: str | None = None, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    The caller writes the temporary file (by name, e.g. for SQLite); on any exception it
    is removed and ``path`` is left as it was.
    """
    check_target(path, shown)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(name)
    try:
        os.fchmod(fd, mode)  # mkstemp's 0600 would hide outputs from a web server
        os.close(fd)
        yield temp
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        check_target(path, shown)  # it may have changed while the file was written
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic(
    path: Path,
    data: bytes | Callable[[Path], None],
    *,
    shown: str | None = None,
    mode: int = 0o644,
    skip_unchanged: bool = False,
) -> None:
    """Replace ``path`` with ``data`` (bytes, or a function writing the temp path).

    ``skip_unchanged`` leaves a regular file that already holds ``data`` untouched, so
    its modification time stays (caches, whose readers compare times).
    """
    if skip_unchanged and isinstance(data, bytes):
        with contextlib.suppress(OSError):
            if stat.S_ISREG(path.lstat().st_mode) and path.read_bytes() == data:
                return
    with replacing(path, shown=shown, mode=mode) as temp:
        if isinstance(data, bytes):
            temp.write_bytes(data)
        else:
            data(temp)
