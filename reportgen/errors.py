"""The one error family of reportgen.

Every problem a user can fix is a :class:`ReportError` that knows the file and
line it comes from; the CLI prints each as ``path:line:col: message`` and exits 1.
Checks collect problems into a :class:`Problems` list so that all of them are
reported at once instead of one per run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; ``line`` and ``col`` are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


class ReportError(Exception):
    """A problem with the project's inputs or environment that the user can fix."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"

    def lines(self) -> list[str]:
        """One line per problem, as the CLI prints them."""
        return [str(self)]


class UsageError(ReportError):
    """The command line itself is wrong (exit 2)."""


class ReportErrors(ReportError):
    """Several problems found together; raised once a stage has collected them all."""

    def __init__(self, errors: Iterable[ReportError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.location or Location(""), e.message))
        first = self.errors[0] if self.errors else ReportError("no problems")
        super().__init__(first.message, first.location)

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        return [line for error in self.errors for line in error.lines()]


class Problems:
    """Collects problems during a stage; ``raise_if_any`` ends the stage."""

    def __init__(self) -> None:
        self._errors: list[ReportError] = []

    def add(self, message: str, location: Location | None = None) -> None:
        self._errors.append(ReportError(message, location))

    def extend(self, error: ReportError) -> None:
        if isinstance(error, ReportErrors):
            self._errors.extend(error.errors)
        else:
            self._errors.append(error)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __iter__(self) -> Iterator[ReportError]:
        return iter(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise ReportErrors(self._errors)


def relative(path: Path, root: Path) -> str:
    """The path as the user should read it: relative to the project when inside it.

    The path itself is not resolved: a symlink is shown where the user put it, and a
    symlink loop (which ``resolve`` raises on) is reported by whoever reads the file."""
    try:
        base = root.resolve()
    except (OSError, RuntimeError):
        base = root.absolute()
    try:
        # abspath, not resolve: the path is shown as written, symlinks and all.
        return str(Path(os.path.abspath(path)).relative_to(base))  # noqa: PTH100
    except ValueError:
        return str(path)
