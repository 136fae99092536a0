"""Every kernel against a naive nested-loop implementation at tiny sizes."""

import numpy as np
import pytest

from costmodel.reference import Meter
from costmodel.reference import kernels as K

from . import naive

RNG = np.random.default_rng(1)


def rand(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize(
    ("c_in", "c_out", "kernel", "stride", "pads", "dilation", "groups", "with_bias"),
    [
        (3, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, True),  # 'same' 3×3
        (3, 5, (3, 3), (2, 2), (0, 0, 0, 0), (1, 1), 1, False),  # valid, stride 2
        (4, 6, (3, 3), (2, 2), (0, 1, 0, 1), (1, 1), 2, True),  # TF 'same' stride 2: pad after only
        (4, 4, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 4, False),  # dilated depthwise
        (3, 6, (3, 3), (2, 1), (1, 1, 0, 2), (1, 1), 3, True),  # depthwise, multiplier 2
        (4, 6, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1, True),  # pointwise
        (6, 4, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 2, False),  # grouped pointwise, stride 2
        (2, 3, (2, 3), (1, 2), (1, 0, 2, 1), (2, 1), 1, False),  # rectangular, asymmetric
        (3, 2, (5, 5), (1, 1), (0, 0, 0, 0), (1, 1), 1, True),  # kernel as tall as the input
    ],
)
def test_conv2d_matches_naive(c_in, c_out, kernel, stride, pads, dilation, groups, with_bias):
    x = rand(2, c_in, 5, 7)
    weight = rand(c_out, c_in // groups, *kernel)
    bias = rand(c_out) if with_bias else None
    got = K.conv2d(Meter(), x, weight, bias, stride, pads, dilation, groups)
    want = naive.conv2d(x, weight, bias, stride, pads, dilation, groups)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv2d_float32_stays_float32():
    x = rand(1, 8, 9, 9).astype(np.float32)
    weight = rand(8, 1, 3, 3).astype(np.float32)
    got = K.conv2d(Meter(), x, weight, None, 2, 1, 1, 8)
    assert np.float32 == got.dtype
    want = naive.conv2d(x, weight, None, (2, 2), (1, 1, 1, 1), (1, 1), 8)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_conv2d_padding_shorthands():
    x, weight = rand(1, 2, 6, 6), rand(3, 2, 3, 3)
    by_sides = K.conv2d(Meter(), x, weight, padding=(1, 1, 2, 2))
    np.testing.assert_array_equal(by_sides, K.conv2d(Meter(), x, weight, padding=(1, 2)))  # (h, w)
    assert (1, 3, 6, 8) == by_sides.shape
    np.testing.assert_array_equal(
        K.conv2d(Meter(), x, weight, padding=(1, 1, 1, 1)), K.conv2d(Meter(), x, weight, padding=1)
    )


def test_conv2d_rejects_channels_that_do_not_fit_groups():
    with pytest.raises(ValueError, match="groups=2"):
        K.conv2d(Meter(), rand(1, 3, 4, 4), rand(4, 1, 1, 1), groups=2)


def test_linear_matches_naive():
    x, weight, bias = rand(3, 5), rand(4, 5), rand(4)
    want = np.array(
        [[sum(x[n, i] * weight[o, i] for i in range(5)) + bias[o] for o in range(4)] for n in range(3)]
    )
    np.testing.assert_allclose(K.linear(Meter(), x, weight, bias), want)
    np.testing.assert_allclose(K.linear(Meter(), x, weight), want - bias)


def test_batchnorm_matches_definition():
    x = rand(2, 3, 4, 5)
    gamma, beta, mean = rand(3), rand(3), rand(3)
    var = RNG.random(3) + 0.5
    want = np.empty_like(x)
    for c in range(3):
        want[:, c] = (x[:, c] - mean[c]) / np.sqrt(var[c] + 1e-3) * gamma[c] + beta[c]
    np.testing.assert_allclose(K.batchnorm(Meter(), x, gamma, beta, mean, var, eps=1e-3), want)


@pytest.mark.parametrize("name", sorted(K.ACTIVATIONS))
def test_activation_matches_scalar_definition(name):
    x = rand(2, 3, 4, 5) * 5  # reaches both knees of relu6 and hardswish
    want = naive.apply_scalar(naive.SCALAR_ACTIVATIONS[name], x)
    # gelu's erfc is a rational approximation with relative error < 1.2e-7 (numpy has no erf)
    rtol = 1e-6 if name == "gelu" else 1e-12
    np.testing.assert_allclose(K.ACTIVATIONS[name](Meter(), x), want, rtol=rtol, atol=1e-15)


@pytest.mark.parametrize(
    ("hw", "kernel", "stride", "pads", "ceil_mode", "out_hw"),
    [
        ((5, 5), (2, 2), None, (0, 0, 0, 0), False, (2, 2)),
        ((5, 5), (2, 2), None, (0, 0, 0, 0), True, (3, 3)),  # ceil keeps the partial window
        ((7, 6), (3, 3), (2, 2), (1, 1, 1, 1), False, (4, 3)),
        ((6, 6), (3, 3), (2, 2), (1, 1, 1, 1), True, (4, 4)),  # last window starts in input
        ((5, 5), (3, 3), (2, 2), (1, 1, 1, 1), True, (3, 3)),  # a 4th window would start in padding
        ((6, 7), (3, 2), (1, 2), (1, 1, 0, 0), True, (6, 4)),
    ],
)
@pytest.mark.parametrize("mode", ["max", "avg", "avg_exclude_pad"])
def test_pools_match_naive(hw, kernel, stride, pads, ceil_mode, out_hw, mode):
    x = rand(1, 2, *hw)
    include_pad = mode == "avg"
    if mode == "max":
        got = K.max_pool2d(Meter(), x, kernel, stride, pads, ceil_mode)
    else:
        got = K.avg_pool2d(Meter(), x, kernel, stride, pads, ceil_mode, count_include_pad=include_pad)
    want = naive.pool2d(x, kernel, stride or kernel, pads, out_hw, mode[:3], include_pad)
    assert (1, 2, *out_hw) == got.shape
    np.testing.assert_allclose(got, want)


def test_max_pool_ceil_mode_output_size_of_googlenet_stem():
    # torchvision GoogLeNet: MaxPool2d(3, stride=2, ceil_mode=True) takes 112 to 56 (floor: 55)
    assert (1, 1, 56, 56) == K.max_pool2d(Meter(), rand(1, 1, 112, 112), 3, 2, ceil_mode=True).shape
    assert (1, 1, 55, 55) == K.max_pool2d(Meter(), rand(1, 1, 112, 112), 3, 2).shape


def test_global_avg_pool_keeps_spatial_axes():
    x = rand(2, 3, 4, 5)
    want = np.array([[[[x[n, c].sum() / 20]] for c in range(3)] for n in range(2)])
    np.testing.assert_allclose(K.global_avg_pool(Meter(), x), want)


@pytest.mark.parametrize(("kernel", "op"), [(K.add, float.__add__), (K.mul, float.__mul__)])
@pytest.mark.parametrize("b_shape", [(2, 3, 4, 5), (2, 3, 1, 1), (1, 3, 1, 1)])
def test_binary_broadcasts_like_numpy(kernel, op, b_shape):
    a, b = rand(2, 3, 4, 5), rand(*b_shape)
    want = np.empty_like(a)
    for idx in np.ndindex(a.shape):
        b_idx = tuple(i if size > 1 else 0 for i, size in zip(idx, b_shape))
        want[idx] = op(float(a[idx]), float(b[b_idx]))
    np.testing.assert_allclose(kernel(Meter(), a, b), want)


def test_concat_split_shuffle_flatten_dropout():
    a, b = rand(2, 3, 4, 4), rand(2, 5, 4, 4)
    joined = K.concat(Meter(), [a, b])
    np.testing.assert_array_equal(np.concatenate([a, b], axis=1), joined)
    left, right = K.channel_split(Meter(), joined, [3, 5])
    np.testing.assert_array_equal(a, left)
    np.testing.assert_array_equal(b, right)
    assert [(2, 2, 4, 4)] * 4 == [p.shape for p in K.channel_split(Meter(), joined, 4)]
    shuffled = K.channel_shuffle(Meter(), rand(1, 6, 2, 2), 3)
    assert (1, 6, 2, 2) == shuffled.shape
    x = np.arange(6.0).reshape(1, 6, 1, 1)
    # groups [0 1][2 3][4 5] interleaved: first channel of each group, then the second
    assert [0, 2, 4, 1, 3, 5] == K.channel_shuffle(Meter(), x, 3).ravel().tolist()
    assert (2, 3 * 4 * 4) == K.flatten(Meter(), a).shape
    assert K.dropout(Meter(), a) is a
    assert K.identity(Meter(), a) is a


@pytest.mark.parametrize(("call", "match"), [
    (lambda: K.channel_split(Meter(), rand(1, 6, 2, 2), 4), "split"),
    (lambda: K.channel_split(Meter(), rand(1, 6, 2, 2), [2, 3]), "split"),
    (lambda: K.channel_shuffle(Meter(), rand(1, 6, 2, 2), 4), "groups=4"),
])
def test_data_movement_rejects_bad_channel_counts(call, match):
    with pytest.raises(ValueError, match=match):
        call()
