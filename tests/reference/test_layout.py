"""Kernels give the same values and counts whether an input is laid out NCHW or
channels-last (N, H, W, C) in memory; the reference picks layouts for speed only."""

import numpy as np
import pytest

from costmodel.reference import Meter
from costmodel.reference import kernels as K

from . import naive

RNG = np.random.default_rng(2)


def channels_last(x):
    """The same [N, C, H, W] values, stored with channels fastest."""
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def both_layouts(kernel, x, *args):
    """(values, counts) of `kernel` on x stored NCHW and stored channels-last."""
    runs = []
    for stored in (np.ascontiguousarray(x), channels_last(x)):
        meter = Meter()
        runs.append((kernel(meter, stored, *args), meter.snapshot()))
    return runs


@pytest.mark.parametrize(
    ("c_in", "c_out", "kernel", "stride", "pads", "groups"),
    [
        (4, 6, (1, 1), (1, 1), (0, 0, 0, 0), 1),  # pointwise: a matmul without copies
        (3, 5, (3, 3), (1, 1), (1, 1, 1, 1), 1),  # dense 3×3
        (6, 4, (1, 1), (2, 2), (0, 0, 0, 0), 2),  # grouped, stride 2
        (5, 5, (3, 3), (1, 1), (1, 1, 1, 1), 5),  # depthwise, stride 1: per-tap products
        (5, 5, (3, 3), (2, 2), (0, 1, 0, 1), 5),  # depthwise, stride 2: einsum
        (3, 6, (3, 3), (1, 1), (1, 1, 1, 1), 3),  # depthwise, multiplier 2: einsum
    ],
)
def test_conv2d_layout_independent(c_in, c_out, kernel, stride, pads, groups):
    x = RNG.standard_normal((2, c_in, 6, 7))
    weight = RNG.standard_normal((c_out, c_in // groups, *kernel))
    (nchw, counts), (last, counts_last) = both_layouts(K.conv2d, x, weight, None, stride, pads, 1, groups)
    want = naive.conv2d(x, weight, None, stride, pads, (1, 1), groups)
    np.testing.assert_allclose(nchw, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(last, want, rtol=1e-12, atol=1e-12)
    assert counts == counts_last


def test_batchnorm_and_pools_layout_independent():
    x = RNG.standard_normal((2, 3, 6, 6))
    stats = [RNG.uniform(0.5, 1.5, 3) for _ in range(4)]
    for kernel, args in [(K.batchnorm, stats), (K.max_pool2d, [3, 2, 1]), (K.avg_pool2d, [3, 2, 1])]:
        (nchw, counts), (last, counts_last) = both_layouts(kernel, x, *args)
        np.testing.assert_allclose(nchw, last, rtol=1e-12, atol=1e-12)
        assert counts == counts_last


def test_contract_runs_a_stack_of_matrix_vector_products():
    a, b = RNG.standard_normal((5, 4, 3)), RNG.standard_normal((5, 3))
    meter = Meter()
    np.testing.assert_allclose(meter.contract("gik,gk->gi", a, b), np.einsum("gik,gk->gi", a, b))
    assert 5 * 4 * 3 == meter.maccs  # g·i·k
