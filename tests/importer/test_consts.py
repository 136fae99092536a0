"""Constant folding (costmodel/importer/consts.py) against ONNX's definitions: the values
below are worked by hand from the operator specs (onnx.ai/onnx/operators)."""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.errors import SpecError
from costmodel.importer.consts import Const, fold


def _fold(op: str, attrs: dict, *values: object) -> np.ndarray:
    results = fold(op, attrs, [Const(np.shape(v), np.asarray(v)) for v in values])
    assert results is not None and results[0].value is not None
    return results[0].value


def test_cumsum_in_every_mode() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    assert _fold("CumSum", {}, x, np.int64(0)).tolist() == [1, 3, 6, 10]
    assert _fold("CumSum", {"exclusive": 1}, x, np.int64(0)).tolist() == [0, 1, 3, 6]
    assert _fold("CumSum", {"reverse": 1}, x, np.int64(0)).tolist() == [10, 9, 7, 4]
    assert _fold("CumSum", {"exclusive": 1, "reverse": 1}, x, np.int64(0)).tolist() == [9, 7, 4, 0]
    # EdgeNeXt's Fourier position encoding: a ones mask summed along H (axis 1)
    assert _fold("CumSum", {}, np.ones((1, 2, 2), np.float32), np.int64(1)).tolist() == [[[1, 1], [2, 2]]]


def test_mod_sign_follows_divisor_unless_fmod() -> None:
    assert _fold("Mod", {}, np.array([-7, 7], np.int64), np.array([3, -3], np.int64)).tolist() == [2, -2]
    assert _fold("Mod", {"fmod": 1}, np.array([-7.0, 7.0]), np.array([3.0, -3.0])).tolist() == [-1, 1]


def test_trigonometry_and_exponentials() -> None:
    assert _fold("Sin", {}, np.array([0.0])).tolist() == [0.0]
    assert _fold("Cos", {}, np.array([0.0])).tolist() == [1.0]
    assert _fold("Exp", {}, np.array([0.0])).tolist() == [1.0]
    assert _fold("Log", {}, np.array([1.0])).tolist() == [0.0]
    assert _fold("Round", {}, np.array([2.5, 3.5])).tolist() == [2.0, 4.0]  # half to even


@pytest.mark.parametrize(("op", "values", "elements"), [
    ("ConstantOfShape", [np.array([10**6, 10**6], np.int64)], 10**12),
    ("Expand", [np.ones(1, np.float32), np.array([10**5, 10**5], np.int64)], 10**10),
    ("Tile", [np.ones(3, np.float32), np.array([10**9], np.int64)], 3 * 10**9),
    ("Range", [np.int64(0), np.int64(10**12), np.int64(3)], 333_333_333_334),  # ⌈10¹²/3⌉
    ("Add", [np.ones((2**13, 1), np.float32), np.ones((1, 2**13), np.float32)], 2**26),  # a broadcast
    ("Gather", [np.ones((2**20, 64), np.float32), np.zeros(2**20, np.int64)], 2**26),
])
def test_a_fold_larger_than_the_bound_is_refused_before_numpy_allocates(
        op: str, values: list[np.ndarray], elements: int) -> None:
    """Each would allocate ≥ 256 MiB (up to 3.6 TiB); the error names the element count."""
    with pytest.raises(SpecError, match=f"a tensor of {elements:,} elements, more than 33,554,432"):
        fold(op, {}, [Const(np.shape(v), v) for v in values])


def test_folds_at_the_bound_and_range_of_step_zero_is_not_folded() -> None:
    assert _fold("ConstantOfShape", {}, np.array([2**25], np.int64)).shape == (2**25,)
    assert fold("Range", {}, [Const((), np.int64(0)), Const((), np.int64(5)), Const((), np.int64(0))]) is None
