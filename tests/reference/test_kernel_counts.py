"""Measured counts of every kernel against the project's counting conventions.

Expected values are written as arithmetic over the tensor sizes, with the reason.
"""

import numpy as np
import pytest

from costmodel.reference import Counts, Meter
from costmodel.reference import kernels as K


def measure(kernel, *args, **kwargs) -> Counts:
    meter = Meter()
    kernel(meter, *args, **kwargs)
    return meter.snapshot()


def z(*shape):
    return np.zeros(shape, dtype=np.float32)


def test_conv3x3_same():
    counts = measure(K.conv2d, z(1, 16, 56, 56), z(32, 16, 3, 3), None, 1, 1)
    assert 3 * 3 * 16 * 32 * 56 * 56 == counts.maccs  # k·k·c_in·c_out·h′·w′
    assert 16 * 56 * 56 == counts.reads - 32 * 16 * 3 * 3  # input read once beside the weights
    assert 16 * 56 * 56 + 32 * 56 * 56 + 32 * 16 * 3 * 3 == counts.mem_access  # in + out + weights
    assert 0 == counts.elementwise  # no bias


def test_conv_batch_stride_bias():
    counts = measure(K.conv2d, z(2, 3, 224, 224), z(32, 3, 3, 3), z(32), 2, (0, 1, 0, 1))
    assert 3 * 3 * 3 * 32 * 112 * 112 * 2 == counts.maccs  # k·k·c_in·c_out·h′·w′·n
    assert 2 * 3 * 224 * 224 + 2 * 32 * 112 * 112 + 32 * 3 * 3 * 3 + 32 == counts.mem_access  # + bias
    assert 2 * 32 * 112 * 112 == counts.elementwise  # one bias add per output element


def test_conv_padding_taps_are_multiplied():
    # a 3×3 'same' conv on a 2×2 map: 5 of each window's 9 taps are padding, still counted
    counts = measure(K.conv2d, z(1, 1, 2, 2), z(1, 1, 3, 3), None, 1, 1)
    assert 3 * 3 * 2 * 2 == counts.maccs


@pytest.mark.parametrize("multiplier", [1, 2])
def test_depthwise_conv(multiplier):
    c = 96
    weight = z(c * multiplier, 1, 3, 3)
    counts = measure(K.conv2d, z(1, c, 112, 112), weight, None, 2, (0, 1, 0, 1), 1, c)
    assert 3 * 3 * 1 * (c * multiplier) * 56 * 56 == counts.maccs  # k·k·(c_in/g)·c_out·h′·w′
    assert c * 112 * 112 + c * multiplier * 56 * 56 + c * multiplier * 3 * 3 == counts.mem_access


def test_grouped_pointwise_conv():
    # ShuffleNet v1 unit: 1×1 conv 240 → 60 in 3 groups (G2: weights shrink by g)
    counts = measure(K.conv2d, z(1, 240, 28, 28), z(60, 80, 1, 1), None, 1, 0, 1, 3)
    assert 240 // 3 * 60 * 28 * 28 == counts.maccs  # (c_in/g)·c_out·h·w
    assert 28 * 28 * (240 + 60) + 240 * 60 // 3 == counts.mem_access  # hw(c1+c2) + c1·c2/g


def test_dilated_conv():
    counts = measure(K.conv2d, z(1, 8, 20, 20), z(8, 8, 3, 3), None, 1, 2, 2)
    assert 3 * 3 * 8 * 8 * 20 * 20 == counts.maccs  # dilation spreads taps, does not add any


@pytest.mark.parametrize("bias", [None, z(1000)])
def test_linear(bias):
    counts = measure(K.linear, z(4, 1280), z(1000, 1280), bias)
    with_bias = bias is not None
    assert 4 * 1280 * 1000 == counts.maccs  # n·in·out
    # in + out + weights (+ bias)
    assert 4 * 1280 + 4 * 1000 + 1280 * 1000 + 1000 * with_bias == counts.mem_access
    assert 4 * 1000 * with_bias == counts.elementwise  # one bias add per output


def test_batchnorm():
    counts = measure(K.batchnorm, z(2, 32, 14, 14), z(32), z(32), z(32), z(32) + 1)
    assert 0 == counts.maccs
    assert 2 * (2 * 32 * 14 * 14) + 2 * 32 == counts.mem_access  # read + write x, folded scale and shift
    assert 2 * 32 * 14 * 14 == counts.elementwise  # one scale-and-shift per element


@pytest.mark.parametrize("name", sorted(set(K.ACTIVATIONS) - {"identity"}))
def test_activation(name):
    counts = measure(K.ACTIVATIONS[name], z(2, 24, 7, 9))
    assert Counts(reads=2 * 24 * 7 * 9, writes=2 * 24 * 7 * 9, elementwise=2 * 24 * 7 * 9) == counts


@pytest.mark.parametrize("kernel", [K.identity, K.dropout, K.flatten])
def test_free_ops_count_nothing(kernel):
    assert Counts() == measure(kernel, z(2, 24, 7, 9))


@pytest.mark.parametrize("kernel", [K.add, K.mul])
def test_binary_reads_operands_at_their_own_size(kernel):
    # squeeze-excitation scale: [N, C, H, W] · [N, C, 1, 1]
    counts = measure(kernel, z(2, 64, 14, 14), z(2, 64, 1, 1))
    assert 2 * 64 * 14 * 14 + 2 * 64 + 2 * 64 * 14 * 14 == counts.mem_access  # read both, write output
    assert 2 * 64 * 14 * 14 == counts.elementwise  # output elements
    assert 0 == counts.maccs


def test_concat():
    counts = measure(K.concat, [z(1, 58, 28, 28), z(1, 58, 28, 28), z(1, 16, 28, 28)])
    assert Counts(reads=(58 + 58 + 16) * 28 * 28, writes=(58 + 58 + 16) * 28 * 28) == counts


@pytest.mark.parametrize("sections", [2, [16, 100]])
def test_split(sections):
    counts = measure(K.channel_split, z(1, 116, 28, 28), sections)
    assert Counts(reads=116 * 28 * 28, writes=116 * 28 * 28) == counts  # copy: 2·n·c·h·w


def test_shuffle():
    counts = measure(K.channel_shuffle, z(2, 116, 28, 28), 2)
    assert 2 * (2 * 116 * 28 * 28) == counts.mem_access
    assert 0 == counts.elementwise == counts.maccs


@pytest.mark.parametrize("pool", [K.max_pool2d, K.avg_pool2d])
def test_pool(pool):
    counts = measure(pool, z(1, 64, 112, 112), 3, 2, 1)
    assert 0 == counts.maccs
    assert 64 * 112 * 112 + 64 * 56 * 56 == counts.mem_access  # in + out
    assert 3 * 3 * 64 * 56 * 56 == counts.elementwise  # k·k per output element


def test_pool_ceil_mode_counts_the_partial_window_in_full():
    counts = measure(K.avg_pool2d, z(1, 2, 5, 5), 2, ceil_mode=True, count_include_pad=False)
    # k·k·c·h′·w′ with h′ = w′ = ⌈(5 − 2)/2⌉ + 1
    assert 2 * 2 * 2 * 3 * 3 == counts.elementwise
    assert 2 * 5 * 5 + 2 * 3 * 3 == counts.mem_access


def test_global_avg_pool():
    counts = measure(K.global_avg_pool, z(2, 1280, 7, 7))
    assert 2 * 1280 * 7 * 7 + 2 * 1280 == counts.mem_access  # read map, write one value per channel
    assert 2 * 1280 * 7 * 7 == counts.elementwise  # every element summed once
