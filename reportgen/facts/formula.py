"""Formulas of derived metrics: read into postfix order and evaluated on a stack.

A formula is arithmetic over ids in braces: numbers, ``+ - * / **``, unary minus
and parentheses, with Python's precedence (``-2 ** 2`` is -4, ``**`` groups to the
right). Neither reading nor evaluating recurses, so a formula of thousands of unary
minus signs or terms is just a long formula, and nothing in it is ever run as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: An id in braces, as formulas and store prose refer to a figure.
REF = re.compile(r"\{([^{}]*)\}")
#: One token: a number, an id in braces, an operator, a parenthesis, or a bare word.
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|\{(?P<ref>[^{}]*)\}"
    r"|(?P<op>\*\*|[-+*/()])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
#: Binding strength of each binary operator; unary signs bind at 3, ``**`` at 4.
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_UNARY = 3


@dataclass(frozen=True)
class Step:
    """One instruction of a compiled formula, in postfix order."""

    #: "num", "ref", "neg", "pos" or one of the binary operators.
    kind: str
    number: float = 0.0
    ref: str = ""


def _tokens(formula: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(formula):
        if formula[position:].strip() == "":
            break
        match = _TOKEN.match(formula, position)
        if match is None or match.end() == position:
            char = formula[position:].lstrip()[0]
            if char in "{}":
                raise ValueError("unbalanced braces")
            if char in "%<>&|^~=!,.:;[]@":
                raise ValueError("only + - * / ** are allowed")
            raise ValueError(f"{char!r} is not allowed in a formula")
        kind = match.lastgroup
        assert kind is not None
        text = match.group(kind)
        if kind == "word":
            raise ValueError(f"'{text}' is not an id: write ids in braces, {{like-this}}")
        if kind == "op" and text == "/" and formula.startswith("//", match.start(kind)):
            raise ValueError("only + - * / ** are allowed")
        tokens.append((kind, text.strip() if kind == "ref" else text))
        position = match.end()
    return tokens


def compile_formula(formula: str) -> list[Step]:
    """The formula as postfix steps (shunting-yard); ValueError says what is wrong."""
    output: list[Step] = []
    #: Operators waiting for their right operand: (symbol, strength); "(" has none.
    waiting: list[tuple[str, int]] = []
    expect_operand = True
    for kind, text in _tokens(formula):
        if kind in ("number", "ref"):
            if not expect_operand:
                raise ValueError("not a formula (an operator is missing)")
            output.append(Step("num", float(text)) if kind == "number" else Step("ref", ref=text))
            expect_operand = False
        elif text == "(":
            if not expect_operand:
                raise ValueError("not a formula (an operator is missing before '(')")
            waiting.append(("(", 0))
        elif text == ")":
            if expect_operand:
                raise ValueError("not a formula (a number or {id} is missing before ')')")
            while waiting and waiting[-1][0] != "(":
                output.append(Step(waiting.pop()[0]))
            if not waiting:
                raise ValueError("not a formula (unbalanced parentheses)")
            waiting.pop()
        elif expect_operand:
            if text not in "+-":
                raise ValueError(f"not a formula ('{text}' has nothing on its left)")
            waiting.append(("neg" if text == "-" else "pos", _UNARY))
        else:
            strength = _BINARY[text]
            right_grouping = text == "**"
            while waiting and waiting[-1][0] != "(":
                top = waiting[-1][1]
                if top > strength or (top == strength and not right_grouping):
                    output.append(Step(waiting.pop()[0]))
                else:
                    break
            waiting.append((text, strength))
            expect_operand = True
    if expect_operand:
        raise ValueError("not a formula (it ends without a number or {id})")
    while waiting:
        symbol = waiting.pop()[0]
        if symbol == "(":
            raise ValueError("not a formula (unbalanced parentheses)")
        output.append(Step(symbol))
    return output


def evaluate(steps: list[Step], values: dict[str, float]) -> float:
    """The formula's value; ZeroDivisionError, or OverflowError for a result that is
    not a real number (too large, or a root of a negative number)."""
    stack: list[float] = []
    for step in steps:
        if step.kind == "num":
            stack.append(step.number)
        elif step.kind == "ref":
            stack.append(values[step.ref])
        elif step.kind == "neg":
            stack.append(-stack.pop())
        elif step.kind == "pos":
            pass
        else:
            right, left = stack.pop(), stack.pop()
            stack.append(_apply(step.kind, left, right))
    (result,) = stack
    return result


def _apply(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if right == 0:
            raise ZeroDivisionError
        return left / right
    result = left**right  # ZeroDivisionError for 0 ** -1, OverflowError when too large
    if isinstance(result, complex) or abs(result) > 1e300:
        raise OverflowError
    return float(result)
