"""The briefing's typeface: Inter from Debian's fonts-inter, declared once.

The charts draw with these files, the HTML embeds subsets of them as WOFF2 data:
URIs, and WeasyPrint embeds them in the PDF, so the briefing uses one typeface
throughout. Few faces on purpose: every face embedded costs PDF bytes (budget 250 KB).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportgen.cachefile import read_entry, write_entry
from reportgen.errors import ReportError

log = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/opentype/inter")
FAMILY = "Inter"


@dataclass(frozen=True)
class Face:
    file: str
    weight: int
    style: str


FACES = (
    Face("Inter-Regular.otf", 400, "normal"),
    Face("Inter-Italic.otf", 400, "italic"),
    Face("Inter-SemiBold.otf", 600, "normal"),
)

#: Always kept, so a face never lacks digits or common punctuation a later edit adds.
_BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0¥£€$%×÷±²³°·–—‘’“”…•→←↑↓≈≤≥−\u2009\u202f"
)
#: OpenType features worth their bytes: kerning, ligatures, tabular and case-sensitive forms.
_FEATURES = ("kern", "liga", "calt", "tnum", "case")


def face_paths() -> list[Path]:
    """The font files, or a ReportError saying which package installs them."""
    paths = [FONT_DIR / face.file for face in FACES]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise ReportError(
            f"font file {missing[0]} is missing: install Debian's fonts-inter "
            "(make system-deps), the font the briefing embeds"
        )
    return paths


def cached_subset_woff2(path: Path, chars: frozenset[str], cache_dir: Path | None) -> bytes:
    """:func:`subset_woff2`, kept on disk by content: a prose edit that adds no new
    character reuses the last build's subsets instead of cutting them again."""
    if cache_dir is None:
        return subset_woff2(path, chars)
    import uharfbuzz as hb

    key = hashlib.sha256()
    key.update(path.read_bytes())
    key.update("".join(sorted(chars)).encode("utf-8", "surrogatepass"))
    key.update(f"{_FEATURES} {getattr(hb, '__version__', '')}".encode())
    entry = cache_dir / f"{key.hexdigest()}.woff2"
    # The entry carries its own sha256: a damaged one is cut again, never embedded.
    data = read_entry(entry)
    if data is not None:
        return data
    data = subset_woff2(path, chars)
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        cache_dir.mkdir(parents=True, exist_ok=True)
    write_entry(entry, data)
    return data


@cache
def subset_woff2(path: Path, chars: frozenset[str]) -> bytes:
    """``path`` cut down to ``chars``, as WOFF2.

    HarfBuzz's subsetter (uharfbuzz) does the cutting, several times faster than
    fontTools' pure-Python subsetter for files within a few hundred bytes of each
    other (``make bench`` for the figures). fontTools only wraps the result as WOFF2.
    """
    import uharfbuzz as hb  # heavy: render stage only
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(ord(c) for c in sorted(chars))
    features = subset_input.layout_feature_tag_set
    features.clear()
    features.update(int.from_bytes(tag.encode("ascii"), "big") for tag in _FEATURES)
    subset_input.flags = (
        hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE
    )
    face = hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), subset_input)
    if face is None:
        raise ReportError(f"cannot subset font {path}")
    # Keep the font's own timestamps: the same inputs must give byte-identical output.
    font = TTFont(io.BytesIO(face.blob.data), recalcTimestamp=False)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def font_face_css_for_print() -> str:
    """@font-face rules naming the font files themselves, for the HTML the PDF is made from.

    WeasyPrint subsets every font to the glyphs the PDF uses, so this HTML needs no
    subsets of its own, and can be written before the charts' text is known."""
    return "\n".join(
        "@font-face{"
        f"font-family:{FAMILY};font-weight:{face.weight};font-style:{face.style};"
        f"src:url({path.as_uri()}) format('opentype')"
        "}"
        for face, path in zip(FACES, face_paths(), strict=True)
    )


def font_face_css(text: str, cache_dir: Path | None = None) -> str:
    """@font-face rules for every face, each subset to the characters of ``text``."""
    chars = frozenset(_BASE_CHARS) | frozenset(c for c in text if c.isprintable())
    rules = []
    for face, path in zip(FACES, face_paths(), strict=True):
        data = base64.b64encode(cached_subset_woff2(path, chars, cache_dir)).decode("ascii")
        rules.append(
            "@font-face{"
            f"font-family:{FAMILY};font-weight:{face.weight};font-style:{face.style};"
            f"font-display:swap;src:url(data:font/woff2;base64,{data}) format('woff2')"
            "}"
        )
    return "\n".join(rules)
