"""Derived metrics: formulas over fact ids, evaluated at load with their inputs kept.

A formula is arithmetic with ids in braces, e.g. ``{se-project-investment} /
{se-project-capacity}``. Only numbers, ids, ``+ - * / **`` and parentheses are
allowed: formulas are content, and content never runs code.
"""

from __future__ import annotations

import math

from reportgen.errors import Location, Problems
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
    """Compute every derived metric into ``store.values``; report cycles and bad formulas."""
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
                if store.partial:
                    compiled.pop(metric.id, None)
                    continue
                problems.add(f"derived '{metric.id}': formula names unknown id '{ref}'", loc)
                compiled.pop(metric.id, None)
    state: dict[str, str] = {}  # id -> "visiting" | "done" | "failed"
    for metric_id in sorted(compiled):
        _visit(store, compiled, state, metric_id, problems)


def _visit(
    store: Store,
    compiled: dict[str, list[Step]],
    state: dict[str, str],
    start: str,
    problems: Problems,
) -> None:
    """Compute ``start`` after the derived metrics it reads, depth first on an explicit
    stack: a chain of thousands of metrics, each reading the last, is no deeper."""
    trail: list[str] = []
    stack: list[tuple[str, bool]] = [(start, False)]
    while stack:
        metric_id, inputs_ready = stack.pop()
        if inputs_ready:
            trail.pop()
            _compute(store, compiled[metric_id], metric_id, state, problems)
            continue
        if state.get(metric_id) in ("done", "failed"):
            continue
        if state.get(metric_id) == "visiting":
            cycle = " -> ".join([*trail[trail.index(metric_id) :], metric_id])
            problems.add(f"derived metrics form a cycle: {cycle}", store.where(metric_id))
            for member in trail:  # the cycle and whatever reads it
                state[member] = "failed"
            return
        if metric_id not in compiled:
            state[metric_id] = "failed"
            continue
        state[metric_id] = "visiting"
        trail.append(metric_id)
        stack.append((metric_id, True))
        for ref in reversed(references(store.derived[metric_id].formula)):
            if ref in store.derived:
                stack.append((ref, False))


def _compute(
    store: Store, steps: list[Step], metric_id: str, state: dict[str, str], problems: Problems
) -> None:
    values: dict[str, float] = {}
    for ref in references(store.derived[metric_id].formula):
        if ref in store.facts:
            values[ref] = store.facts[store.current(ref)].figure
        elif state.get(ref) == "done":
            values[ref] = store.values[ref]
        else:
            state[metric_id] = "failed"
            return
    try:
        value = evaluate(steps, values)
    except ZeroDivisionError:
        problems.add(f"derived '{metric_id}': division by zero", store.where(metric_id))
        state[metric_id] = "failed"
        return
    except OverflowError:
        problems.add(f"derived '{metric_id}': result is not a real number", store.where(metric_id))
        state[metric_id] = "failed"
        return
    if not math.isfinite(value):
        problems.add(f"derived '{metric_id}': result is not finite", store.where(metric_id))
        state[metric_id] = "failed"
        return
    store.values[metric_id] = value
    # Its inputs' leaves are known by now: a chain of metrics costs one step per link.
    refs = references(store.derived[metric_id].formula)
    # A fact's leaf is its current figure: a superseded input counts as its successor.
    found = (leaf for ref in refs for leaf in store.leaves.get(ref, (store.current(ref),)))
    store.leaves[metric_id] = tuple(dict.fromkeys(found))
    state[metric_id] = "done"


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
        value=store.values[metric_id],
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


def location_of(store: Store, metric_id: str) -> Location | None:
    return store.where(metric_id)
