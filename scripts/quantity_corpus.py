"""Precision and recall of the quantity reader on the news-sentence corpus, per category.

    python scripts/quantity_corpus.py                 # reportgen's reader
    python scripts/quantity_corpus.py --predictions P # another reader's output (JSON: one
                                                      # list of {value|low,high, unit} per
                                                      # sentence, in corpus order)

A figure counts as found when its value (or both ends of a range) matches; "+unit" also
needs the unit (ISO currency code, percent, percentage_points, basis_points, multiple, m2).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "quantity_corpus.yaml"
#: Categories of figures written in words; the rest are written in digits.
WORD_CATEGORIES = {"words", "fraction", "multiplier", "ordinal"}
Item = dict[str, Any]


def load_corpus(path: Path = CORPUS) -> list[Item]:
    with path.open(encoding="utf-8") as stream:
        return list(yaml.safe_load(stream))


def _values(item: Item) -> tuple[Decimal, ...]:
    keys = ("low", "high") if "low" in item else ("value",)
    return tuple(Decimal(str(item[k])) for k in keys)


def _close(a: tuple[Decimal, ...], b: tuple[Decimal, ...]) -> bool:
    tolerance = Decimal("1e-9")
    return len(a) == len(b) and all(
        abs(x - y) <= tolerance * max(Decimal(1), abs(y)) for x, y in zip(a, b, strict=True)
    )


def _unit_ok(predicted: Item, expected: Item) -> bool:
    want = expected.get("unit")
    got = predicted.get("unit")
    if isinstance(got, list):
        return want in got
    return got == want


@dataclass
class Tally:
    predicted: int = 0
    expected: int = 0
    found: int = 0
    found_unit: int = 0
    qualifier_ok: int = 0
    misses: list[str] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def precision(self) -> float:
        return self.ratio(self.found, self.predicted)

    @property
    def recall(self) -> float:
        return self.ratio(self.found, self.expected)

    @property
    def f1_unit(self) -> float:
        p = self.ratio(self.found_unit, self.predicted)
        r = self.ratio(self.found_unit, self.expected)
        return 2 * p * r / (p + r) if p + r else 0.0


def ours(sentence: str) -> list[Item]:
    from reportgen.facts.quantities import read

    figures = {"quantity", "range", "fraction", "multiplier", "ordinal"}
    out: list[Item] = []
    for q in read(sentence).quantities:
        if q.kind not in figures:
            continue
        unit: Any = sorted(q.currencies) if q.currencies else q.unit_hint
        item: Item = {"unit": unit, "qualifier": q.precision}
        if q.low is not None and q.high is not None:
            item |= {"low": str(q.low), "high": str(q.high)}
        else:
            item["value"] = str(q.value)
        out.append(item)
    return out


def score(corpus: list[Item], predictions: list[list[Item]]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for entry, predicted in zip(corpus, predictions, strict=True):
        tally = tallies.setdefault(entry["category"], Tally())
        expected = list(entry["expect"])
        tally.predicted += len(predicted)
        tally.expected += len(expected)
        left = list(predicted)
        for want in expected:
            match = next((p for p in left if _close(_values(p), _values(want))), None)
            if match is None:
                tally.misses.append(f"{entry['sentence']} (missed {want})")
                continue
            left.remove(match)
            tally.found += 1
            tally.found_unit += _unit_ok(match, want)
            tally.qualifier_ok += match.get("qualifier") == want.get("qualifier")
        tally.misses += [f"{entry['sentence']} (extra {p})" for p in left]
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    rows = ["category     figures  precision  recall  +unit F1  qualifier"]
    total = Tally()
    for name, t in sorted(tallies.items()):
        rows.append(
            f"{name:<12} {t.expected:>7}  {t.precision:>9.3f}  {t.recall:>6.3f}  "
            f"{t.f1_unit:>8.3f}  {t.ratio(t.qualifier_ok, t.found):>9.3f}"
        )
        for attr in ("predicted", "expected", "found", "found_unit", "qualifier_ok"):
            setattr(total, attr, getattr(total, attr) + getattr(t, attr))
    p, r = total.precision, total.recall
    rows.append(
        f"{'all':<12} {total.expected:>7}  {p:>9.3f}  {r:>6.3f}  {total.f1_unit:>8.3f}  "
        f"{total.ratio(total.qualifier_ok, total.found):>9.3f}   (value F1 "
        f"{2 * p * r / (p + r) if p + r else 0:.3f})"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=Path, help="another reader's output, as JSON")
    parser.add_argument("--misses", action="store_true", help="list every miss and extra")
    args = parser.parse_args(argv)
    corpus = load_corpus()
    if args.predictions:
        predictions = json.loads(args.predictions.read_text(encoding="utf-8"))
    else:
        predictions = [ours(entry["sentence"]) for entry in corpus]
    tallies = score(corpus, predictions)
    print(f"{len(corpus)} sentences")
    print(table(tallies))
    if args.misses:
        for name, t in sorted(tallies.items()):
            for miss in t.misses:
                print(f"{name}: {miss}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
