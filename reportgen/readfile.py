"""Reading a file an analyst named: a regular file of bounded size, or a located error.

Every input reportgen reads from a project goes through here. A FIFO in its place
would block the build for ever and ``/dev/zero`` would never end, so the file is opened
without blocking and checked on the open descriptor (no window between a check and
the read in which the path could be swapped), and no more than ``limit + 1`` bytes are
read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from reportgen.errors import Location, ReportError


def read_regular(
    path: Path,
    shown: str,
    limit: int,
    what: str = "file",
    *,
    cannot: str = "cannot read",
    irregular: str = "not a regular file",
    too_large: Callable[[int], str] | None = None,
) -> bytes:
    """The bytes of ``path``; ReportError (located at ``shown``) when it cannot be read,
    is not a regular file, or holds more than ``limit`` bytes (``what`` names it then).

    ``cannot``, ``irregular`` and ``too_large`` (given the file's size) word those
    problems for a caller whose user needs to hear more than the default (an article's
    size names its setting)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ReportError(f"{cannot}: {exc.strerror}", Location(shown)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen, which refuses a folder
        os.close(fd)
        raise ReportError(irregular, Location(shown))
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise ReportError(f"{cannot}: {exc.strerror}", Location(shown)) from None
    if len(data) > limit:
        size = max(len(data), _size(path))
        message = f"file is {size:,} bytes, more than the {limit:,} a {what} may be"
        raise ReportError(too_large(size) if too_large else message, Location(shown))
    return data


def lines_if_readable(path: Path, limit: int) -> list[str] | None:
    """The lines of a UTF-8 regular file, or None when it is anything else (another
    check reports why): for scans that only add to what the loaders say."""
    try:
        return read_regular(path, str(path), limit).decode("utf-8").splitlines()
    except (ReportError, UnicodeDecodeError):
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
