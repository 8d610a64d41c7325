"""The delivery log (``OUT/deliveries.jsonl``) and the lock that serialises senders.

The log is the memory of who has which briefing: one JSON object per attempt, with
the sha256 of the PDF and the recipients the server accepted. A rerun sends only to
the recipients it does not show as having this PDF, so a log that cannot be read
exactly is a reason to send nothing: every bad line is reported, located.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, ValidationError

from reportgen.deliver.files import open_regular
from reportgen.errors import Location, Problems, ReportError

DELIVERY_LOG = "deliveries.jsonl"
LOCK = ".email.lock"
#: One attempt's line lists each recipient once or twice: 16 MB is some 100,000 of them.
MAX_LINE = 16 * 1024 * 1024


class _Entry(BaseModel):
    """The part of a log line that decides who is sent what; other keys are kept as is."""

    model_config = ConfigDict(strict=True, extra="ignore")

    pdf_sha256: str
    accepted: list[str]
    uncertain: list[str] = []


@dataclass
class History:
    """What the log says about one PDF."""

    accepted: set[str] = field(default_factory=set)
    #: The connection was lost after these servers had the message: they may have it.
    uncertain: set[str] = field(default_factory=set)


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; None for a line longer than MAX_LINE (skipped, not kept)."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(MAX_LINE)
            yield number, None
        else:
            yield number, line


def _entry(line: bytes) -> _Entry | str:
    """The parsed entry, or why the line is not one."""
    if not line.endswith(b"\n"):
        return "the line is cut short (no line end): an interrupted write?"
    try:
        value: Any = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except RecursionError:
        return "not a delivery record: nested too deeply"
    except ValueError as exc:
        return f"not JSON: {getattr(exc, 'msg', exc)}"
    if not isinstance(value, dict):
        return f"not a delivery record: a JSON {type(value).__name__}, not an object"
    try:
        return _Entry.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"not a delivery record: '{where}': {first['msg']}"


def read_history(out: Path, pdf_sha256: str) -> History:
    """Who the log shows as having the PDF with this sha256; all bad lines at once."""
    path = out / DELIVERY_LOG
    history = History()
    try:
        fd = open_regular(path, os.O_RDONLY, "delivery log")
    except ReportError:
        if not os.path.lexists(path):
            return history
        raise
    problems = Problems()
    with os.fdopen(fd, "rb") as stream:
        for number, line in _lines(stream):
            where = Location(str(path), number)
            if line is None:
                problems.add(f"line longer than {MAX_LINE // 1024**2} MB", where)
                continue
            if not line.strip():
                continue
            entry = _entry(line)
            if isinstance(entry, str):
                problems.add(entry, where)
            elif entry.pdf_sha256 == pdf_sha256:
                history.accepted.update(entry.accepted)
                history.uncertain.update(entry.uncertain)
    if problems:
        problems.add(
            "the delivery log must be read whole to know who has the briefing; repair or "
            "remove the lines above, or move the log away, then run again",
            Location(str(path)),
        )
    problems.raise_if_any()
    history.uncertain -= history.accepted
    return history


class DeliveryLog:
    """The log, opened for appending before anything is sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = open_regular(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "delivery log")

    def append(self, entry: dict[str, Any]) -> None:
        """Append one JSON line and make sure it is on disk before going on."""
        line = (json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        view = memoryview(line)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as exc:
            raise ReportError(
                f"cannot write the delivery log: {exc.strerror}", Location(str(self.path))
            ) from None

    def close(self) -> None:
        os.close(self._fd)


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """One sender per output folder: two runs at once could both send the briefing."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"cannot make the output folder: {exc.strerror}", Location(str(out))
        ) from None
    fd = open_regular(out / LOCK, os.O_RDWR | os.O_CREAT, "lock file")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReportError(f"another 'reportgen email' is sending from {out}") from None
        yield
    finally:
        os.close(fd)
