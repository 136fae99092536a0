"""Expansions of the shuffle, fire, residual and MobileOne blocks against hand arithmetic,
and blocks written two ways giving identical costs."""

from __future__ import annotations

import pytest

from costmodel import analyze
from costmodel.spec.load import parse_spec


def net(layers: list[dict], input_=(24, 56, 56), blocks: dict | None = None):
    return analyze(parse_spec({"model": "t", "input": list(input_), "layers": layers,
                               "blocks": blocks or {}}))


def test_shufflenet_v1_stride2_unit():
    # megvii g=3 stage-2 first unit: 24 → 240 at 56² → 28², mid = 240/4 = 60, dense first pw.
    a = net([{"op": "shufflenet_v1_unit", "name": "u", "out": 240, "groups": 3, "stride": 2,
              "pw_groups": 1}])
    maccs = 24 * 60 * 56 * 56 + 9 * 60 * 28 * 28 + (60 // 3) * (240 - 24) * 28 * 28
    params = 24 * 60 + 9 * 60 + (60 // 3) * 216 + 2 * (60 + 60 + 216)  # convs + BN γ, β
    assert (a.totals.maccs, a.totals.params) == (maccs, params)
    assert [r.op for r in a.layers][-3:] == ["relu", "avg_pool", "concat"]
    assert a.layers[-1].output_shape == (1, 240, 28, 28)


def test_shufflenet_v1_stride1_unit_adds():
    a = net([{"op": "shufflenet_v1_unit", "out": 240, "groups": 3}], (240, 28, 28))
    # grouped 1×1 240→60 (g=3), dw 3×3, grouped 1×1 60→240 (g=3)
    assert a.totals.maccs == (80 * 60 + 9 * 60 + 20 * 240) * 28 * 28
    assert [r.op for r in a.layers][-2:] == ["add", "relu"]


@pytest.mark.parametrize("keep, proj, main", [(0, 58, 58), (1, 24, 92)])
def test_shufflenet_v2_stride2_unit(keep, proj, main):
    # 24 → 116 at 56² → 28²: branch channels (torchvision 58 + 58, megvii 24 + 92); mid = 58.
    a = net([{"op": "shufflenet_v2_unit", "out": 116, "stride": 2, "proj_keeps_input": keep}])
    maccs = (9 * 24 + 24 * proj) * 28 * 28 + 24 * 58 * 56 * 56 + (9 * 58 + 58 * main) * 28 * 28
    assert a.totals.maccs == maccs
    assert a.layers[-1].output_shape == (1, 116, 28, 28)


def test_shufflenet_v2_unit_as_user_block_costs_the_same():
    # The stride-1 unit written with primitive ops in a user block vs the built-in block.
    block = {"params": {"c": None}, "layers": [
        {"op": "split", "name": "split", "parts": 2, "inputs": "input"},
        {"op": "conv2d", "name": "pw", "out": "c // 2", "inputs": "split:1"},
        {"op": "batchnorm"}, {"op": "relu"},
        {"op": "conv2d", "kernel": 3, "padding": 1, "groups": "c // 2"}, {"op": "batchnorm"},
        {"op": "conv2d", "out": "c // 2"}, {"op": "batchnorm"}, {"op": "relu", "name": "main"},
        {"op": "concat", "name": "cat", "inputs": ["split:0", "main"]},
        {"op": "shuffle", "groups": 2}]}
    user = net([{"op": "unit", "c": 116}], (116, 28, 28), {"unit": block})
    builtin = net([{"op": "shufflenet_v2_unit", "out": 116}], (116, 28, 28))
    assert user.totals == builtin.totals


def test_depthwise_flag_equals_groups_equal_channels():
    a = net([{"op": "conv2d", "kernel": 3, "padding": 1, "depthwise": True}])
    b = net([{"op": "conv2d", "kernel": 3, "padding": 1, "groups": 24}])
    assert a.totals == b.totals
    assert a.totals.maccs == 9 * 24 * 56 * 56


def test_fire():
    # torchvision Fire(96, 16, 64, 64) at 54²: every conv has a bias.
    a = net([{"op": "fire", "squeeze": 16, "expand1x1": 64, "expand3x3": 64}], (96, 54, 54))
    assert a.totals.params == (96 * 16 + 16) + (16 * 64 + 64) + (9 * 16 * 64 + 64)
    assert a.totals.maccs == (96 * 16 + 16 * 64 + 9 * 16 * 64) * 54 * 54
    assert a.layers[-1].output_shape == (1, 128, 54, 54)


def test_basic_block_projection_only_when_shape_changes():
    same = net([{"op": "basic_block", "out": 64}], (64, 56, 56))
    assert "downsample" not in {r.name.split(".")[1] for r in same.layers}
    assert same.totals.maccs == 2 * 9 * 64 * 64 * 56 * 56
    down = net([{"op": "basic_block", "name": "b", "out": 128, "stride": 2}], (64, 56, 56))
    assert down.totals.maccs == (9 * 64 * 128 + 9 * 128 * 128 + 64 * 128) * 28 * 28


@pytest.mark.parametrize("stride_on, conv1_size", [(3, 56), (1, 28)])
def test_bottleneck_stride_placement(stride_on, conv1_size):
    a = net([{"op": "bottleneck", "out": 512, "stride": 2, "stride_on": stride_on}], (256, 56, 56))
    maccs = (256 * 128 * conv1_size**2 + 9 * 128 * 128 * 28**2 + 128 * 512 * 28**2
             + 256 * 512 * 28**2)  # conv1, 3×3, conv3, projection
    assert a.totals.maccs == maccs


def test_mobileone_block_forms():
    # dw 3×3 on 64 channels, stride 1, 4 branches: 4 dw convs + 1×1 dw scale + BN skip.
    layer = {"op": "mobileone_block", "kernel": 3, "depthwise": True, "branches": 4}
    train = net([{**layer, "reparam": 0}], (64, 28, 28))
    assert train.totals.maccs == (4 * 9 * 64 + 64) * 28 * 28
    assert train.totals.params == 4 * 9 * 64 + 64 + 2 * 64 * 6  # 5 conv BNs + skip BN: γ, β
    inference = net([{**layer, "reparam": 1}], (64, 28, 28))
    assert inference.totals.maccs == 9 * 64 * 28 * 28
    assert inference.totals.params == 9 * 64 + 64  # fused kernel + bias


def test_mobileone_se_squeezes_by_16():
    a = net([{"op": "mobileone_block", "out": 256, "kernel": 1, "reparam": 1, "se": 1}],
            (128, 7, 7))
    # reparam conv 128→256 + bias; SE 256→16→256 with biases on a 1×1 map
    assert a.totals.params == 128 * 256 + 256 + (256 * 16 + 16) + (16 * 256 + 256)
