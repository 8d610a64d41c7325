"""What counts as a figure typed in the briefing's own words (templates, chart text).

The quantity reader reads what a source states; prose written for the briefing is held
to more: a duration in words ("a year apart") and a half or quarter typed as a name
("H1", "Q3") are figures there too, and belong to the store.
"""

from __future__ import annotations

import re

from reportgen.facts.quantities import read
from reportgen.facts.quantities.lexicon import CARDINALS, DURATION_UNITS

_UNITS = "|".join(DURATION_UNITS)
_DURATION = re.compile(
    r"(?<![\w-])(?:(?:an?|one|" + "|".join(CARDINALS) + r")[\s-]+(?:" + _UNITS + r")s?"
    r"[\s-]+(?:apart|earlier|later|ago|before|after|long|old|away|on|since)"
    r"|(?:than|for|within|over|nearly|almost|about|barely|just|under)\s+an?\s+(?:"
    + _UNITS
    + r"))(?![\w-])",
    re.IGNORECASE,
)
#: A half or quarter typed as a name (H1, Q3): the reader takes letters before digits
#: for a name, but here it is a period.
_TYPED_PERIOD = re.compile(r"(?<![\w-])(?:H[12]|Q[1-4])(?![\w-])")


def number_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every number the reader reads in ``text``, digit-like text it
    cannot read ("unread"), durations and typed halves or quarters; overlaps dropped."""
    reading = read(text)
    found: list[tuple[int, int, str]] = [(q.start, q.end, q.kind) for q in reading.quantities]
    found += [(u.start, u.end, "unread") for u in reading.unread]
    found += [(m.start(), m.end(), "duration") for m in _DURATION.finditer(text)]
    found += [(m.start(), m.end(), "period") for m in _TYPED_PERIOD.finditer(text)]
    spans: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(found, key=lambda f: (f[0], -f[1])):
        if not any(start < e and end > s for s, e, _ in spans):
            spans.append((start, end, kind))
    return spans
