"""Plain text as messages quote it: a short excerpt, and where an offset stands."""

from __future__ import annotations


def shorten(text: str, limit: int, *, keep_last: bool = False) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so a message stays one line.

    ``keep_last`` keeps the final character, so a cut ``repr`` still ends in its quote.
    """
    if len(text) <= limit:
        return text
    if keep_last:
        return text[: limit - 2] + "…" + text[-1]
    return text[: limit - 1] + "…"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The line and column (both from 1) of the character at ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
