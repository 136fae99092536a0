"""Exact arithmetic helpers that work on numbers and on sympy expressions alike.

Numbers are ``int`` or ``fractions.Fraction`` (never float); symbolic values are sympy
expressions. Each helper dispatches on the type of its arguments so that a cost formula
is written once and serves both the numeric and the symbolic report (DESIGN principle 1).
sympy is imported only when a symbolic value is actually met.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeGuard, Union

from costmodel.errors import SpecError

__all__ = [
    "Number",
    "Value",
    "number",
    "integer",
    "is_symbolic",
    "is_lanes",
    "is_whole",
    "MAX_DIGITS",
    "MAX_SEED",
    "bounded",
    "decimal_parts",
    "parse_decimal",
    "exact_decimal",
    "as_int",
    "floor",
    "ceil",
    "minimum",
    "maximum",
    "round_half_even",
    "make_divisible",
    "decimal_text",
    "below",
    "FUNCTIONS",
]

Number = int | Fraction
if TYPE_CHECKING:
    import sympy

    from costmodel.lanes import Lanes

Value = Union[int, Fraction, "sympy.Expr", "Lanes"]
"""What a formula computes with: an exact number, a sympy expression (``--symbolic``), or a
sweep's values at every grid point (:class:`costmodel.lanes.Lanes`)."""


def is_symbolic(value: Value) -> bool:
    """True for a sympy expression that still has free symbols."""
    return bool(getattr(value, "free_symbols", None))


def is_lanes(value: object) -> TypeGuard[Lanes]:
    """True for a :class:`costmodel.lanes.Lanes` (a sweep's values at every grid point);
    none exists unless that module was imported."""
    lanes = sys.modules.get("costmodel.lanes")
    return lanes is not None and isinstance(value, lanes.Lanes)


def is_whole(value: Value) -> bool:
    """True for an int, or lanes whole at every point."""
    return isinstance(value, int) or (is_lanes(value) and value.whole())


MAX_SEED = 2**64 - 1
"""Seeds are whole numbers 0 … 2⁶⁴ − 1 (numpy's SeedSequence takes no negative entropy); every
``--seed`` option and :func:`costmodel.check.validate_seed` use this range."""

MAX_DIGITS = 100
"""Most decimal digits of any exact number (an integer, or a fraction's numerator and
denominator) a spec, an expression or a binding may produce. Real networks need < 20; the
bound keeps ``1e999999999`` or ``p2: p1 * p1 * …`` from hanging or exhausting memory."""

_LIMIT = 10**MAX_DIGITS
# YAML 1.2 core / Python decimal syntax, ASCII digits only (str.isdigit and int() would
# also take Arabic-Indic or fullwidth digits).
_DECIMAL = re.compile(r"([-+]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?", re.ASCII)


def _too_large(what: str) -> SpecError:
    return SpecError(f"{what} has more than {MAX_DIGITS} digits (the limit of exact numbers, "
                     "numerator and denominator)")


def _shown(text: str) -> str:
    return "number " + (text if len(text) <= 40 else text[:20] + "…" + text[-12:])


def bounded(value: Value) -> Value:
    """``value`` unchanged if it (numerator and denominator) has at most :data:`MAX_DIGITS`
    digits; raises :class:`SpecError` otherwise. Symbolic values pass."""
    if isinstance(value, int):
        big = value >= _LIMIT or value <= -_LIMIT
    elif isinstance(value, Fraction):
        big = not (-_LIMIT < value.numerator < _LIMIT and value.denominator < _LIMIT)
    else:
        return value
    if big:
        raise _too_large("a value")
    return value


def decimal_parts(text: str) -> tuple[int, int]:
    """``'2.30e6'`` → (230, 4): the digits as an integer m and the exponent e of the last
    digit written, value = m·10^e. ASCII decimal syntax only (YAML 1.2 / Python; ``_``
    between digits allowed); the size is checked before anything is computed.
    Raises :class:`SpecError`."""
    match = _DECIMAL.fullmatch(text.strip().replace("_", "")) if "__" not in text else None
    if match is None or not (match.group(2) or match.group(3)):
        raise SpecError(f"'{text}' is not a decimal number")
    sign, whole, fraction, exponent_text = match.groups()
    digits = (whole + (fraction or "")).lstrip("0")
    if len(exponent_text or "") > 8:
        if not digits:
            return 0, 0
        raise _too_large(_shown(text))
    exponent = int(exponent_text or 0) - len(fraction or "")
    if not digits:
        return 0, exponent
    # the value's magnitude is 10^(len(digits) + exponent - 1); the denominator's is 10^-exponent
    if len(digits) > MAX_DIGITS or len(digits) + exponent > MAX_DIGITS or -exponent > MAX_DIGITS:
        raise _too_large(_shown(text))
    mantissa = int(digits)
    return (-mantissa if sign == "-" else mantissa), exponent


def parse_decimal(text: str) -> Number:
    """The exact value of decimal text: ``'0.75'`` → 3/4, ``'2.3e6'`` → 2300000.

    Raises :class:`SpecError` for anything else (``'inf'``, ``'٣'``) or a number beyond
    :data:`MAX_DIGITS` digits (``'1e999999999'``: refused before it is computed).
    """
    mantissa, exponent = decimal_parts(text)
    if exponent >= 0:
        return int(mantissa * 10**exponent)
    value = Fraction(mantissa, 10**-exponent)
    return value.numerator if value.denominator == 1 else value


def exact_decimal(value: float) -> Number:
    """The decimal a float was written as, exactly: 0.75 → 3/4, 0.1 → 1/10 (not 0.1000…0555)."""
    return parse_decimal(repr(value))


def decimal_text(value: Value) -> str:
    """A number as a user would write it: exactly as a decimal when it has a finite one
    (3/4 → '0.75', 1/10 → '0.1'), else as a fraction ('1/3'); anything else as ``str``."""
    if not isinstance(value, Fraction) or value.denominator == 1:
        return str(value)
    twos = fives = 0
    rest = value.denominator
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return str(value)
    places = max(twos, fives)
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    return ("-" if value < 0 else "") + digits[:-places] + "." + digits[-places:]


def _sympy_to_number(value: Value) -> Value:
    """A sympy number becomes int/Fraction; anything else is returned unchanged."""
    sym: Any = value  # sympy has no type hints
    if hasattr(sym, "free_symbols") and not sym.free_symbols:
        if sym.is_Integer:
            return int(sym)
        if sym.is_Rational:
            return Fraction(int(sym.p), int(sym.q))
    return value


def as_int(value: Value) -> Value:
    """An integral Fraction or sympy Integer becomes ``int``; other values pass through."""
    value = _sympy_to_number(value)
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    if is_lanes(value):
        single = value.uniform()
        return value if single is None else single
    return value


def number(value: Value) -> Number:
    """``value`` as the exact number it is (a sympy number converted), for code that runs
    on numeric builds only; a symbolic value or lanes raise TypeError."""
    value = as_int(value)
    if isinstance(value, (int, Fraction)):
        return value
    raise TypeError(f"expected a number, got {value!r}")


def integer(value: Value) -> int:
    """``value`` as the int it is, for sizes and counts of numeric builds; anything else
    raises TypeError."""
    whole = number(value)
    if isinstance(whole, int):
        return whole
    raise TypeError(f"expected a whole number, got {whole}")


def floor(x: Value) -> Value:
    """⌊x⌋."""
    if is_symbolic(x):
        import sympy

        return sympy.floor(x)
    return math.floor(_sympy_to_number(x))


def floor_divide(a: Value, b: Value) -> Value:
    """⌊a/b⌋ (``a // b``); ``a`` itself when ``b`` is 1 and ``a`` is a whole-number sympy
    expression, which sympy's floor returns too, but only after trying to settle the sign
    of ``a`` from its assumptions (milliseconds a call: every stride-1 conv of a symbolic
    build and of a symbolic report's named costs)."""
    if isinstance(b, int) and b == 1 and getattr(a, "is_integer", None) is True:
        return a
    if is_symbolic(a) or is_symbolic(b):
        return _symbolic_floor_divide(a, b)
    return a // b


_FLOOR_DIVIDED: dict[tuple[Any, Any, bool, bool], Value] = {}
"""Symbolic ⌊a/b⌋ by (a, b, sympy's distribution and evaluation switches), at most
:data:`_MADE_DIVISIBLE_MOST`."""


def _symbolic_floor_divide(a: Value, b: Value) -> Value:
    """``a // b`` remembered: sympy's floor settles its argument's assumptions afresh after
    each switch of its distribution, which clears its cache (a symbolic report's named
    costs switch at every layer, and the same sizes are halved again and again). The
    switches are in the key, as the result's form depends on them."""
    from sympy.core.parameters import global_parameters

    key = (a, b, bool(global_parameters.distribute), bool(global_parameters.evaluate))
    if key not in _FLOOR_DIVIDED:
        if len(_FLOOR_DIVIDED) >= _MADE_DIVISIBLE_MOST:
            _FLOOR_DIVIDED.clear()
        _FLOOR_DIVIDED[key] = a // b
    return _FLOOR_DIVIDED[key]


def ceil(x: Value) -> Value:
    """⌈x⌉."""
    if is_symbolic(x):
        import sympy

        return sympy.ceiling(x)
    return math.ceil(_sympy_to_number(x))


def _require_arguments(name: str, xs: tuple[Value, ...]) -> None:
    if not xs:
        raise SpecError(f"{name}() needs at least one value")


def minimum(*xs: Value) -> Value:
    """min(x₁, …, xₙ)."""
    _require_arguments("min", xs)
    if any(is_lanes(x) for x in xs):
        from costmodel.lanes import minimum as lanes_minimum

        return lanes_minimum(*xs)
    if any(is_symbolic(x) for x in xs):
        import sympy

        return sympy.Min(*xs)
    return as_int(min(_sympy_to_number(x) for x in xs))


def maximum(*xs: Value) -> Value:
    """max(x₁, …, xₙ)."""
    _require_arguments("max", xs)
    if any(is_lanes(x) for x in xs):
        from costmodel.lanes import maximum as lanes_maximum

        return lanes_maximum(*xs)
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
    if is_lanes(x) or is_lanes(y):
        return x < y  # 0/1 at every point
    return int(_sympy_to_number(x) < _sympy_to_number(y))


def make_divisible(v: Value, divisor: Value = 8, min_value: Value | None = None) -> Value:
    """The channel rounding of the MobileNet family (torchvision ``_make_divisible``).

    r = max(min_value, ⌊v + d/2⌋ // d · d), min_value defaulting to d; then r + d if
    r < 0.9·v (rounding down must not remove more than 10 %). A negative v is refused.
    """
    if not is_symbolic(divisor) and (not isinstance(as_int(divisor), int) or divisor < 1):
        raise SpecError(f"make_divisible: the divisor must be a whole number ≥ 1, got {divisor}")
    if not is_symbolic(v) and v < 0:
        # torchvision would return the divisor: a size computed as negative is a mistake
        # (e.g. a negative width multiplier), never a layer of `divisor` channels.
        raise SpecError(f"make_divisible: the size to round is {decimal_text(v)}; it must be ≥ 0")
    if min_value is None:
        min_value = divisor
    if any(is_symbolic(x) for x in (v, divisor, min_value)):
        return _symbolic_make_divisible(v, divisor, min_value)
    threshold = Fraction(9, 10) * v
    rounded = maximum(min_value, floor(v + Fraction(1, 2) * divisor) // divisor * divisor)
    if is_lanes(rounded):
        return as_int(rounded + divisor * below(rounded, threshold))
    return as_int(rounded + divisor if rounded < threshold else rounded)


_MADE_DIVISIBLE: dict[tuple[Any, Any, Any], Value] = {}
"""Symbolic make_divisible results by arguments (at most :data:`_MADE_DIVISIBLE_MOST`)."""
_MADE_DIVISIBLE_MOST = 4096


def _symbolic_make_divisible(v: Value, divisor: Value, min_value: Value) -> Value:
    """make_divisible with a symbol in its arguments: d·max(m/d, ⌊v/d + 1/2⌋) + d·H(…), equal
    for d > 0, so that no even-valued Max is ever divided (sympy 1.14 takes Max(8, 8k)/6 for
    an integer and pulls it out of a floor). Remembered: sympy's Max compares its arguments
    afresh on every call (~20 ms each), and a symbolic build and its rebuilds (forced
    structure decisions) round the same few widths again and again."""
    key = (v, divisor, min_value)
    if key not in _MADE_DIVISIBLE:
        if len(_MADE_DIVISIBLE) >= _MADE_DIVISIBLE_MOST:
            _MADE_DIVISIBLE.clear()
        rounded = divisor * _clamped(min_value * Fraction(1) / divisor, floor(v / divisor + Fraction(1, 2)))
        _MADE_DIVISIBLE[key] = rounded + divisor * below(rounded, Fraction(9, 10) * v)
    return _MADE_DIVISIBLE[key]


def _clamped(low: Value, rounded: Value) -> Value:
    """max(low, rounded), as sympy's Max gives it, without its comparisons (~20 ms) where no
    order can hold: ``low`` a number and ``rounded`` = ⌊c + t₁ + … + tₖ⌋ with each tᵢ a
    positive multiple of a product of positive powers of parameters (free in (0, ∞)) and
    ⌊c⌋ < low. With every parameter near 0 it is ⌊c⌋ < low, with any large it exceeds low:
    Max keeps both arguments, in its canonical order (which ``evaluate=False`` also gives)."""
    import sympy

    from costmodel.symbols import parameter_symbol

    def free(term: Any) -> bool:
        coefficient, product = term.as_coeff_Mul()
        factors = sympy.Mul.make_args(product)
        return coefficient > 0 and product != 1 and all(
            base.is_Symbol and base == parameter_symbol(base.name) and exponent.is_Rational and exponent > 0
            for base, exponent in (factor.as_base_exp() for factor in factors))

    if is_symbolic(low) or not isinstance(rounded, sympy.floor):
        return maximum(low, rounded)
    constant, rest = rounded.args[0].as_coeff_Add()
    if rest == 0 or math.floor(constant) >= low or not all(map(free, sympy.Add.make_args(rest))):
        return maximum(low, rounded)
    return sympy.Max(low, rounded, evaluate=False)


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "make_divisible": make_divisible,
    "round": round_half_even,
    "floor": floor,
    "ceil": ceil,
    "min": minimum,
    "max": maximum,
}
"""Functions an expression in a spec may call (the whitelist)."""
