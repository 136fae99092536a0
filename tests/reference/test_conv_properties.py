"""Property and worked-example tests of the reference conv2d."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.reference import Meter
from costmodel.reference import kernels as K

from . import naive


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pads = tuple(draw(st.integers(0, 2)) for _ in range(4))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    # smallest input whose padded extent still holds one window, plus some room
    h = max(1, spans[0] - pads[0] - pads[1]) + draw(st.integers(0, 4))
    w = max(1, spans[1] - pads[2] - pads[3]) + draw(st.integers(0, 4))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((draw(st.integers(1, 2)), c_in, h, w))
    weight = rng.standard_normal((c_out, c_in // groups, *kernel))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, weight, bias, stride, pads, dilation, groups


@settings(max_examples=150, deadline=None)
@given(conv_cases())
def test_conv2d_matches_naive_and_counting_convention(case):
    x, weight, bias, stride, pads, dilation, groups = case
    meter = Meter()
    got = K.conv2d(meter, x, weight, bias, stride, pads, dilation, groups)
    np.testing.assert_allclose(got, naive.conv2d(*case), rtol=1e-10, atol=1e-10)

    n, c_in, h, w = x.shape
    c_out, c_group, kh, kw = weight.shape
    h_out = (h + pads[0] + pads[1] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (w + pads[2] + pads[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    assert (n, c_out, h_out, w_out) == got.shape
    assert kh * kw * (c_in // groups) * c_out * h_out * w_out * n == meter.maccs
    bias_size = 0 if bias is None else c_out
    assert n * c_in * h * w + n * c_out * h_out * w_out + weight.size + bias_size == meter.mem_access
    assert (0 if bias is None else n * c_out * h_out * w_out) == meter.elementwise


def test_literature_worked_example():
    # 12×12×3 input, 256 kernels of 5×5, valid padding → 8×8×256
    x = np.ones((1, 3, 12, 12), dtype=np.float32)
    standard = Meter()
    y = K.conv2d(standard, x, np.ones((256, 3, 5, 5), dtype=np.float32))
    assert (1, 256, 8, 8) == y.shape
    assert 1_228_800 == 5 * 5 * 3 * 256 * 8 * 8 == standard.maccs

    separable = Meter()
    with separable.measure() as depthwise:
        mid = K.conv2d(separable, x, np.ones((3, 1, 5, 5), dtype=np.float32), groups=3)
    with separable.measure() as pointwise:
        y = K.conv2d(separable, mid, np.ones((256, 3, 1, 1), dtype=np.float32))
    assert (1, 256, 8, 8) == y.shape
    assert 4_800 == 5 * 5 * 3 * 8 * 8 == depthwise.counts.maccs
    assert 49_152 == 3 * 256 * 8 * 8 == pointwise.counts.maccs
    assert 4_800 + 49_152 == separable.maccs
