"""A copy of a report project whose first article is grown to a given size.

The article keeps its own text and gains paragraphs of plain prose with no figure in
them, so ``reportgen check`` still passes and does the same work per byte throughout:
its sha256 in sources.yaml is updated and ``max_source_bytes`` in report.yaml raised.
``scripts/bench.py`` times ``check`` on 1, 5 and 10 MB articles with it, to show that
checking is linear in an article's size.

Usage: python scripts/big_article.py SOURCE_PROJECT TARGET MEGABYTES
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import sys
from pathlib import Path

PROJECT_DIRS = ("seeds", "charts", "templates")
#: Words of the filler: no number words, ordinals, units, months or qualifiers.
WORDS = [
    "the",
    "plant",
    "workers",
    "line",
    "assembly",
    "paint",
    "shop",
    "body",
    "robot",
    "weld",
    "press",
    "supplier",
    "road",
    "city",
    "river",
    "valley",
    "market",
    "brand",
    "design",
    "engineer",
    "team",
    "shift",
    "quality",
    "test",
    "cabin",
    "seat",
    "door",
    "glass",
    "light",
    "battery",
    "motor",
    "cable",
    "frame",
    "wheel",
    "brake",
    "software",
    "screen",
    "driver",
    "customer",
    "dealer",
    "showroom",
    "service",
    "network",
    "partner",
    "board",
    "office",
    "report",
    "analyst",
    "visit",
    "tour",
    "press",
    "official",
    "local",
    "regional",
    "national",
    "industry",
    "sector",
    "growth",
    "demand",
    "supply",
    "policy",
    "plan",
    "strategy",
    "model",
    "range",
    "trim",
    "colour",
    "option",
]
FIRST_FILE = re.compile(r"^(\s*file:\s*)(\S+)\s*$", re.MULTILINE)


def filler(size: int, seed: int = 7) -> str:
    """``size`` bytes (about) of sentences made of :data:`WORDS`, in paragraphs."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            words = rng.choices(WORDS, k=rng.randint(6, 16))
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = "\n" + " ".join(sentences) + "\n"
        parts.append(paragraph)
        total += len(paragraph)
    return "".join(parts)


def make_article_project(source: Path, target: Path, megabytes: float) -> Path:
    """Copy ``source``'s inputs to ``target`` and grow its first article to ``megabytes``."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in PROJECT_DIRS:
        shutil.copytree(source / name, target / name)
    sources = target / "seeds" / "sources.yaml"
    listing = sources.read_text(encoding="utf-8")
    match = FIRST_FILE.search(listing)
    if match is None:
        raise SystemExit(f"big_article: no 'file:' in {sources}")
    article = target / match.group(2).strip("\"'")
    data = article.read_bytes()
    size = int(megabytes * 1024 * 1024)
    grown = data + filler(max(0, size - len(data))).encode("utf-8")
    article.write_bytes(grown)
    old = hashlib.sha256(data).hexdigest()
    sources.write_text(listing.replace(old, hashlib.sha256(grown).hexdigest()), encoding="utf-8")
    with (target / "seeds" / "report.yaml").open("a", encoding="utf-8") as stream:
        stream.write(f"max_source_bytes: {len(grown) + 1024}\n")
    return target


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__.rsplit("Usage: ", 1)[1].strip())
    make_article_project(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]))
