"""The whitelist expression interpreter."""

from __future__ import annotations

from fractions import Fraction

import pytest

from costmodel.arith import make_divisible
from costmodel.errors import SpecError
from costmodel.spec.expr import evaluate


def test_decimals_are_exact() -> None:
    assert evaluate("0.75", {}) == Fraction(3, 4)
    assert evaluate("32 * alpha", {"alpha": Fraction(3, 4)}) == 24
    assert isinstance(evaluate("32 * alpha", {"alpha": Fraction(3, 4)}), int)
    assert evaluate("0.1 + 0.2", {}) == Fraction(3, 10)  # not 0.30000000000000004


def test_operators_and_functions() -> None:
    scope = {"r": 225}
    assert evaluate("r // 2", scope) == 112
    assert evaluate("r / 2", scope) == Fraction(225, 2)
    assert evaluate("-(r - 230)", scope) == 5
    assert evaluate("ceil(r / 2)", scope) == 113
    assert evaluate("floor(r / 2)", scope) == 112
    assert evaluate("min(r, 100)", scope) == 100
    assert evaluate("max(1, 2, 3)", scope) == 3
    assert evaluate("round(2.5)", scope) == 2  # ties to even, as Python's round
    assert evaluate("make_divisible(32 * 0.35, 8)", scope) == 16


@pytest.mark.parametrize(("value", "expected"), [
    (32 * Fraction(35, 100), 16),  # 11.2 → 8 would lose more than 10 %, so 16
    (Fraction(1280), 1280), (Fraction(96 * 3, 4), 72), (Fraction(12), 16), (Fraction(3), 8),
])
def test_make_divisible_matches_torchvision_rule(value: Fraction, expected: int) -> None:
    assert make_divisible(value, 8) == expected


@pytest.mark.parametrize("text", [
    "__import__('os').system('x')", "open('f')", "alpha.__class__", "[1, 2]", "a if b else c",
    "2 ** 0.5", "2 ** 65", "2 @ 3", "2 << 3", "lambda: 1", "'text'", "x[0]", "True",
])
def test_disallowed_constructs_are_refused(text: str) -> None:
    with pytest.raises(SpecError):
        evaluate(text, {"alpha": 1, "x": 1, "a": 1, "b": 1, "c": 1})


def test_unknown_name_lists_declared() -> None:
    with pytest.raises(SpecError, match=r"unknown name 'beta'.*declared: alpha"):
        evaluate("beta * 2", {"alpha": 1})


def test_long_expression_is_refused() -> None:
    with pytest.raises(SpecError, match="longer than"):
        evaluate("1 + " * 200 + "1", {})
