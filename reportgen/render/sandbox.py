"""Templates are content, not code: they run in Jinja's immutable sandbox.

Analysts edit the templates and CI builds pull requests, so a template must not
reach Python's internals (``cycler.__init__.__globals__``), run commands, change
the objects it is given, or exhaust the machine with one expression. The sandbox
refuses all of that while rendering; :func:`unsafe_uses` finds the same things in
a template's syntax tree, so ``check`` refuses them without rendering, including
in branches a build would not take.
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable, Iterator, Sized
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from pydantic import BaseModel

#: Jinja's default globals that templates are not given: placeholder text has no
#: place in a briefing.
WITHHELD_GLOBALS = ("lipsum",)
#: An integer power past this many bits, or a repeated string or list past this many
#: items, is refused: either would stall or exhaust the build for one expression.
MAX_POWER_BITS = 4096
MAX_REPEAT = 1_000_000
#: Filters whose first argument names an attribute to read (others take ``attribute=``).
_ATTRIBUTE_FILTERS = ("attr", "map", "selectattr", "rejectattr", "groupby", "sum")
SANDBOX = "refused by the template sandbox"
#: The store's records are pydantic models: templates read their fields, never the
#: model API (``parse_file`` reads any file, ``model_fields`` leads to classes).
_MODEL_API = frozenset(name for name in dir(BaseModel) if not name.startswith("_"))
#: The model API names ``check`` refuses on sight; the others (copy, dict, json...)
#: are also ordinary methods of dicts and strings, refused on models when rendering.
_MODEL_ONLY = frozenset(n for n in _MODEL_API if n.startswith(("model_", "parse_", "schema_")))
_MODEL_ONLY |= {"from_orm", "update_forward_refs"}


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with ``**`` and ``*`` bounded."""

    intercepted_binops = frozenset(["**", "*"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in WITHHELD_GLOBALS:
            self.globals.pop(name, None)
        self.globals["range"] = _bounded_range

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        model = isinstance(obj, BaseModel) or (isinstance(obj, type) and issubclass(obj, BaseModel))
        if model and attr in _MODEL_API:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refused at once: Jinja's default, an undefined value that fails when used,
        lets ``map(attribute='__class__')`` print quietly."""
        kind = type(obj).__name__
        raise SecurityError(f"access to attribute '{attribute}' of a '{kind}' object")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        refusal = _oversized(operator, left, right)
        if refusal is not None:
            raise SecurityError(refusal)
        return super().call_binop(context, operator, left, right)


def _bounded_range(*args: int) -> range:
    """``range`` as Jinja's sandbox bounds it, refused as a sandbox violation."""
    bounds = range(*args)
    if len(bounds) > MAX_RANGE:
        raise SecurityError(f"range of {len(bounds)} items (at most {MAX_RANGE})")
    return bounds


def _oversized(op: str, left: object, right: object) -> str | None:
    """Why ``left op right`` is too large to compute, or None."""
    if op == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        bits = right * abs(left).bit_length()
        return (
            f"{left} ** {right} is too large (over {MAX_POWER_BITS} bits)"
            if bits > MAX_POWER_BITS
            else None
        )
    if op != "*":
        return None
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, Sized) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
            return f"repeating {len(seq)} items {times} times is too large"
    return None


def _unsafe_name(name: object) -> bool:
    return isinstance(name, str) and any(
        part.startswith("_") or part in _MODEL_ONLY for part in name.split(".")
    )


def _format_fields(template: str) -> Iterator[str]:
    """Attribute and index names a ``str.format`` template would read."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return
    for _, field, spec, _ in parsed:
        if field:
            yield from field.replace("[", ".").replace("]", "").split(".")[1:]
        if spec:
            yield from _format_fields(spec)


def unsafe_uses(ast: nodes.Template) -> list[tuple[int, str]]:
    """(line, message) for each thing in a template the sandbox refuses at render."""
    found: list[tuple[int, str]] = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        attribute = getattr(node, "attr", None)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attribute = node.arg.value
        if _unsafe_name(attribute):
            found.append((node.lineno, f"{SANDBOX}: access to attribute '{attribute}'"))
        if isinstance(node, nodes.Name) and node.name in WITHHELD_GLOBALS and node.ctx == "load":
            found.append((node.lineno, f"{SANDBOX}: '{node.name}' is not given to templates"))
    for call in ast.find_all((nodes.Filter, nodes.Test, nodes.Call)):
        assert isinstance(call, nodes.Filter | nodes.Test | nodes.Call)
        found += _unsafe_call(call)
    for binop in ast.find_all((nodes.Pow, nodes.Mul)):
        try:
            _constant(binop)
        except SecurityError as exc:
            found.append((binop.lineno, f"{SANDBOX}: {exc.message}"))
        except _NotConstant:
            pass
    return sorted(set(found))


def _unsafe_call(call: nodes.Filter | nodes.Test | nodes.Call) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    names: list[object] = [
        kw.value.value
        for kw in call.kwargs
        if kw.key == "attribute" and isinstance(kw.value, nodes.Const)
    ]
    if isinstance(call, nodes.Filter) and call.name in _ATTRIBUTE_FILTERS and call.args:
        first = call.args[0]
        names += [first.value] if isinstance(first, nodes.Const) else []
    if isinstance(call, nodes.Call) and isinstance(call.node, nodes.Getattr):
        target = call.node.node
        if call.node.attr in ("format", "format_map") and isinstance(target, nodes.Const):
            names += list(_format_fields(str(target.value)))
    for name in names:
        if _unsafe_name(name):
            found.append((call.lineno, f"{SANDBOX}: access to attribute '{name}'"))
    if (
        isinstance(call, nodes.Call)
        and isinstance(call.node, nodes.Name)
        and call.node.name == "range"
        and call.args
    ):
        try:
            size = len(range(*(_constant(arg) for arg in call.args)))
        except (_NotConstant, SecurityError, TypeError, ValueError, OverflowError):
            return found
        if size > MAX_RANGE:
            found.append((call.lineno, f"{SANDBOX}: range of {size} items (at most {MAX_RANGE})"))
    return found


class _NotConstant(Exception):
    pass


_ARITHMETIC: dict[type[nodes.BinExpr], Callable[[Any, Any], Any]] = {
    nodes.Add: operator.add,
    nodes.Sub: operator.sub,
    nodes.Mul: operator.mul,
    nodes.Pow: operator.pow,
    nodes.Div: operator.truediv,
    nodes.FloorDiv: operator.floordiv,
    nodes.Mod: operator.mod,
}


def _constant(node: nodes.Node) -> Any:
    """The value of constant arithmetic, as the sandbox would compute it (SecurityError
    where it would refuse); _NotConstant for anything else."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Neg | nodes.Pos):
        value = _constant(node.node)
        return -value if isinstance(node, nodes.Neg) else value
    if not isinstance(node, nodes.BinExpr) or type(node) not in _ARITHMETIC:
        raise _NotConstant
    function = _ARITHMETIC[type(node)]
    left, right = _constant(node.left), _constant(node.right)
    refusal = _oversized(node.operator, left, right)
    if refusal is not None:
        raise SecurityError(refusal)
    try:
        return function(left, right)
    except (ArithmeticError, TypeError, ValueError):
        raise _NotConstant from None
