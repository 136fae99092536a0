"""The spec language for user blocks: bounded `**`, comparisons, `when`, input shape names."""

from __future__ import annotations

from fractions import Fraction

import pytest

from costmodel.errors import SpecError
from costmodel.spec.expr import evaluate
from tests.core.helpers import analyze_layers, only


def test_power_is_exact_and_bounded() -> None:
    assert evaluate("1.2 ** phi", {"phi": 3}) == Fraction(6, 5) ** 3 == Fraction(216, 125)  # EfficientNet depth
    assert evaluate("2 ** -3", {}) == Fraction(1, 8)
    with pytest.raises(SpecError, match="whole number between -64 and 64"):
        evaluate("2 ** 0.5", {})  # irrational: refused, never a float
    with pytest.raises(SpecError, match="would exceed 4096 bits"):
        evaluate("(10 ** 60) ** 60", {})  # 60 · 200 bits


def test_comparisons_and_boolean_operators_give_0_or_1() -> None:
    assert evaluate("a == 3 and b < 2", {"a": 3, "b": 1}) == 1
    assert evaluate("not (a > 2 or b >= 1)", {"a": 3, "b": 1}) == 0
    assert evaluate("1 < a < 3", {"a": 3}) == 0  # chained like Python


def test_symbolic_order_comparisons_are_refused() -> None:
    import sympy

    r = sympy.Symbol("r", positive=True, integer=True)
    assert evaluate("r == r", {"r": r}) == 1  # structurally equal
    with pytest.raises(SpecError, match="compares symbolic values"):
        evaluate("r > 2", {"r": r})


BLOCK = {"res": {"params": {"out": None, "se": 1}, "layers": [
    {"name": "c1", "op": "conv2d", "out": "in_channels * 2", "kernel": 3, "padding": 1},
    {"name": "se", "op": "squeeze_excitation", "squeeze": "in_channels // 4", "when": "se"},
    {"name": "c2", "op": "conv2d", "out": "out"},
    {"name": "add", "op": "add", "inputs": ["input", "c2"], "when": "in_channels == out"}]}}


def test_block_reads_its_input_shape_and_when_leaves_layers_out() -> None:
    a = analyze_layers([{"name": "b", "op": "res", "out": 16}, {"name": "c", "op": "res", "out": 16, "se": 0},
                        {"op": "global_avg_pool"}], (8, 8, 8), blocks=BLOCK)
    names = [row.name for row in a.layers]
    assert only(a, "b.c1").output_shape == (1, 2 * 8, 8, 8)  # in_channels of b is 8
    assert only(a, "c.c1").output_shape == (1, 2 * 16, 8, 8)  # in_channels of c is b's 16
    assert only(a, "b.se.fc1").output_shape == (1, 8 // 4, 1, 1)  # squeeze from in_channels
    assert "b.add" not in names  # 8 → 16: no residual
    assert "c.add" in names and not any(n.startswith("c.se") for n in names)  # se: 0


def test_shape_names_are_reserved_and_unknown_at_top_level() -> None:
    with pytest.raises(SpecError, match="'in_channels' cannot be a parameter name"):
        analyze_layers([{"op": "relu"}], params={"in_channels": 3})
    with pytest.raises(SpecError, match="unknown name 'in_channels'"):
        analyze_layers([{"op": "conv2d", "out": "in_channels"}])


def test_when_on_tokens_and_symbolic_condition() -> None:
    with pytest.raises(SpecError, match="depends on symbolic parameters"):
        from costmodel.graph import build
        from costmodel.spec.load import parse_spec

        build(parse_spec({"model": "t", "params": {"r": 8}, "input": [3, "r", "r"],
                          "layers": [{"op": "relu", "when": "r - 8"}]}), symbolic=("r",))
