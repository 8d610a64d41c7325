"""``reportgen check``: every input of a report project, validated at once."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import Problems, ReportErrors
from reportgen.facts import Coverage, Store, open_store_with_coverage

log = logging.getLogger(__name__)


@dataclass
class CheckSummary:
    store: Store
    coverage: Coverage
    charts: int
    templates: int

    def render(self) -> str:
        s = self.store
        conflicts = s.all_conflicts()
        n_conflicts = sum(1 for c in conflicts if c.kind == "conflict")
        return (
            f"ok: {len(s.sources)} sources, {len(s.entities)} entities, {len(s.facts)} facts, "
            f"{len(s.derived)} derived, {n_conflicts} conflicts, "
            f"{len(conflicts) - n_conflicts} caveats, {len(s.ignored)} ignored numbers, "
            f"{self.charts} charts, {self.templates} templates; numeric statements covered: "
            f"{self.coverage.covered}/{self.coverage.statements} "
            # Rounded down: 99.6% is not "100%" while a number is unaccounted for.
            f"({math.floor(self.coverage.percent)}%)"
        ) + "".join(f"\n  {c.line()}" for _, c in sorted(self.coverage.sources.items()))


def check_project(project: Path) -> CheckSummary:
    """Validate the store, chart specs and templates; raise ReportErrors with every problem."""
    problems = Problems()
    store: Store | None = None
    coverage = Coverage()
    try:
        store, coverage = open_store_with_coverage(project)
    except ReportErrors as exc:
        problems.extend(exc)
    from reportgen.render import check_templates
    from reportgen.render.preview import check_rendering, outline_charts
    from reportgen.sources import check_articles

    outlines = None if store is None else outline_charts(store, project.resolve(), problems)
    templates = check_templates(project.resolve(), problems)
    check_articles(project, problems)
    if store is not None:
        check_rendering(store, project, outlines, problems)
    charts = len(outlines or [])
    problems.raise_if_any()
    assert store is not None
    return CheckSummary(store, coverage, charts, templates)
