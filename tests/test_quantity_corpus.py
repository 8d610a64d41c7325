"""The quantity reader on the news-sentence corpus (tests/data/quantity_corpus.yaml):
per category, precision and recall of at least 0.98 for figures written in digits and
0.9 for figures written in words; values with their unit and qualifier."""

from __future__ import annotations

import pytest

from scripts.quantity_corpus import WORD_CATEGORIES, load_corpus, ours, score

CORPUS = load_corpus()
TALLIES = score(CORPUS, [ours(entry["sentence"]) for entry in CORPUS])


def test_the_corpus_is_large_and_covers_every_category() -> None:
    assert len(CORPUS) >= 200
    assert set(TALLIES) >= {"digits", "scale", "currency", "range", "percent", "unicode"}
    assert set(TALLIES) >= WORD_CATEGORIES | {"qualifier", "distractor"}


@pytest.mark.parametrize("category", sorted(TALLIES))
def test_precision_and_recall_per_category(category: str) -> None:
    tally = TALLIES[category]
    floor = 0.9 if category in WORD_CATEGORIES else 0.98
    assert tally.precision >= floor, tally.misses
    assert tally.recall >= floor, tally.misses


def test_units_and_qualifiers_are_read_with_the_values() -> None:
    found = sum(t.found for t in TALLIES.values())
    assert sum(t.found_unit for t in TALLIES.values()) >= 0.95 * found
    assert sum(t.qualifier_ok for t in TALLIES.values()) >= 0.95 * found
