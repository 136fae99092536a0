"""The readable symbolic report (issue 15): named quantities, totals in them, exact.

Every spec with both ``alpha`` and ``resolution``: its JSON expressions, with the JSON's
definitions substituted as docs/json.md tells a sympy user to, equal the numeric report's
totals at ≥ 20 random (α, r) points — an independent path (one numeric build per point)
against the symbolic one. Points where the symbolic build's structure (that at the
defaults) does not hold are skipped, as the report says (`costmodel sweep` covers them).
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

from costmodel.api import analyze, holds_at
from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.report.symbolic import (
    MAX_NAMED_OPS,
    TOTALS,
    evaluate_json,
    render_json,
    symbolic_report,
)
from costmodel.spec.load import load_spec
from costmodel.symbols import parameter_symbol

SPECS = Path(__file__).resolve().parents[2] / "specs"
BOTH = sorted(path.name for path in SPECS.glob("*.yaml")
              if {"alpha", "resolution"} <= set(load_spec(path).params))
POINTS = 20


def test_the_zoo_has_specs_with_both_parameters() -> None:
    assert len(BOTH) >= 10, BOTH


@pytest.mark.parametrize("name", BOTH)
def test_json_expressions_evaluate_to_the_numeric_report(name: str) -> None:
    path = str(SPECS / name)
    analysis = analyze(path, symbolic=("alpha", "resolution"))
    data = json.loads(render_json(symbolic_report(analysis, ("alpha", "resolution"))))
    structure = [a for a in analysis.network.assumptions if a.kind == "structure"]
    rng = random.Random(name)
    checked = 0
    for _ in range(400):
        alpha, resolution = Fraction(rng.randint(25, 150), 100), rng.randint(64, 320)
        point = {parameter_symbol("alpha"): sympy.Rational(alpha.numerator, alpha.denominator),
                 parameter_symbol("resolution"): sympy.Integer(resolution)}
        if not all(holds_at(a, point) for a in structure):
            continue
        numeric = analyze(path, alpha=str(alpha), resolution=resolution).totals.as_dict()
        values = evaluate_json(data, {"alpha": alpha, "resolution": resolution})
        assert {k: values[k] for k in TOTALS} == {k: numeric[k] for k in TOTALS}, (alpha, resolution)
        checked += 1
        if checked == POINTS:
            break
    assert checked == POINTS


STRUCTURAL = {"convnext", "efficientnet_b0", "efficientnet_lite", "mobilenext_se", "mobileone",
              "regnetx", "regnety", "resnet50"}
"""Specs with a parameter that decides the structure: no symbolic report in all parameters
(tests/report/test_relaxed.py checks their one-line refusal)."""
OTHERS = sorted(path.name for path in SPECS.glob("*.yaml")
                if path.name not in BOTH and path.stem not in STRUCTURAL)


def _near(rng: random.Random, default: Fraction, low: Fraction, high: Fraction) -> Fraction:
    """A random value from default/2 to 2·default within [low, high]: whole for a whole
    default, else in hundredths of it."""
    if default.denominator == 1 and default > 1:
        value = Fraction(rng.randint(int(default) // 2 or 1, 2 * int(default)))
    elif default.denominator == 1:
        value = Fraction(rng.randint(int(low), int(min(high, 2))))
    else:
        value = default * Fraction(rng.randint(50, 200), 100)
    return min(max(value, low), high)


@pytest.mark.parametrize("name", OTHERS)
def test_every_parameter_symbolic_evaluates_to_the_numeric_report(name: str) -> None:
    """The other specs (NASNet's four widths, ShuffleNet's stage widths, …) with every
    parameter symbolic, as bare ``--symbolic`` names them: the JSON totals with the
    definitions substituted equal a numeric build at random points around the defaults
    (one to three parameters moved at a time) where the symbolic build's structure holds."""
    from costmodel.graph import resolve_bindings

    path = str(SPECS / name)
    spec = load_spec(path)
    names = tuple(spec.params)
    analysis = analyze(path, symbolic=names)
    data = json.loads(render_json(symbolic_report(analysis, names)))
    structure = [a for a in analysis.network.assumptions if a.kind == "structure"]
    defaults = resolve_bindings(spec, {})
    rng = random.Random(name)
    checked = 0
    for _ in range(200):
        varied = rng.sample(names, min(len(names), rng.randint(1, 3)))  # the rest at defaults
        point = {n: _near(rng, Fraction(defaults[n]), Fraction(spec.params[n].min),
                          Fraction(spec.params[n].max)) if n in varied else Fraction(defaults[n])
                 for n in names}
        at = {parameter_symbol(n): sympy.Rational(v.numerator, v.denominator) for n, v in point.items()}
        if not all(holds_at(a, at) for a in structure):
            continue
        try:
            numeric = analyze(path, **{n: str(v) for n, v in point.items()}).totals.as_dict()
        except SpecError:
            continue  # no valid network there
        values = evaluate_json(data, point)
        assert {k: values[k] for k in TOTALS} == {k: numeric[k] for k in TOTALS}, point
        checked += 1
        if checked == POINTS // 2:
            break
    assert checked == POINTS // 2


def test_mobilenet_v2_reads_like_the_paper() -> None:
    """All totals in under 3,000 characters, in 8 channel widths and 5 spatial sizes."""
    result = CliRunner().invoke(main, ["report", str(SPECS / "mobilenet_v2.yaml"),
                                       "--symbolic", "alpha,resolution"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert len(text) < 3000
    # Table 2 of the paper: widths 32, 16, 24, 32, 64, 96, 160, 320 (32 twice), head 1280
    for width in (32, 16, 24, 64, 96, 160, 320):
        assert f"make_divisible({width}α, 8)" in text
    assert "make_divisible(1280·max(1, α), 8)" in text
    # strides 2 at features.0, 2.0, 3.0, 4.0, 6.0: ⌈r/2⌉ … ⌈r/32⌉ ("same" padding)
    for k, divisor in enumerate((2, 4, 8, 16, 32), start=1):
        assert f"H{'₀₁₂₃₄₅'[k]} = ⌈r/{divisor}⌉" in text
    for total in TOTALS:
        assert f"\n{total:<11} = " in text
    assert "fragments   = 151" in text  # 52 conv + 52 BN + 35 ReLU6 + 10 adds + pool + linear, as numeric
    assert "Heaviside" not in text and "floor(" not in text


def test_quasi_linear_closes_nested_halvings_for_every_integer() -> None:
    """⌊⌊⌊(r − 1)/2⌋/2⌋/2⌋ + 1 (three stride-2 'same' convs) is ⌈r/8⌉ for every r ≥ 1."""
    from costmodel.analysis.named import quasi_linear

    r = parameter_symbol("resolution")
    expr = sympy.floor(sympy.floor(sympy.floor(r / 2 - sympy.Rational(1, 2)) / 2) / 2) + 1
    assert quasi_linear(expr) == sympy.ceiling(r / 8)
    for value in range(1, 200):
        assert expr.subs(r, value) == -(-value // 8)
    assert quasi_linear(sympy.Max(1, sympy.floor(r / 2))) is None  # a clamp: not quasi-linear


def test_relaxed_gives_leading_terms_and_error() -> None:
    """MobileNetV1: MACCs ≈ a·α²r² + …, a = Σ (pointwise C_in·C_out) /(stride area) at α = 1."""
    result = CliRunner().invoke(main, ["report", str(SPECS / "mobilenet_v1.yaml"),
                                       "--symbolic", "alpha,resolution", "--relaxed"])
    assert result.exit_code == 0, result.output
    line = next(text for text in result.output.splitlines() if text.strip().startswith("maccs") and "≈" in text)
    # the α²r² coefficient: pointwise convs c_in·c_out·(H/r)² summed (sweep --closed-form: 10752)
    assert "maccs       ≈ 10,752·α²r²" in line
    assert "%" in line


def test_latex_and_formats() -> None:
    runner = CliRunner()
    spec = str(SPECS / "mobilenet_v1.yaml")
    latex = runner.invoke(main, ["report", spec, "--symbolic", "alpha,resolution", "--format", "latex"])
    assert latex.exit_code == 0 and r"\begin{aligned}" in latex.output
    assert r"\operatorname{make\_divisible}" in latex.output or r"\left\lfloor" in latex.output
    csv = runner.invoke(main, ["report", spec, "--symbolic", "alpha", "--format", "csv"])
    assert csv.exit_code == 2 and "no symbolic form" in csv.output
    numeric = runner.invoke(main, ["report", spec, "--format", "latex", "--depth", "1"])
    assert numeric.exit_code == 0 and r"\begin{tabular}{llrrrr}" in numeric.output
    # MobileNetV1 at α = 1, r = 224: 569 M MACCs (Howard et al., Table 8: 569 million mult-adds)
    assert "total &  & 4\\,231\\,976 & 568\\,740\\,352" in numeric.output
    assert runner.invoke(main, ["report", spec, "--relaxed"]).exit_code == 2


def test_per_block_expressions_add_up_to_the_totals() -> None:
    """--depth with --symbolic: each block's cost in the names; the blocks sum to the totals."""
    analysis = analyze(str(SPECS / "mobilenet_v1.yaml"), symbolic=("alpha", "resolution"))
    report = symbolic_report(analysis, ("alpha", "resolution"), depth=1)
    for metric in ("params", "maccs", "mem_access", "elementwise"):
        summed = sympy.expand(sum(getattr(cost, metric) for cost in report.blocks.values()))
        assert summed == sympy.expand(getattr(report.named.total, metric)), metric
    # the first depthwise-separable block: 3×3 depthwise on c₁ channels at H₁², then c₁ → c₂ pointwise
    text = CliRunner().invoke(main, ["report", str(SPECS / "mobilenet_v1.yaml"), "--symbolic",
                                     "alpha,resolution", "--depth", "1"]).output
    assert "per block:" in text


CHAIN = """model: long
params:
  width: {{default: 8, min: 1}}
input: [8, 8, 8]
blocks:
  unit:
    layers:
      - {{op: conv2d, out: width, kernel: 3, padding: 1}}
      - {{op: relu}}
layers:
  - {{name: body, op: unit, repeat: {repeat}}}
"""


@pytest.mark.parametrize("repeat, refused", [(3, False), (MAX_NAMED_OPS // 2 + 1, True)])
def test_symbolic_names_at_most_max_named_ops(tmp_path: Path, repeat: int, refused: bool) -> None:
    """2 × repeat ops: 6 are named (width = c₁ in every conv); 1,502 are refused in one
    line naming the file and both counts, before any naming (within a second or two)."""
    path = tmp_path / "long.yaml"
    path.write_text(CHAIN.format(repeat=repeat))
    result = CliRunner().invoke(main, ["report", str(path), "--symbolic", "width"])
    if not refused:
        assert result.exit_code == 0, result.output
        assert "maccs" in result.output
        return
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ")
    assert f"at most {MAX_NAMED_OPS:,} ops" in lines[0] and f"has {2 * repeat:,}" in lines[0]
