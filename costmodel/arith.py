"""Exact arithmetic helpers that work on numbers and on sympy expressions alike.

Numbers are ``int`` or ``fractions.Fraction`` (never float); symbolic values are sympy
expressions. Each helper dispatches on the type of its arguments so that a cost formula
is written once and serves both the numeric and the symbolic report (DESIGN principle 1).
sympy is imported only when a symbolic value is actually met.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

__all__ = [
    "Number",
    "Value",
    "is_symbolic",
    "exact_decimal",
    "as_int",
    "floor",
    "ceil",
    "minimum",
    "maximum",
    "round_half_even",
    "make_divisible",
    "below",
    "FUNCTIONS",
]

Number = int | Fraction
Value = Any  # Number or sympy.Expr


def is_symbolic(value: Value) -> bool:
    """True for a sympy expression that still has free symbols."""
    return bool(getattr(value, "free_symbols", None))


def exact_decimal(value: float) -> Number:
    """The decimal a float was written as, exactly: 0.75 → 3/4, 0.1 → 1/10 (not 0.1000…0555)."""
    number: Number = as_int(Fraction(repr(value)))
    return number


def _sympy_to_number(value: Value) -> Value:
    """A sympy number becomes int/Fraction; anything else is returned unchanged."""
    if hasattr(value, "free_symbols") and not value.free_symbols:
        if value.is_Integer:
            return int(value)
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
    return value


def as_int(value: Value) -> Value:
    """An integral Fraction or sympy Integer becomes ``int``; other values pass through."""
    value = _sympy_to_number(value)
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def floor(x: Value) -> Value:
    """⌊x⌋."""
    if is_symbolic(x):
        import sympy

        return sympy.floor(x)
    return math.floor(_sympy_to_number(x))


def ceil(x: Value) -> Value:
    """⌈x⌉."""
    if is_symbolic(x):
        import sympy

        return sympy.ceiling(x)
    return math.ceil(_sympy_to_number(x))


def minimum(*xs: Value) -> Value:
    """min(x₁, …, xₙ)."""
    if any(is_symbolic(x) for x in xs):
        import sympy

        return sympy.Min(*xs)
    return as_int(min(_sympy_to_number(x) for x in xs))


def maximum(*xs: Value) -> Value:
    """max(x₁, …, xₙ)."""
    if any(is_symbolic(x) for x in xs):
        import sympy

        return sympy.Max(*xs)
    return as_int(max(_sympy_to_number(x) for x in xs))


def round_half_even(x: Value) -> Value:
    """Python's ``round(x)``: nearest integer, ties to even.

    Symbolically this is written ⌊x + 1/2⌋, which differs from the numeric value only at
    exact ties n + 1/2 with n even (documented in docs/spec.md).
    """
    if is_symbolic(x):
        return floor(x + Fraction(1, 2))
    return round(_sympy_to_number(x))


def below(x: Value, y: Value) -> Value:
    """[x < y] as 0 or 1: with symbols the step function H(y − x) with H(0) = 0.

    A Heaviside, not a Piecewise: sympy's Piecewise canonicalises a condition containing
    another Piecewise by solving inequalities (minutes for EfficientNet-B0's nested
    make_divisible); H is an ordinary atom, exact in every compiled total.
    """
    if is_symbolic(x) or is_symbolic(y):
        import sympy

        return sympy.Heaviside(y - x, 0)
    return int(_sympy_to_number(x) < _sympy_to_number(y))


def make_divisible(v: Value, divisor: Value = 8, min_value: Value | None = None) -> Value:
    """The channel rounding of the MobileNet family (torchvision ``_make_divisible``).

    r = max(min_value, ⌊v + d/2⌋ // d · d), min_value defaulting to d; then r + d if
    r < 0.9·v (rounding down must not remove more than 10 %).
    """
    if min_value is None:
        min_value = divisor
    threshold = Fraction(9, 10) * v
    if any(is_symbolic(x) for x in (v, divisor, min_value)):
        # d·max(m/d, ⌊v/d + 1/2⌋), equal for d > 0, so that no even-valued Max is ever
        # divided: sympy 1.14 takes Max(8, 8k)/6 for an integer and pulls it out of a floor.
        rounded = divisor * maximum(min_value * Fraction(1) / divisor, floor(v / divisor + Fraction(1, 2)))
        return rounded + divisor * below(rounded, threshold)
    rounded = maximum(min_value, floor(v + Fraction(1, 2) * divisor) // divisor * divisor)
    return as_int(rounded + divisor if rounded < threshold else rounded)


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "make_divisible": make_divisible,
    "round": round_half_even,
    "floor": floor,
    "ceil": ceil,
    "min": minimum,
    "max": maximum,
}
"""Functions an expression in a spec may call (the whitelist)."""
