"""Cache entries that vouch for themselves: every file starts with the sha256 of the rest.

A cache entry is only ever a copy of work that can be done again, so anything wrong
with one (cut short, a flipped bit, emptied, replaced by a folder, unreadable) makes
it a miss: the entry is removed and the caller rebuilds it. A damaged cache costs time,
never a failed build or different output. Entries are written whole by rename
(:mod:`reportgen.atomic`), so a reader never sees one half-written.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import stat
from pathlib import Path

from reportgen.atomic import write_atomic
from reportgen.errors import ReportError

log = logging.getLogger(__name__)

#: The first line of every entry: this prefix, 64 hex digits of sha256, a newline.
_MAGIC = b"reportgen-cache sha256="
_HEADER = len(_MAGIC) + 64 + 1


def seal(data: bytes) -> bytes:
    """``data`` with the header that lets :func:`unseal` check it."""
    return _MAGIC + hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data


def unseal(raw: bytes) -> bytes | None:
    """The data :func:`seal` was given, or None if ``raw`` is not exactly that."""
    if len(raw) < _HEADER or not raw.startswith(_MAGIC) or raw[_HEADER - 1 : _HEADER] != b"\n":
        return None
    data = raw[_HEADER:]
    if hashlib.sha256(data).hexdigest().encode("ascii") != raw[len(_MAGIC) : _HEADER - 1]:
        return None
    return data


def read_entry(path: Path) -> bytes | None:
    """The entry's data, or None when it is missing or damaged (a damaged one is removed)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("cache entry %s unreadable: %s", path, exc.strerror)
        return None
    raw: bytes | None = None
    if stat.S_ISREG(mode):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            log.debug("cache entry %s unreadable: %s", path, exc.strerror)
    data = unseal(raw) if raw is not None else None
    if data is None:
        log.debug("discarding damaged cache entry %s", path)
        discard(path)
    return data


def write_entry(path: Path, data: bytes) -> bool:
    """Write an entry whole; False (and a debug line) if it cannot be, which costs only time."""
    try:
        discard_unless_file(path)
        write_atomic(path, seal(data))
    except (OSError, ReportError) as exc:
        log.debug("cache entry %s not written: %s", path, exc)
        return False
    return True


def discard(path: Path) -> None:
    """Remove an entry, whatever it has become (a folder, a FIFO, a symlink)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot remove cache entry %s: %s", path, exc.strerror)


def discard_unless_file(path: Path) -> None:
    """Make way for a new entry where something that is not a regular file stands."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        discard(path)
