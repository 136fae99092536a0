"""Safe expressions in specs: ``make_divisible(32 * alpha, 8)``, ``resolution // 2``.

Text is parsed with :func:`ast.parse` and then *interpreted* by a whitelist walker:
numbers, declared parameter names, ``+ - * / //``, unary ``-``/``+``, parentheses and
calls of the functions in :data:`costmodel.arith.FUNCTIONS`. Nothing is ever evaluated
by Python (no ``eval``, no ``sympify``). Decimal literals are exact: ``0.75`` is 3/4.

Text is ASCII only: Python would read a fullwidth ``ａlpha`` as ``alpha`` (NFKC
normalisation of identifiers). Every number the interpreter meets or computes — literal,
name, operand or result of an operator or function — is bounded by
:func:`costmodel.arith.bounded`, so no expression can build a number of unbounded size.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

from costmodel.arith import FUNCTIONS, Value, as_int, bounded, decimal_text, parse_decimal
from costmodel.errors import SpecError, printable

__all__ = ["MAX_EXPRESSION_LENGTH", "MAX_EXPONENT", "MAX_POWER_BITS", "evaluate", "truth"]

MAX_EXPRESSION_LENGTH = 500

MAX_EXPONENT = 64
"""``a ** b`` needs a whole b with |b| ≤ this (compound scaling needs single digits)."""

MAX_POWER_BITS = 4096
"""``a ** b`` is refused when its numerator or denominator would exceed this many bits."""

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


@lru_cache(maxsize=4096)
def _parse(text: str) -> ast.expr:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise SpecError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    if not text.isascii():
        char = next(c for c in text if not c.isascii())
        raise SpecError(f"non-ASCII character '{printable(char)}' (U+{ord(char):04X}) in expression "
                        f"{text!r}: names and digits are ASCII only")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise SpecError(f"cannot parse expression {text!r}") from None


def _literal(node: ast.Constant, text: str) -> Value:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{value!r} is not allowed in an expression (only numbers) in {text!r}")
    if isinstance(value, float):
        # The source digits, not the binary float: 0.75 -> 3/4, 0.1 -> 1/10.
        return parse_decimal(ast.get_source_segment(text, node) or repr(value))
    return bounded(value)


def _interpret(node: ast.expr, scope: Mapping[str, Value], text: str) -> Value:
    """The value of ``node``; every result is bounded in size (see module docstring)."""
    try:
        return bounded(_step(node, scope, text))
    except SpecError as error:
        if "digits (the limit" in error.message and text not in error.message:
            error.message += f" (in {text!r})"
        raise
    except (ArithmeticError, ValueError, TypeError) as error:
        # A helper refusing its arguments (sympy cannot order a symbolic value, a bound
        # exceeded inside a conversion): one line naming the expression.
        raise SpecError(f"cannot evaluate {text!r}: {error}") from None


def _step(node: ast.expr, scope: Mapping[str, Value], text: str) -> Value:
    if isinstance(node, ast.Constant):
        return _literal(node, text)
    if isinstance(node, ast.Name):
        if node.id not in scope:
            known = ", ".join(sorted(scope)) or "none"
            raise SpecError(f"unknown name '{node.id}' in {text!r} (declared: {known})")
        return scope[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _interpret(node.left, scope, text)
        right = _interpret(node.right, scope, text)
        if isinstance(node.op, (ast.Div, ast.FloorDiv)) and not getattr(right, "free_symbols", None) \
                and right == 0:
            raise SpecError(f"division by zero in {text!r}")
        if isinstance(node.op, ast.Div) and isinstance(left, int) and isinstance(right, int):
            return as_int(Fraction(left, right))
        return as_int(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _power(_interpret(node.left, scope, text), _interpret(node.right, scope, text), text)
    if isinstance(node, ast.Compare):
        return _compare(node, scope, text)
    if isinstance(node, ast.BoolOp):
        values = [truth(_interpret(v, scope, text), text) for v in node.values]
        return int(all(values) if isinstance(node.op, ast.And) else any(values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return int(not truth(_interpret(node.operand, scope, text), text))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_interpret(node.operand, scope, text))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = FUNCTIONS.get(node.func.id)
        if function is None:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise SpecError(f"call of '{node.func.id}' is not allowed in {text!r} (allowed: {allowed})")
        args = [_interpret(arg, scope, text) for arg in node.args]
        try:
            return function(*args)
        except TypeError:
            raise SpecError(f"wrong number of arguments to {node.func.id}() in {text!r}") from None
        except SpecError as error:
            raise SpecError(f"{error.message} in {text!r}") from None
    fragment = ast.get_source_segment(text, node) or type(node).__name__
    raise SpecError(f"'{fragment}' is not allowed in an expression: {text!r} "
                    "(numbers, declared names, + - * / // **, comparisons, and/or/not, "
                    "parentheses and "
                    f"{', '.join(sorted(FUNCTIONS))} only)")


def _power(base: Value, exponent: Value, text: str) -> Value:
    """base ** exponent, exact: a whole exponent within ±MAX_EXPONENT and a bounded result."""
    exponent = as_int(exponent)
    if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
        raise SpecError(f"exponent {exponent} in {text!r}: '**' needs a whole number between "
                        f"-{MAX_EXPONENT} and {MAX_EXPONENT} (the result must stay exact)")
    if isinstance(base, (int, Fraction)):
        if base == 0 and exponent < 0:
            raise SpecError(f"division by zero in {text!r}")
        bits = max(Fraction(base).numerator.bit_length(), Fraction(base).denominator.bit_length())
        if bits * abs(exponent) > MAX_POWER_BITS:
            raise SpecError(f"{text!r} would exceed {MAX_POWER_BITS} bits")
        return as_int(Fraction(base) ** exponent)
    return base**exponent


def _compare(node: ast.Compare, scope: Mapping[str, Value], text: str) -> int:
    """1 when every comparison of the chain holds, else 0. Symbolic values compare only with
    == and != (structurally: the same expression)."""
    left = _interpret(node.left, scope, text)
    for op, right_node in zip(node.ops, node.comparators):
        right = _interpret(right_node, scope, text)
        if type(op) not in _COMPARE:
            raise SpecError(f"comparison '{type(op).__name__}' is not allowed in {text!r}")
        symbolic = bool(getattr(left, "free_symbols", None) or getattr(right, "free_symbols", None))
        if symbolic and not isinstance(op, (ast.Eq, ast.NotEq)):
            raise SpecError(f"{text!r} compares symbolic values: bind the parameters to numbers")
        if not _COMPARE[type(op)](left, right):
            return 0
        left = right
    return 1


def truth(value: Value, text: str = "") -> bool:
    """A condition's value (0 or 1, as comparisons give) as a bool. Any other value is an
    error, not "true" (``when: 2``, ``alpha and 4``), and so is a symbolic one (it has no
    single answer)."""
    if getattr(value, "free_symbols", None):
        raise SpecError(f"condition {text or value!r} depends on symbolic parameters; bind them "
                        "to numbers")
    value = as_int(value)
    if isinstance(value, bool) or value not in (0, 1):
        raise SpecError(f"condition {text or value!r} is {decimal_text(value)}: a condition must be "
                        "0 or 1 (true or false, a comparison, and/or/not)")
    return bool(value == 1)


def evaluate(value: Any, scope: Mapping[str, Value]) -> Value:
    """The exact value of a spec value: numbers pass through, text is interpreted.

    Lists are evaluated element-wise. Raises :class:`SpecError` for anything outside the
    whitelist.
    """
    if isinstance(value, str):
        text = value.strip()
        return _interpret(_parse(text), scope, text)
    if isinstance(value, (list, tuple)):
        return [evaluate(item, scope) for item in value]
    return bounded(value)

