"""mixed_conv (MixConv, timm MixedConv2d) against hand arithmetic: timm's channel split,
one kernel size per part, the block's stride on every part; and the SE fields of mbconv
that papers disagree on must be written out."""

from __future__ import annotations

import pytest

from costmodel import analyze
from costmodel.blocks.mixed_conv import split_channels
from costmodel.errors import SpecError
from costmodel.spec.load import parse_spec


def net(layers: list[dict], input_: tuple[int, int, int]):
    return analyze(parse_spec({"model": "t", "input": list(input_), "layers": layers}))


@pytest.mark.parametrize("total, parts, widths", [(10, 3, [4, 3, 3]), (144, 3, [48, 48, 48]),
                                                  (7, 2, [4, 3]), (5, 5, [1, 1, 1, 1, 1])])
def test_split_channels_is_timms(total, parts, widths):
    # timm _split_channels: [total // parts] * parts, the remainder added to the first
    assert split_channels(total, parts) == widths


def test_depthwise_mixed_conv_counts():
    # 10 channels → parts 4, 3, 3 with kernels 3, 5, 7 at 8×8, stride 1 (padding k // 2)
    a = net([{"name": "m", "op": "mixed_conv", "kernels": [3, 5, 7]}], (10, 8, 8))
    params = 9 * 4 + 25 * 3 + 49 * 3  # 36 + 75 + 147 = 258 depthwise weights
    assert (a.totals.params, a.totals.maccs) == (params, params * 8 * 8)
    assert [row.op for row in a.layers] == ["split", "conv2d", "conv2d", "conv2d", "concat"]
    assert a.layers[-1].output_shape == (1, 10, 8, 8)


def test_stride_applies_to_every_part():
    # 6 channels, kernels 3 and 5, stride 2 at 9×9 → 5×5 for both parts (⌊(9 + 2p − k)/2⌋ + 1)
    a = net([{"name": "m", "op": "mixed_conv", "kernels": [3, 5], "stride": 2}], (6, 9, 9))
    assert a.layers[-1].output_shape == (1, 6, 5, 5)
    assert a.totals.maccs == (9 * 3 + 25 * 3) * 5 * 5


def test_dense_mixed_conv_splits_out_alike():
    # MixNet's grouped 1×1: 7 → 5 channels over two parts, in 4 + 3, out 3 + 2, biased
    a = net([{"name": "m", "op": "mixed_conv", "kernels": [1, 1], "out": 5, "depthwise": False,
              "bias": True}], (7, 4, 4))
    weights = 4 * 3 + 3 * 2
    assert (a.totals.params, a.totals.maccs) == (weights + 5, weights * 4 * 4)


def test_one_kernel_is_one_conv():
    a = net([{"name": "m", "op": "mixed_conv", "kernels": [5]}], (8, 6, 6))
    assert [row.op for row in a.layers] == ["conv2d"]
    assert a.totals.maccs == 25 * 8 * 6 * 6


def test_depthwise_mixed_conv_refuses_another_width():
    with pytest.raises(SpecError, match="keeps its 8 input channels"):
        net([{"name": "m", "op": "mixed_conv", "kernels": [3, 5], "out": 16}], (8, 6, 6))


@pytest.mark.parametrize("given, missing", [({}, "se_of and se_gate"),
                                            ({"se_of": "input"}, "se_gate"),
                                            ({"se_gate": "sigmoid"}, "se_of")])
def test_mbconv_se_needs_its_base_and_gate(given, missing):
    # EfficientNet's squeeze is ratio·C_in with a sigmoid, MobileNetV3's ratio·hidden with a
    # hard-sigmoid: a spec that does not say which is refused rather than guessed
    layer = {"name": "b", "op": "mbconv", "out": 16, "se_ratio": "1/4", **given}
    with pytest.raises(SpecError, match=f"se_ratio needs {missing}"):
        net([layer], (16, 8, 8))
