"""How good `reportgen facts draft` is on news articles written for it.

Five articles in ``tests/data/draft_corpus/articles/`` (made-up companies, our own words),
each with the facts an analyst would write for it in ``expected/``: the value, unit,
precision and status of every figure, and the numbers that are names. The drafts are made
one article after another in a real project, as a user would, written into
``seeds/facts/``, accepted as drafted (markers removed), and the store is checked.

``python -m tests.test_draft_corpus`` prints the figures.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from reportgen.errors import ReportErrors
from reportgen.facts import open_store_with_coverage
from reportgen.facts.draft import Draft, DraftFact, draft, figures
from reportgen.facts.draft_yaml import render
from reportgen.scaffold import init_project
from reportgen.sources import SourceOptions, add_source

CORPUS = Path(__file__).parent / "data" / "draft_corpus"


@dataclass
class Scores:
    figures: int = 0
    drafted: int = 0
    values: int = 0
    units: int = 0
    precisions: int = 0
    statuses: int = 0
    qualifiers: int = 0
    names: int = 0
    names_ignored: int = 0
    quotes: int = 0
    quotes_passing: int = 0
    misses: list[str] = field(default_factory=list)

    def share(self, count: int, total: int | None = None) -> float:
        return 100.0 * count / (total if total is not None else self.figures)

    def report(self) -> str:
        rows = [
            ("figures (expected facts)", self.figures, self.figures),
            ("drafted as a fact", self.drafted, self.figures),
            ("values right", self.values, self.figures),
            ("units right", self.units, self.figures),
            ("precision right", self.precisions, self.figures),
            ("status right", self.statuses, self.figures),
            ("qualifier and status right", self.qualifiers, self.figures),
            ("names proposed as ignore entries", self.names_ignored, self.names),
            ("drafted quotes passing check", self.quotes_passing, self.quotes),
        ]
        lines = [f"{name:34} {n:4}/{total:<4} {self.share(n, total or 1):6.1f}%"
                 for name, n, total in rows]  # fmt: skip
        return "\n".join([*lines, *(f"  miss: {m}" for m in self.misses)])


def _project(root: Path) -> Path:
    folder = root / "corpus"
    init_project(folder, "Draft corpus")
    for seed in (CORPUS / "seeds").iterdir():
        target = folder / "seeds" / ("facts" if seed.name.endswith("entities.yaml") else "")
        shutil.copy(seed, target / seed.name)
    return folder


def _expected(name: str) -> dict[str, object]:
    data = yaml.safe_load((CORPUS / "expected" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _offset(text: str, find: str, states: str) -> int:
    assert text.count(find) == 1, f"{find!r} is not once in the article"
    inner = find.index(states)
    return text.index(find) + inner


def _score_fact(scores: Scores, made: DraftFact | None, row: list[object], where: str) -> None:
    _find, _states, value, unit, precision, status = row
    scores.figures += 1
    if made is None:
        scores.misses.append(f"{where}: not drafted as a fact")
        return
    scores.drafted += 1
    got = figures(made)
    want = {"low": value[0], "high": value[1]} if isinstance(value, list) else {"value": value}
    checks = {
        "value": got == want,
        "unit": made.value("unit") == unit,
        "precision": made.precision == precision,
        "status": made.value("status") == status,
    }
    scores.values += checks["value"]
    scores.units += checks["unit"]
    scores.precisions += checks["precision"]
    scores.statuses += checks["status"]
    scores.qualifiers += checks["precision"] and checks["status"]
    wrong = [k for k, ok in checks.items() if not ok]
    if wrong:
        said = {"value": got, "unit": made.value("unit"), "precision": made.precision,
                "status": made.value("status")}  # fmt: skip
        scores.misses.append(f"{where}: {', '.join(f'{k} {said[k]}' for k in wrong)}")


def _score(scores: Scores, result: Draft, expected: dict[str, object], name: str) -> None:
    text = result.text
    by_offset = {f.at: f for f in result.facts}
    rows = expected.get("figures") or []
    assert isinstance(rows, list)
    for row in rows:
        at = _offset(text, str(row[0]), str(row[1]))
        _score_fact(scores, by_offset.get(at), row, f"{name}: {row[1]!r} in {row[0]!r}")
    names = expected.get("names") or []
    assert isinstance(names, list)
    for find, states in names:
        at = _offset(text, find, states)
        scores.names += 1
        if any(i.at == at for i in result.ignores):
            scores.names_ignored += 1
        else:
            scores.misses.append(f"{name}: name {find!r} not proposed as an ignore entry")


def _accepted(text: str) -> str:
    """The draft as a reviewer who accepts every guess leaves it: markers deleted."""
    kept = [re.sub(r"\s+# REVIEW:.*$", "", line) for line in text.splitlines()]
    return "\n".join(line for line in kept if not line.startswith("# REVIEW:")) + "\n"


def measure(root: Path) -> tuple[Scores, list[str]]:
    """Draft every corpus article into a fresh project; the scores and check's problems."""
    project = _project(root)
    scores = Scores()
    for article in sorted((CORPUS / "articles").glob("*.txt")):
        expected = _expected(article.stem)
        add_source(
            project,
            article,
            SourceOptions(publisher="Draft corpus", published=str(expected["published"])),
        )
        result = draft(project, article.stem)
        _score(scores, result, expected, article.stem)
        (project / "seeds" / "facts" / f"{article.stem}.yaml").write_text(
            _accepted(render(result)), encoding="utf-8"
        )
        scores.quotes += len(result.facts)
    problems: list[str] = []
    try:
        open_store_with_coverage(project)
    except ReportErrors as exc:
        problems = exc.lines()
    quote_problems = [
        p
        for p in problems
        if re.search(r"fact '[^']+': (?:quote|value|the quote|its quote|states|unit mismatch)", p)
    ]
    scores.quotes_passing = scores.quotes - len(quote_problems)
    return scores, problems


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scores, list[str]]:
    return measure(tmp_path_factory.mktemp("draft-corpus"))


def test_the_corpus_is_large_enough(measured: tuple[Scores, list[str]]) -> None:
    scores, _ = measured
    assert len(list((CORPUS / "articles").glob("*.txt"))) >= 5
    assert scores.figures >= 100


def test_drafts_read_values_units_and_qualifiers(measured: tuple[Scores, list[str]]) -> None:
    scores, _ = measured
    print("\n" + scores.report())
    assert scores.share(scores.values) >= 98
    assert scores.share(scores.units) >= 90
    assert scores.share(scores.qualifiers) >= 90
    assert scores.share(scores.names_ignored, scores.names) >= 90


def test_drafts_accepted_as_drafted_pass_check(measured: tuple[Scores, list[str]]) -> None:
    """Every drafted quote passes check, and so does the whole store: every number of
    every article is a fact or an ignore entry, and no check fails on a drafted record."""
    scores, problems = measured
    assert scores.quotes_passing == scores.quotes
    assert problems == []


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        found, left = measure(Path(scratch))
    print(found.report())
    print("\n".join(left) or "check: ok")
    sys.exit(0)
