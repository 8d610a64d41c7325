"""Where a drafted fact's quote starts and stops: sentences, clauses, and spans that a
quote never cuts (a number, or a name the reader could not read).

A quote is the shortest run of whole clauses around a number that still reads as a
statement: a clause of a few words ("up 5%") takes its neighbour with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words before a full stop that do not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "inc",
        "co",
        "corp",
        "ltd",
        "st",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "approx",
    ]
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")
#: Punctuation that ends a clause, and conjunctions that start one.
_CLAUSE_MARK = re.compile(r"[,;:]\s|\s[—–]\s|\s-\s|\(|\)|—")
_CONJUNCTION = re.compile(r"\s(?:and|but|while|whereas|although|though)\s")
_LEADING = re.compile(r"(?:and|but|while|whereas)\s+", re.I)
_BETWEEN = re.compile(r"\bbetween\s+\S+(?:\s+\S+)?$", re.I)
#: A quote of fewer words than this takes the clause before (or after) it too.
MIN_WORDS = 5
#: A line at least this long that ends without punctuation is wrapped prose, not a
#: headline or a dateline.
_WRAPPED = 60
_TRIM = " \t\n\"'“”‘’()[]"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """The text's sentences; a headline, a dateline or a paragraph ends one too."""
    found: list[Sentence] = []
    for start, end in _blocks(text):
        cursor = start
        for match in _SENTENCE_END.finditer(text, start, end):
            word = re.search(r"([\w.]+)[.!?]?$", text[cursor : match.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            found.append(_trimmed(text, cursor, match.end()))
            cursor = match.end()
        if text[cursor:end].strip():
            found.append(_trimmed(text, cursor, end))
    return [s for s in found if s.end > s.start]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Runs of lines that belong together: a line break ends a block unless the line
    is long prose that wraps."""
    blocks: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"\n", text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        line = text[line_start : match.start()].rstrip()
        wrapped = (len(line) >= _WRAPPED and line[-1:].isalnum()) or line.endswith(",")
        if not wrapped:
            blocks.append((start, match.start()))
            start = match.end()
    blocks.append((start, len(text)))
    return [(s, e) for s, e in blocks if text[s:e].strip()]


def _trimmed(text: str, start: int, end: int) -> Sentence:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM + ".,;:!?":
        end -= 1
    return Sentence(start, end)


def sentence_at(found: list[Sentence], offset: int) -> Sentence:
    for sentence in found:
        if sentence.start <= offset < sentence.end:
            return sentence
    before = [s for s in found if s.start <= offset]
    return before[-1] if before else found[0]


def clauses(text: str, sentence: Sentence, keep: list[tuple[int, int]]) -> list[Sentence]:
    """The sentence's clauses, never split inside a span of ``keep``."""
    cuts: list[tuple[int, int]] = []
    for pattern in (_CLAUSE_MARK, _CONJUNCTION):
        for match in pattern.finditer(text, sentence.start, sentence.end):
            if any(s < match.end() and match.start() < e for s, e in keep):
                continue
            if pattern is _CONJUNCTION and _BETWEEN.search(text, sentence.start, match.start()):
                continue  # "between January and September"
            cuts.append(match.span())
    pieces: list[Sentence] = []
    cursor = sentence.start
    for start, end in sorted(cuts):
        if start < cursor:
            continue
        pieces.append(_trimmed(text, cursor, start))
        cursor = end
    pieces.append(_trimmed(text, cursor, sentence.end))
    pieces = [_unjoined(text, p) for p in pieces]
    return _merge_short_conjunctions(text, [p for p in pieces if p.end > p.start])


def _unjoined(text: str, piece: Sentence) -> Sentence:
    """A clause without the conjunction that joins it to the one before."""
    lead = _LEADING.match(text, piece.start, piece.end)
    return Sentence(lead.end(), piece.end) if lead else piece


def _merge_short_conjunctions(text: str, pieces: list[Sentence]) -> list[Sentence]:
    """'Tallgrass and Birch sold…': an 'and' between names is not a clause break."""
    merged: list[Sentence] = []
    for piece in pieces:
        gap = text[merged[-1].end : piece.start] if merged else ""
        if (
            merged
            and _CONJUNCTION.fullmatch(" " + gap.strip() + " ")
            and _words(text, merged[-1]) < 4
        ):
            merged[-1] = Sentence(merged[-1].start, piece.end)
        else:
            merged.append(piece)
    return merged


def _words(text: str, span: Sentence) -> int:
    return len(text[span.start : span.end].split())


def quote_span(
    text: str, sentence: Sentence, keep: list[tuple[int, int]], need: tuple[int, int]
) -> tuple[int, int]:
    """The shortest run of whole clauses of ``sentence`` that holds ``need`` and has at
    least MIN_WORDS words (or the whole sentence)."""
    parts = clauses(text, sentence, keep)
    inside = [i for i, p in enumerate(parts) if p.end > need[0] and p.start < need[1]]
    if not inside:
        return sentence.start, sentence.end
    first, last = inside[0], inside[-1]
    while len(text[parts[first].start : parts[last].end].split()) < MIN_WORDS:
        if first > 0:
            first -= 1
        elif last < len(parts) - 1:
            last += 1
        else:
            break
    start, end = min(parts[first].start, need[0]), max(parts[last].end, need[1])
    if text.count("(", start, end) > text.count(")", start, end) and text[end : end + 1] == ")":
        end += 1  # "10 billion yuan ($1.44 billion)": the aside whole
    return start, end


def window(
    text: str,
    span: tuple[int, int],
    keep: list[tuple[int, int]],
    sentence: Sentence,
    words: int = 2,
) -> tuple[int, int]:
    """A few words around ``span`` within its sentence, never cutting a kept span: the
    text of an ignore entry."""
    start, end = span
    before = list(re.finditer(r"\S+", text[sentence.start : start]))[-words:]
    after = list(re.finditer(r"\S+", text[end : sentence.end]))[:words]
    if before:
        start = sentence.start + before[0].start()
    if after:
        end = end + after[-1].end()
    for s, e in sorted(keep):
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    while end > start and text[end - 1] in _TRIM + ".,;:!?":
        end -= 1
    while start < end and text[start] in _TRIM:
        start += 1
    return start, end
