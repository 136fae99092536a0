"""Symbolic totals are the numeric totals: same formulas, other bindings."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

import costmodel
from costmodel.symbols import parameter_symbol

SPEC = "specs/mobilenet_v2.yaml"
POINTS = [(Fraction(1), 224), (Fraction(1, 2), 160), (Fraction(3, 4), 192), (Fraction(7, 5), 96),
          (Fraction(1), 97), (Fraction(13, 10), 225), (Fraction(7, 20), 128)]


@pytest.fixture(scope="module")
def symbolic() -> costmodel.api.Analysis:  # type: ignore[name-defined]
    return costmodel.analyze(SPEC, symbolic=("alpha", "resolution"))


@pytest.mark.parametrize(("alpha", "resolution"), POINTS)
def test_symbolic_totals_evaluate_to_numeric(symbolic, alpha: Fraction, resolution: int) -> None:
    numeric = costmodel.analyze(SPEC, alpha=alpha, resolution=resolution).totals
    point = {parameter_symbol("alpha"): sympy.Rational(alpha.numerator, alpha.denominator),
             parameter_symbol("resolution"): resolution}
    for metric in ("params", "maccs", "mem_access", "elementwise"):
        value = getattr(symbolic.totals, metric)
        assert sympy.Integer(getattr(numeric, metric)) == value.subs(point), metric


def test_resolution_only_leaves_params_numeric() -> None:
    totals = costmodel.analyze(SPEC, symbolic=("resolution",)).totals
    assert totals.params == 3_504_872  # weights do not depend on the input size
    assert totals.maccs.free_symbols == {parameter_symbol("resolution")}


def test_numeric_path_does_not_import_sympy() -> None:
    import subprocess
    import sys

    code = ("import sys, costmodel; costmodel.analyze('specs/mobilenet_v2.yaml').totals; "
            "print('sympy' in sys.modules, 'networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("size", [17, 18, 55, 109, 224])
def test_ceil_mode_pool_stays_exact_symbolically(size: int) -> None:
    """SqueezeNet's 3×3/2 ceil_mode pools: ⌈(H − 3)/2⌉ + 1 needs no PyTorch correction."""
    from costmodel.graph import build
    from costmodel.spec.load import parse_spec

    spec = parse_spec({"model": "p", "params": {"h": 1}, "input": [1, "h", "h"],
                       "layers": [{"op": "max_pool", "kernel": 3, "stride": 2, "ceil_mode": True}]})
    height = build(spec, symbolic=("h",)).nodes["0"].outputs[0][2]
    numeric = build(spec, bindings={"h": size}).nodes["0"].outputs[0][2]
    assert numeric == -(-(size - 3) // 2) + 1
    assert height.subs(parameter_symbol("h"), size) == numeric
