"""Derived metrics: formulas over fact ids, evaluated at load with their inputs kept.

A formula is arithmetic with ids in braces, e.g. ``{se-project-investment} /
{se-project-capacity}``. Only numbers, ids, ``+ - * / **`` and parentheses are
allowed: formulas are content, and content never runs code.
"""

from __future__ import annotations

import ast
import math
import re

from reportgen.errors import Location, Problems
from reportgen.facts.model import Precision, Status
from reportgen.facts.store import Figure, Store

_REF = re.compile(r"\{([^{}]*)\}")
_STATUS_ORDER: list[Status] = ["actual", "estimated", "expected", "planned", "target"]
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def references(formula: str) -> list[str]:
    """The ids a formula reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _REF.finditer(formula):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def _compile(formula: str) -> tuple[ast.Expression, dict[str, str]]:
    """Parse a formula; ids become variable names. ValueError on anything else."""
    names: dict[str, str] = {}

    def name_for(match: re.Match[str]) -> str:
        ref = match.group(1).strip()
        return names.setdefault(ref, f"_v{len(names)}")

    expression = _REF.sub(name_for, formula)
    if "{" in expression or "}" in expression:
        raise ValueError("unbalanced braces")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not a formula ({exc.msg})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and not isinstance(node.op, _OPS):
            raise ValueError("only + - * / ** are allowed")
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.UAdd):
            raise ValueError("only unary minus is allowed")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            raise ValueError("only numbers and {ids} may appear in a formula")
        if not isinstance(
            node,
            ast.Expression
            | ast.BinOp
            | ast.UnaryOp
            | ast.Constant
            | ast.Name
            | ast.operator
            | ast.unaryop
            | ast.Load,
        ):
            raise ValueError(f"'{type(node).__name__}' is not allowed in a formula")
        if isinstance(node, ast.Name) and not node.id.startswith("_v"):
            raise ValueError(f"'{node.id}' is not an id: write ids in braces, {{like-this}}")
    return tree, {v: k for k, v in names.items()}


def _evaluate(node: ast.AST, env: dict[str, float]) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env)
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # _compile admits numbers only
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, env)
        return -operand if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left, right = _evaluate(node.left, env), _evaluate(node.right, env)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if isinstance(node.op, ast.Div):
        if right == 0:
            raise ZeroDivisionError
        return left / right
    result = left**right
    if isinstance(result, complex) or abs(result) > 1e300:
        raise OverflowError
    return float(result)


def derive(store: Store, problems: Problems) -> None:
    """Compute every derived metric into ``store.values``; report cycles and bad formulas."""
    compiled: dict[str, tuple[ast.Expression, dict[str, str]]] = {}
    for metric in store.derived.values():
        loc = store.where(metric.id)
        try:
            compiled[metric.id] = _compile(metric.formula)
        except ValueError as exc:
            problems.add(f"derived '{metric.id}': formula {metric.formula!r}: {exc}", loc)
            continue
        for ref in references(metric.formula):
            if not store.has(ref):
                if store.partial:
                    compiled.pop(metric.id, None)
                    continue
                problems.add(f"derived '{metric.id}': formula names unknown id '{ref}'", loc)
                compiled.pop(metric.id, None)
    state: dict[str, str] = {}  # id -> "visiting" | "done" | "failed"

    def visit(metric_id: str, trail: list[str]) -> bool:
        if state.get(metric_id) == "done":
            return True
        if state.get(metric_id) == "failed":
            return False
        if state.get(metric_id) == "visiting":
            cycle = " -> ".join([*trail[trail.index(metric_id) :], metric_id])
            problems.add(f"derived metrics form a cycle: {cycle}", store.where(metric_id))
            return False
        if metric_id not in compiled:
            state[metric_id] = "failed"
            return False
        state[metric_id] = "visiting"
        tree, names = compiled[metric_id]
        env: dict[str, float] = {}
        for var, ref in names.items():
            if ref in store.facts:
                env[var] = float(store.facts[ref].value)
            elif visit(ref, [*trail, metric_id]):
                env[var] = store.values[ref]
            else:
                state[metric_id] = "failed"
                return False
        try:
            value = _evaluate(tree, env)
        except ZeroDivisionError:
            problems.add(f"derived '{metric_id}': division by zero", store.where(metric_id))
            state[metric_id] = "failed"
            return False
        except OverflowError:
            problems.add(
                f"derived '{metric_id}': result is not a real number", store.where(metric_id)
            )
            state[metric_id] = "failed"
            return False
        if not math.isfinite(value):
            problems.add(f"derived '{metric_id}': result is not finite", store.where(metric_id))
            state[metric_id] = "failed"
            return False
        store.values[metric_id] = value
        state[metric_id] = "done"
        return True

    for metric_id in sorted(compiled):
        visit(metric_id, [])


def _leaves(store: Store, figure_id: str, seen: set[str] | None = None) -> list[str]:
    """The facts a derived metric ultimately rests on."""
    seen = seen if seen is not None else set()
    if figure_id in seen:
        return []
    seen.add(figure_id)
    if figure_id in store.facts:
        return [figure_id]
    return [
        leaf
        for ref in references(store.derived[figure_id].formula)
        for leaf in _leaves(store, ref, seen)
    ]


def describe(store: Store, metric_id: str) -> Figure:
    """A derived metric as a Figure: its qualifier is the weakest of its inputs'."""
    metric = store.derived[metric_id]
    leaves = [store.facts[leaf] for leaf in _leaves(store, metric_id)]
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
