"""Inter, embedded in the briefing as subset WOFF2 data: URIs.

The HTML must be one self-contained file and WeasyPrint may fetch only data:
and project files, so the faces travel inside the stylesheet. Subsetting to the
characters the document uses keeps both the HTML and the PDF small; the charts
draw with the same Debian files, so the briefing uses one typeface throughout.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportgen.errors import ReportError

log = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/opentype/inter")
FAMILY = "Inter"

#: Always kept, so a face never lacks digits or common punctuation a later edit adds.
_BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0¥£€$%×÷±²³°·–—‘’“”…•→←↑↓≈≤≥−\u2009\u202f"
)
#: OpenType features worth their bytes: kerning, ligatures, tabular and case-sensitive forms.
_FEATURES = ["kern", "liga", "calt", "tnum", "case"]


@dataclass(frozen=True)
class Face:
    file: str
    weight: int
    style: str


#: Few faces on purpose: the PDF budget is 250 KB.
FACES = (
    Face("Inter-Regular.otf", 400, "normal"),
    Face("Inter-Italic.otf", 400, "italic"),
    Face("Inter-SemiBold.otf", 600, "normal"),
)


@cache
def _subset(path: Path, chars: frozenset[str]) -> bytes:
    from fontTools import subset  # type: ignore[import-untyped]  # heavy: render stage only
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = _FEATURES
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [1, 2, 4, 6]
    options.notdef_outline = True
    # Keep the font's own timestamps: the same inputs must give byte-identical output.
    font = TTFont(str(path), recalcTimestamp=False, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def font_face_css(text: str, font_dir: Path = FONT_DIR) -> str:
    """@font-face rules for every face, each subset to the characters of ``text``."""
    chars = frozenset(_BASE_CHARS) | frozenset(c for c in text if c.isprintable())
    rules = []
    for face in FACES:
        path = font_dir / face.file
        if not path.is_file():
            raise ReportError(
                f"font file {path} is missing; install Debian's fonts-inter (make system-deps)"
            )
        data = base64.b64encode(_subset(path, chars)).decode("ascii")
        rules.append(
            "@font-face{"
            f"font-family:{FAMILY};font-weight:{face.weight};font-style:{face.style};"
            f"font-display:swap;src:url(data:font/woff2;base64,{data}) format('woff2')"
            "}"
        )
    return "\n".join(rules)
