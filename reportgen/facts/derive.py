"""Derived metrics: formulas over fact ids, evaluated at load with their inputs kept.

A formula is arithmetic with ids in braces, e.g. ``{se-project-investment} /
{se-project-capacity}``. Only numbers, ids, ``+ - * / **`` and parentheses are
allowed: formulas are content, and content never runs code.
"""

from __future__ import annotations

import math
from graphlib import CycleError, TopologicalSorter

from reportgen.errors import Problems
from reportgen.facts.formula import REF, Step, compile_formula, evaluate
from reportgen.facts.model import Precision, Status
from reportgen.facts.store import Figure, Store
from reportgen.text import shorten

_STATUS_ORDER: list[Status] = ["actual", "estimated", "expected", "planned", "target"]


def references(formula: str) -> list[str]:
    """The ids a formula reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in REF.finditer(formula):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def derive(store: Store, problems: Problems) -> None:
    """Compute every derived metric into ``store.derived_values``; report cycles and bad
    formulas. A metric that reads one that has no value gets none either, silently: the
    problem is reported where it is."""
    compiled = _compile(store, problems)
    done: set[str] = set()
    for metric_id in _order(store, compiled, problems):
        if metric_id in compiled and _compute(
            store, compiled[metric_id], metric_id, done, problems
        ):
            done.add(metric_id)


def _compile(store: Store, problems: Problems) -> dict[str, list[Step]]:
    """Each formula that reads and names only known ids, compiled."""
    compiled: dict[str, list[Step]] = {}
    for metric in store.derived.values():
        loc = store.where(metric.id)
        try:
            compiled[metric.id] = compile_formula(metric.formula)
        except ValueError as exc:
            shown = shorten(repr(metric.formula), 60, keep_last=True)
            problems.add(f"derived '{metric.id}': formula {shown}: {exc}", loc)
            continue
        for ref in references(metric.formula):
            if not store.has(ref):
                if not store.partial:
                    problems.add(f"derived '{metric.id}': formula names unknown id '{ref}'", loc)
                compiled.pop(metric.id, None)
    return compiled


def _order(store: Store, compiled: dict[str, list[Step]], problems: Problems) -> list[str]:
    """The metrics, each after the derived metrics it reads; a cycle is reported (at its
    first id) and left out, and so, later, is whatever reads it."""
    graph = {
        metric_id: [r for r in references(store.derived[metric_id].formula) if r in store.derived]
        for metric_id in sorted(compiled)
    }
    while True:
        try:
            return list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            cycle = _as_read(exc.args[1])
            problems.add(
                f"derived metrics form a cycle: {' -> '.join(cycle)}", store.where(cycle[0])
            )
            for member in cycle:
                graph.pop(member, None)
                compiled.pop(member, None)


def _as_read(cycle: list[str]) -> list[str]:
    """graphlib's cycle (each id an input of the next) as "a -> b": a reads b, from the
    first id in sorted order round to itself, so the message does not depend on where
    the search entered the cycle."""
    members = cycle[-1:0:-1]
    first = members.index(min(members))
    members = members[first:] + members[:first]
    return [*members, members[0]]


def _compute(
    store: Store, steps: list[Step], metric_id: str, done: set[str], problems: Problems
) -> bool:
    """Compute one metric whose derived inputs have been computed (or failed); whether
    it has a value."""
    values: dict[str, float] = {}
    for ref in references(store.derived[metric_id].formula):
        if ref in store.facts:
            values[ref] = store.facts[store.current(ref)].figure
        elif ref in done:
            values[ref] = store.derived_values[ref]
        else:
            return False
    try:
        value = evaluate(steps, values)
    except ZeroDivisionError:
        problems.add(f"derived '{metric_id}': division by zero", store.where(metric_id))
        return False
    except OverflowError:
        problems.add(f"derived '{metric_id}': result is not a real number", store.where(metric_id))
        return False
    if not math.isfinite(value):
        problems.add(f"derived '{metric_id}': result is not finite", store.where(metric_id))
        return False
    store.derived_values[metric_id] = value
    # Its inputs' leaves are known by now: a chain of metrics costs one step per link.
    refs = references(store.derived[metric_id].formula)
    # A fact's leaf is its current figure: a superseded input counts as its successor.
    found = (leaf for ref in refs for leaf in store.leaves.get(ref, (store.current(ref),)))
    store.leaves[metric_id] = tuple(dict.fromkeys(found))
    return True


def _leaves(store: Store, figure_id: str) -> list[str]:
    """The facts a derived metric ultimately rests on, in formula order (no recursion:
    a chain of metrics may be thousands long)."""
    leaves: list[str] = []
    seen: set[str] = set()
    stack = [figure_id]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in store.facts:
            leaves.append(store.current(current))
        elif current in store.derived:
            stack.extend(reversed(references(store.derived[current].formula)))
    return leaves


def describe(store: Store, metric_id: str) -> Figure:
    """A derived metric as a Figure: its qualifier is the weakest of its inputs'."""
    metric = store.derived[metric_id]
    ids = store.leaves.get(metric_id) or _leaves(store, metric_id)
    leaves = [store.facts[leaf] for leaf in ids]
    status: Status = max((f.status for f in leaves), key=_STATUS_ORDER.index, default="actual")
    exact = all(f.precision == "exact" for f in leaves) and metric.decimals >= 0
    precision: Precision = "exact" if exact else "about"
    sources = tuple(sorted({f.source for f in leaves}))
    return Figure(
        id=metric.id,
        kind="derived",
        value=store.derived_values[metric_id],
        unit=metric.unit,
        precision=precision,
        status=status,
        label=metric.label,
        period=metric.period,
        entity=metric.entity,
        metric=metric.metric,
        sources=sources,
        decimals=metric.decimals,
        formula=metric.formula,
        inputs=tuple(references(metric.formula)),
        caveats=tuple(metric.caveats),
    )
