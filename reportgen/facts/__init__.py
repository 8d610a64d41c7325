"""The fact store: sources, entities, facts, derived metrics and conflicts."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import Problems, ReportError, ReportErrors
from reportgen.facts.derive import derive
from reportgen.facts.load import load_store
from reportgen.facts.store import Figure, Store
from reportgen.facts.supersede import check_supersession
from reportgen.facts.verify import Coverage, verify

__all__ = [
    "Coverage",
    "Figure",
    "Store",
    "open_checked_store",
    "open_store",
    "open_store_with_coverage",
]


def open_store_with_coverage(project: Path) -> tuple[Store, Coverage]:
    """Load, derive and verify the store; raise ReportErrors listing every problem."""
    problems = Problems()
    store = load_store(project, problems)
    derive(store, problems)
    coverage = verify(store, problems)
    check_supersession(store, problems)
    problems.raise_if_any()
    return store, coverage


def open_store(project: Path) -> Store:
    """The verified store of a report project, ready for charts and templates."""
    return open_store_with_coverage(project)[0]


def open_checked_store(project: Path) -> Store:
    """The store as ``build`` accepts it: checked, every article declared and dated.

    An undeclared article, or a date awaiting review, never reaches a briefing."""
    from reportgen.sources import check_articles  # sources reads this package's models

    problems = Problems()
    check_articles(project, problems)
    try:
        store = open_store(project)
    except ReportError as exc:
        problems.extend(exc)
        raise ReportErrors(problems) from None
    problems.raise_if_any()
    return store
