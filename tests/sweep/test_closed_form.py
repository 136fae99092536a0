"""Closed forms: exact expressions and relaxed polynomials of MobileNetV1."""

from __future__ import annotations

from pathlib import Path

import sympy

import costmodel
from costmodel.analysis.closed_form import closed_forms, relax
from costmodel.spec.load import load_spec
from costmodel.symbols import parameter_symbol

V1 = Path(__file__).resolve().parents[2] / "specs" / "mobilenet_v1.yaml"
ALPHA, R = parameter_symbol("alpha"), parameter_symbol("resolution")

# MobileNetV1 (Table 1): pointwise layers (c_in, c_out, total stride s) and depthwise
# layers (c, s) at their output resolution r/s (relaxed: ⌈r/s⌉ → r/s).
POINTWISE = [(32, 64, 2), (64, 128, 4), (128, 128, 4), (128, 256, 8), (256, 256, 8),
             (256, 512, 16), *[(512, 512, 16)] * 5, (512, 1024, 32), (1024, 1024, 32)]
DEPTHWISE = [(32, 2), (64, 4), (128, 4), (128, 8), (256, 8), (256, 16), *[(512, 16)] * 5,
             (512, 32), (1024, 32)]


def _forms(axes):
    result = costmodel.sweep(V1, **axes)
    return result, {form.total: form for form in closed_forms(load_spec(V1), str(V1), result)}


def test_relaxed_maccs_of_mobilenet_v1():
    """MACCs ≈ a·α²·r² + b·α·r² + c·α: a from the pointwise convs (c_in·c_out·(r/s)²),
    b from the first conv (3·3·3·32·(r/2)²) and the depthwise convs (9·c·(r/s)²),
    c from the classifier (1024α·1000)."""
    _, forms = _forms({"alpha": ["0.25", "0.5", "0.75", "1"], "resolution": [128, 160, 192, 224]})
    a = sum(sympy.Rational(ci * co, s * s) for ci, co, s in POINTWISE)
    b = sympy.Rational(27 * 32, 4) + sum(sympy.Rational(9 * c, s * s) for c, s in DEPTHWISE)
    expected = a * ALPHA**2 * R**2 + b * ALPHA * R**2 + 1024 * 1000 * ALPHA
    maccs = forms["maccs"]
    assert sympy.expand(maccs.relaxed - expected) == 0
    assert [m for _, m in maccs.terms] == [ALPHA**2 * R**2, ALPHA * R**2, ALPHA]
    # every c·α is whole and every r a multiple of 32 here, so nothing is rounded
    assert maccs.max_relative_error == 0


def test_exact_expression_equals_exact_evaluation():
    axes = {"alpha": ["0.3", "0.35", "0.6", "1.1"], "resolution": [97, 130, 161, 200]}
    result, forms = _forms(axes)
    for i, alpha in enumerate(result.axes["alpha"]):
        for j, r in enumerate(result.axes["resolution"]):
            point = {ALPHA: sympy.Rational(alpha), R: r}
            for key in ("maccs", "params", "mem_access"):
                assert forms[key].exact.xreplace(point) == int(result.totals[key][i, j])
    # rounding now matters: at r = 97 the last maps are ⌈97/32⌉² = 16 pixels where the
    # relaxed form has (97/32)² ≈ 9.2, so the relaxed MACCs are ~23 % low there
    assert 0.2 < forms["maccs"].max_relative_error < 0.25


def test_relax_rules():
    x = parameter_symbol("x")
    assert relax(sympy.floor(x / 2 - sympy.S.Half) + 1) == x / 2   # ⌈x/2⌉ → x/2
    assert relax(sympy.Max(8, sympy.floor(32 * x))) == 32 * x        # slim's min_depth
    assert relax(sympy.Max(1, x)) == sympy.Max(1, x)                  # a design clamp stays
