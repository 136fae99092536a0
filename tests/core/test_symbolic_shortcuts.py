"""The shortcuts a symbolic build and report take around sympy's own checks give sympy's
own results (differential: each against the sympy call it stands in for).

- make_divisible's clamp max(m/d, ⌊v/d + 1/2⌋) (costmodel.arith._clamped) equals sympy's
  Max, expression for expression, on random widths in one and two parameters, with
  constants on both sides of the clamp, including those where the shortcut does not apply;
- the exact evaluation of quasi-linear roundings (costmodel.analysis.named._value_at)
  equals sympy's substitution at x = 1 … 64;
- a reference build (one build, = and ≠ taken at the defaults) has every decision holding
  at the defaults, on every spec a symbolic report in all its parameters can be made of.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from costmodel.analysis.named import _value_at
from costmodel.api import analyze, holds_at
from costmodel.arith import _clamped, floor
from costmodel.graph import resolve_bindings
from costmodel.spec.load import load_spec
from costmodel.symbols import parameter_symbol
from tests.report.test_symbolic_readable import STRUCTURAL

SPECS = Path(__file__).resolve().parents[2] / "specs"
ALPHA, RESOLUTION = parameter_symbol("alpha"), parameter_symbol("resolution")


def _widths(rng: random.Random) -> list[object]:
    """Random make_divisible arguments v/d + 1/2 (and a few other rounded arguments)."""
    result: list[object] = []
    for _ in range(40):
        k, d = Fraction(rng.randint(1, 960)), rng.choice([1, 2, 4, 8, 16])
        c = Fraction(rng.randint(-40, 40), rng.choice([1, 2, 3, 10]))
        term = rng.choice([ALPHA, ALPHA**2, ALPHA * RESOLUTION, RESOLUTION, -ALPHA, 1 / ALPHA,
                           sympy.Symbol("n", integer=True, positive=True)])
        result.append(term * sympy.Rational(k.numerator, k.denominator) / d + sympy.Rational(c.numerator, c.denominator))
    return result


@pytest.mark.parametrize("seed", range(5))
def test_clamp_equals_sympy_max(seed: int) -> None:
    rng = random.Random(seed)
    shortcut = 0
    for argument in _widths(rng):
        rounded = floor(argument)
        for low in (Fraction(1), Fraction(1, 2), Fraction(rng.randint(-3, 12), rng.choice([1, 2, 4]))):
            expected = sympy.Max(sympy.Rational(low.numerator, low.denominator), rounded)
            got = _clamped(low, rounded)
            assert got == expected and type(got) is type(expected), (low, rounded)
            shortcut += isinstance(expected, sympy.Max)
    assert shortcut > 20  # the shortcut's own case is met


def test_value_at_equals_substitution() -> None:
    x = parameter_symbol("resolution")
    expressions = [sympy.floor((x - 1) / 2) + 1, sympy.ceiling(sympy.floor(x / 2 + sympy.Rational(1, 2)) / 4),
                   3 * sympy.floor(sympy.floor((x + 3) / 4) / 2 + sympy.Rational(1, 3)) - x / 5,
                   sympy.floor(x**2 / 7) + sympy.ceiling(2 ** sympy.Rational(1, 2) * x),
                   sympy.floor(1 / x)]
    for expr in expressions:
        for k in range(1, 65):
            assert _value_at(expr, x, k) == expr.xreplace({x: sympy.Integer(k)}), (expr, k)


SYMBOLIC = sorted(path.name for path in SPECS.glob("*.yaml") if path.stem not in STRUCTURAL)


@pytest.mark.parametrize("name", SYMBOLIC)
def test_reference_build_holds_at_the_defaults(name: str) -> None:
    path = str(SPECS / name)
    spec = load_spec(path)
    names = tuple(spec.params)
    network = analyze(path, symbolic=names).network
    defaults = resolve_bindings(spec, {})
    point = {parameter_symbol(n): sympy.Rational(str(defaults[n])) for n in names}
    decisions = [a for a in network.assumptions if a.kind == "structure"]
    assert all(holds_at(a, point) is not False for a in decisions), [
        str(a) for a in decisions if holds_at(a, point) is False]
