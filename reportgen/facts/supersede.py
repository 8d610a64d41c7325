"""Supersession: a newer figure replaces an older one only when the store says so.

A fact may say ``supersedes: OLD`` (an actual 2023 figure for the expected one). The
older fact stays in the store and the appendix; text, formulas and charts use the
newer (:meth:`reportgen.facts.store.Store.current`). A newer source that gives the
same entity, metric and period a different figure without saying which it is, a
replacement or a disagreement (a ``conflicts:`` entry), fails ``check``: the analyst
decides, the tool never guesses.
"""

from __future__ import annotations

from collections import defaultdict

from reportgen.errors import Problems
from reportgen.facts.model import Fact
from reportgen.facts.store import Store


def check_supersession(store: Store, problems: Problems) -> None:
    """Add a problem for every bad ``supersedes:`` and every undecided newer figure;
    drop the detected conflicts that supersession explains."""
    _check_links(store, problems)
    _check_undecided(store, problems)
    store.detected_conflicts = [
        c
        for c in store.detected_conflicts
        if len({store.current(f) for f in c.facts if f in store.facts}) > 1
    ]


def _check_links(store: Store, problems: Problems) -> None:
    taken: dict[str, str] = {}
    for fact in store.facts.values():
        old_id = fact.supersedes
        if old_id is None:
            continue
        where = store.where(fact.id)
        old = store.facts.get(old_id)
        if old is None:
            if not store.partial:
                problems.add(f"fact '{fact.id}' supersedes unknown fact '{old_id}'", where)
            continue
        if _loops(store, fact.id):
            problems.add(f"fact '{fact.id}': supersession forms a cycle", where)
            continue
        if old_id in taken:
            problems.add(
                f"fact '{fact.id}' supersedes '{old_id}', which '{taken[old_id]}' already "
                "supersedes: supersede the newest of them instead",
                where,
            )
            continue
        taken[old_id] = fact.id
        _check_pair(store, fact, old, problems)


def _loops(store: Store, fact_id: str) -> bool:
    """Whether following ``supersedes:`` from ``fact_id`` comes back to it."""
    seen = {fact_id}
    current = store.facts[fact_id].supersedes
    while current is not None and current in store.facts:
        if current in seen:
            return True
        seen.add(current)
        current = store.facts[current].supersedes
    return False


def _check_pair(store: Store, new: Fact, old: Fact, problems: Problems) -> None:
    where = store.where(new.id)
    differs = [
        f"{name} '{getattr(new, name)}' (not '{getattr(old, name)}')"
        for name in ("entity", "metric", "period", "unit")
        if getattr(new, name) != getattr(old, name)
    ]
    if differs:
        problems.add(
            f"fact '{new.id}' supersedes '{old.id}' but has {', '.join(differs)}: a figure "
            "replaces one for the same entity, metric, period and unit",
            where,
        )
    if new.low is not None and old.low is None:
        problems.add(
            f"fact '{new.id}' is a range and supersedes '{old.id}', a single figure that "
            "formulas and charts may read: give it a value:",
            where,
        )
    if _newer(store, old, new):
        problems.add(
            f"fact '{new.id}' supersedes '{old.id}', whose source '{old.source}' is newer "
            f"than '{new.source}': an older source never replaces a newer one",
            where,
        )


def _date(store: Store, fact: Fact) -> str | None:
    source = store.sources.get(fact.source)
    return None if source is None else source.published.date


def _newer(store: Store, first: Fact, second: Fact) -> bool:
    """Whether ``first``'s source is plainly newer than ``second``'s: compared at the
    coarser of the two dates' precisions ("2024" is not newer than "2024-01")."""
    a, b = _date(store, first), _date(store, second)
    if a is None or b is None:
        return False
    width = min(len(a), len(b))
    return a[:width] > b[:width]


def _same_figure(a: Fact, b: Fact) -> bool:
    return (a.value, a.low, a.high, a.status) == (b.value, b.low, b.high, b.status)


def _check_undecided(store: Store, problems: Problems) -> None:
    groups: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    for fact in store.facts.values():
        groups[(fact.entity, fact.metric, fact.period)].append(fact)
    declared = [set(c.facts) for c in store.conflicts.values() if c.kind == "conflict"]
    for facts in groups.values():
        for new in facts:
            old = next(
                (
                    old
                    for old in facts
                    if old.source != new.source
                    and _newer(store, new, old)
                    and not _same_figure(old, new)
                    and store.current(old.id) != store.current(new.id)
                    and not any({old.id, new.id} <= d for d in declared)
                ),
                None,
            )
            if old is not None:
                problems.add(
                    f"fact '{new.id}' ({new.source}, {_date(store, new)}) gives "
                    f"{store.entity_name(new.entity)} {new.metric.replace('_', ' ')} for "
                    f"{new.period} differently from '{old.id}' ({old.source}, "
                    f"{_date(store, old)}): add 'supersedes: {store.current(old.id)}' if it "
                    f"replaces it, or declare both in a conflicts: entry if they disagree",
                    store.where(new.id),
                )
