"""Constant folding (costmodel/importer/consts.py) against ONNX's definitions: the values
below are worked by hand from the operator specs (onnx.ai/onnx/operators)."""

from __future__ import annotations

import numpy as np

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
