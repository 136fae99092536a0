"""Reference kernels of the modern ops: values against their definitions written out
directly (loops or textbook formulas), counts against the conventions as arithmetic."""

import math

import numpy as np
import pytest

from costmodel.reference import Counts, Meter
from costmodel.reference import layout as L
from costmodel.reference import normalize as N


def measure(kernel, *args, **kwargs):
    meter = Meter()
    out = kernel(meter, *args, **kwargs)
    return out, meter.snapshot()


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_layernorm_over_channels_matches_per_pixel_loop():
    x, gamma, beta = rand(2, 5, 3, 4), rand(5, seed=1), rand(5, seed=2)
    y, counts = measure(N.layernorm, x, gamma, beta, axis=1)
    for n, i, j in np.ndindex(2, 3, 4):
        v = x[n, :, i, j]
        want = (v - v.mean()) / math.sqrt(v.var() + 1e-5) * gamma + beta
        np.testing.assert_allclose(y[n, :, i, j], want, rtol=1e-12)
    size = 2 * 5 * 3 * 4
    assert Counts(reads=size + 2 * 5, writes=size, elementwise=2 * size) == counts


def test_layernorm_on_tokens_normalizes_the_last_axis():
    x = rand(2, 7, 6)
    y, _ = measure(N.layernorm, x, np.ones(6), np.zeros(6), axis=-1)
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1 / (1 + 1e-5 / x.var(axis=-1)), rtol=1e-9)


def test_groupnorm_matches_group_loop():
    x, gamma, beta = rand(1, 6, 2, 3), rand(6, seed=1), rand(6, seed=2)
    y, counts = measure(N.groupnorm, x, gamma, beta, groups=3)
    for g in range(3):
        block = x[0, 2 * g : 2 * g + 2]
        want = (block - block.mean()) / math.sqrt(block.var() + 1e-5)
        want = want * gamma[2 * g : 2 * g + 2, None, None] + beta[2 * g : 2 * g + 2, None, None]
        np.testing.assert_allclose(y[0, 2 * g : 2 * g + 2], want, rtol=1e-12)
    assert Counts(reads=36 + 12, writes=36, elementwise=2 * 36) == counts


def test_softmax_is_stable_and_sums_to_one():
    x = rand(2, 3, 5) * 1000  # exp overflows without subtracting the maximum
    y, counts = measure(N.softmax, x, axis=-1)
    row = x[1, 2]
    want = np.exp(row - row.max()) / np.exp(row - row.max()).sum()
    np.testing.assert_allclose(y[1, 2], want, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(y.sum(axis=-1), 1)
    assert Counts(reads=30, writes=30, elementwise=2 * 30) == counts  # statistics + division


@pytest.mark.parametrize(("mode", "want_row"), [
    ("constant", [7, 7, 0, 1, 2, 7]),  # the value
    ("reflect", [2, 1, 0, 1, 2, 1]),  # mirrored without repeating the edge
    ("replicate", [0, 0, 0, 1, 2, 2]),  # the edge repeated
])
def test_pad_modes(mode, want_row):
    x = np.arange(3.0).reshape(1, 1, 1, 3)
    y, counts = measure(L.pad, x, (0, 0, 2, 1), mode, 7.0)
    assert y[0, 0, 0].tolist() == want_row
    assert Counts(reads=3, writes=6) == counts


def test_channel_slice_is_a_view_and_counts_nothing():
    x = rand(1, 8, 2, 2)
    y, counts = measure(L.channel_slice, x, 2, 5)
    assert np.shares_memory(x, y) and y.shape == (1, 3, 2, 2)
    assert Counts() == counts
    tokens, _ = measure(L.channel_slice, rand(1, 4, 8), 6, 8)
    assert tokens.shape == (1, 4, 2)


def test_resize_nearest_and_bilinear_on_a_row():
    from costmodel.reference import resample as R

    x = np.array([0.0, 1.0]).reshape(1, 1, 1, 2)
    near, counts = measure(R.resize_nearest, x, (1, 4))
    assert near.ravel().tolist() == [0, 0, 1, 1]
    assert Counts(reads=2, writes=4) == counts
    # PyTorch, align_corners=False: source x = (j + ½)/2 − ½ clamped at 0 → 0, ¼, ¾, 1
    up, counts = measure(R.resize_bilinear, x, (1, 4))
    assert up.ravel().tolist() == [0, 0.25, 0.75, 1]
    assert Counts(reads=2, writes=4, elementwise=4 * 4) == counts
    corners, _ = measure(R.resize_bilinear, x, (1, 3), align_corners=True)
    assert corners.ravel().tolist() == [0, 0.5, 1]  # source x = j·(2 − 1)/(3 − 1)


def test_adaptive_avg_pool_windows():
    from costmodel.reference import resample as R

    x = np.arange(5.0).reshape(1, 1, 5, 1)
    y, counts = measure(R.adaptive_avg_pool, x, (3, 1))
    assert y.ravel().tolist() == [0.5, 2.0, 3.5]  # means of [0,1], [1,2,3], [3,4]
    assert Counts(reads=5, writes=3, elementwise=2 + 3 + 2) == counts


def naive_conv_transpose(x, weight, stride, padding, output_padding, groups):
    """Scatter every input pixel through the kernel, one scalar at a time."""
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = weight.shape
    h_out = (h - 1) * stride - 2 * padding + kh + output_padding
    w_out = (w - 1) * stride - 2 * padding + kw + output_padding
    y = np.zeros((n, c_out_g * groups, h_out, w_out))
    per_group = c_in // groups
    for b, c, i, j, o, p, q in np.ndindex(n, c_in, h, w, c_out_g, kh, kw):
        row, col = i * stride + p - padding, j * stride + q - padding
        if 0 <= row < h_out and 0 <= col < w_out:
            y[b, c // per_group * c_out_g + o, row, col] += x[b, c, i, j] * weight[c, o, p, q]
    return y


@pytest.mark.parametrize(("stride", "padding", "output_padding", "groups"),
                         [(1, 0, 0, 1), (2, 1, 1, 1), (3, 2, 0, 2), (2, 0, 1, 4)])
def test_conv_transpose_matches_scatter_loop(stride, padding, output_padding, groups):
    from costmodel.reference import resample as R

    x, weight = rand(2, 4, 3, 5), rand(4, 2, 3, 3, seed=1)
    y, counts = measure(R.conv_transpose2d, x, weight, None, (stride,) * 2, (padding,) * 2,
                        (output_padding,) * 2, (1, 1), groups)
    np.testing.assert_allclose(y, naive_conv_transpose(x, weight, stride, padding, output_padding, groups),
                               rtol=1e-12, atol=1e-12)
    assert 2 * 3 * 5 * weight.size == counts.maccs  # N·H·W·params: every input pixel × every weight
    assert x.size + weight.size + y.size == counts.mem_access


def test_unfold_patches_follows_timm_mobilevit():
    from costmodel.reference import layout as L

    # timm MobileVitBlock: sequence (i, j) holds pixel (i, j) of every 2×2 patch, row-major
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    y, counts = measure(L.unfold_patches, x, (2, 2))
    assert y.shape == (4, 4, 1)
    assert y[0, :, 0].tolist() == [0, 2, 8, 10]  # top-left pixel of each patch
    assert y[3, :, 0].tolist() == [5, 7, 13, 15]  # bottom-right pixel of each patch
    assert Counts(reads=16, writes=16) == counts
    back, _ = measure(L.fold_patches, y, (2, 2), 4, 4)
    np.testing.assert_array_equal(back, x)


def test_tokens_image_heads_round_trip():
    from costmodel.reference import layout as L

    x = rand(2, 6, 3, 4)
    t, counts = measure(L.tokens, x)
    assert t[1, 5].tolist() == x[1, :, 1, 1].tolist()  # token 5 = pixel (1, 1)
    assert Counts(reads=x.size, writes=x.size) == counts
    heads, _ = measure(L.split_heads, t, 3)
    assert heads.shape == (2, 3, 12, 2) and heads[0, 1, 5].tolist() == t[0, 5, 2:4].tolist()
    np.testing.assert_array_equal(measure(L.merge_heads, heads)[0], t)
    np.testing.assert_array_equal(measure(L.image, t, 3, 4)[0], x)


def test_matmul_broadcasts_a_single_head_and_counts_maccs():
    from costmodel.reference import matmul as M

    q, k = rand(2, 4, 5, 3), rand(2, 1, 7, 3, seed=1)
    y, counts = measure(M.matmul, q, k, transpose_b=True, scale=0.5)
    np.testing.assert_allclose(y, 0.5 * q @ np.swapaxes(k, -1, -2), rtol=1e-12)
    assert 2 * 4 * 5 * 3 * 7 == counts.maccs  # batch·heads·M·K·N
    assert q.size + k.size + y.size == counts.mem_access


def test_attention_bias_gathers_timm_relative_offsets():
    from costmodel.reference import matmul as M

    # timm efficientformer.Attention: idx(i, j) = |r_i − r_j|·W + |c_i − c_j| on a row-major grid
    rows, cols = 2, 3
    idx = M.relative_offsets(rows, cols)
    for i in range(rows * cols):
        for j in range(rows * cols):
            (ri, ci), (rj, cj) = divmod(i, cols), divmod(j, cols)
            assert idx[i, j] == abs(ri - rj) * cols + abs(ci - cj)
    scores, table = rand(1, 2, 6, 6), rand(2, 6, seed=1)
    y, counts = measure(M.attention_bias, scores, table, (rows, cols))
    assert y[0, 1, 0, 5] == scores[0, 1, 0, 5] + table[1, 1 * 3 + 2]  # (0,0) vs (1,2)
    assert Counts(reads=2 * 2 * 36, writes=2 * 36, elementwise=2 * 36) == counts  # scores + bias in
    with pytest.raises(ValueError, match="on a 2×2 grid"):
        M.attention_bias(Meter(), scores, table, (2, 2))


def test_sub_scale_and_token_mean():
    from costmodel.reference import kernels as K

    a, b = rand(2, 3, 4), rand(2, 3, 4, seed=1)
    y, counts = measure(K.sub, a, b)
    np.testing.assert_array_equal(y, a - b)
    assert Counts(reads=48, writes=24, elementwise=24) == counts
    y, counts = measure(K.scale, a, 0.5)
    np.testing.assert_array_equal(y, a / 2)
    assert Counts(reads=24, writes=24, elementwise=24) == counts
    y, counts = measure(K.global_avg_pool, a)  # tokens N×L×C → N×C
    np.testing.assert_allclose(y, a.mean(axis=1))
    assert Counts(reads=24, writes=2 * 4, elementwise=24) == counts
