"""Opening the files delivery reads and writes without being led astray.

A recipient file, the delivery log or the lock file could be a FIFO (opening it
blocks forever), a device (``/dev/zero`` never ends), a directory, or a symlink
out of the output folder. Each is checked before it is opened and again on the
open descriptor, so that swapping the file in between changes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reportgen.errors import Location, ReportError


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(path: Path, mode: int, what: str) -> ReportError:
    return ReportError(f"{what} is {_kind(mode)}; it must be a regular file", Location(str(path)))


def open_regular(path: Path, flags: int, what: str, *, follow: bool = False) -> int:
    """A descriptor on ``path`` opened with ``flags``, if it is a regular file.

    ``follow`` allows a symlink to a regular file (inputs the user names); files in
    the output folder are never followed. With ``os.O_CREAT`` a missing file is made.
    Raises a located ReportError otherwise.
    """
    try:
        mode = (path.stat() if follow else path.lstat()).st_mode
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise ReportError(f"{what}: no such file", Location(str(path))) from None
    except (OSError, ValueError) as exc:
        raise _cannot(path, what, exc) from None
    else:
        if not stat.S_ISREG(mode):
            raise _refuse(path, mode, what)
    extra = os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags | extra, 0o644)
    except (OSError, ValueError) as exc:
        raise _cannot(path, what, exc) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _refuse(path, mode, what)
    os.set_blocking(fd, True)
    return fd


def _cannot(path: Path, what: str, exc: Exception) -> ReportError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "bad path"
    return ReportError(f"cannot open the {what}: {reason}", Location(str(path)))


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; located ReportError if not."""
    fd = open_regular(path, os.O_RDONLY, what, follow=True)
    with os.fdopen(fd, "rb") as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise _cannot(path, what, exc) from None
    if len(data) > limit:
        raise ReportError(
            f"the {what} is larger than {limit // 1024:,} KB; that is not a list this "
            "command reads",
            Location(str(path)),
        )
    return data
