"""Expansions of squeeze-excitation, MBConv, sandglass and the ghost blocks against hand
arithmetic, and blocks written two ways giving identical costs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from costmodel import analyze
from costmodel.errors import SpecError
from costmodel.spec.load import parse_spec

SPECS = Path(__file__).resolve().parents[2] / "specs"


def net(layers: list[dict], input_: tuple[int, int, int], blocks: dict | None = None, **bindings):
    spec = {"model": "t", "input": list(input_), "layers": layers, "blocks": blocks or {}}
    return analyze(parse_spec(spec), **bindings)


def ops(analysis) -> list[str]:
    return [row.op for row in analysis.layers]


# -- squeeze-excitation -------------------------------------------------------------------

def test_squeeze_excitation_counts():
    a = net([{"op": "squeeze_excitation", "name": "se", "squeeze": 16}], (64, 8, 8))
    # fc1 64→16 and fc2 16→64 on the pooled 1×1 map, both with bias
    assert a.totals.maccs == 64 * 16 + 16 * 64
    assert a.totals.params == (64 * 16 + 16) + (16 * 64 + 64)
    assert ops(a) == ["global_avg_pool", "conv2d", "relu", "conv2d", "sigmoid", "mul"]
    assert a.layers[-1].output_shape == (1, 64, 8, 8)
    # pool 64·8·8 reads, bias adds 16 + 64, relu 16, sigmoid 64, multiply 64·8·8
    assert a.totals.elementwise == 64 * 64 + 16 + 64 + 16 + 64 + 64 * 64


SE_BY_HAND = {
    "se": {"params": {"squeeze": None}, "layers": [
        {"op": "global_avg_pool", "name": "pool"},
        {"op": "conv2d", "name": "fc1", "out": "squeeze", "bias": True},
        {"op": "relu", "name": "act"},
        {"op": "conv2d", "name": "fc2", "out": 64, "bias": True},
        {"op": "hardsigmoid", "name": "gate"},
        {"op": "mul", "name": "scale", "inputs": ["input", "gate"]},
    ]},
}


def test_squeeze_excitation_equals_user_block():
    built_in = net([{"op": "squeeze_excitation", "squeeze": 16, "gate": "hardsigmoid"}], (64, 8, 8))
    by_hand = net([{"op": "se", "squeeze": 16}], (64, 8, 8), SE_BY_HAND)
    assert built_in.totals == by_hand.totals


# -- MBConv ---------------------------------------------------------------------------------

def test_mbconv_efficientnet_style():
    # 16 → 24, t = 6 (hidden 96), k5 s2 at 28² → 14², SE of the block input: max(1, 16 // 4) = 4
    a = net([{"op": "mbconv", "out": 24, "kernel": 5, "stride": 2, "act": "silu",
              "se_ratio": "1/4", "se_of": "input", "se_gate": "sigmoid"}], (16, 28, 28))
    assert a.totals.maccs == (16 * 96 * 28 * 28 + 25 * 96 * 14 * 14 + 96 * 4 + 4 * 96
                              + 96 * 24 * 14 * 14)
    bn = 2 * (96 + 96 + 24)
    assert a.totals.params == 16 * 96 + 25 * 96 + (96 * 4 + 4) + (4 * 96 + 96) + 96 * 24 + bn
    assert "add" not in ops(a)


def test_mbconv_mobilenet_v3_style():
    # torchvision's 24 → 40 (k5, s2, exp 72) block: SE squeeze make_divisible(72 // 4, 8) = 24
    # (18 rounds to 16, below 0.9 · 18, so one more step)
    a = net([{"op": "mbconv", "out": 40, "hidden": 72, "kernel": 5, "stride": 2, "act": "relu",
              "se_ratio": "1/4", "se_of": "expanded", "se_divisor": 8, "se_gate": "hardsigmoid"}],
            (24, 56, 56))
    se = [row for row in a.layers if row.block.endswith(".se") or ".se." in row.name]
    assert [row.output_shape[1] for row in se if row.op == "conv2d"] == [24, 72]
    assert a.totals.maccs == (24 * 72 * 56 * 56 + 25 * 72 * 28 * 28 + 2 * 72 * 24
                              + 72 * 40 * 28 * 28)


def test_mbconv_without_expansion_and_with_residual():
    a = net([{"op": "mbconv", "out": 16, "hidden": 16}], (16, 28, 28))
    assert ops(a)[0] == "conv2d" and a.layers[0].name.endswith("dw.conv")
    assert ops(a)[-1] == "add"
    assert a.totals.maccs == 9 * 16 * 28 * 28 + 16 * 16 * 28 * 28


@pytest.mark.parametrize("alpha", ["0.35", "0.5", "0.75", "1", "1.3", "1.4"])
def test_mbconv_without_se_equals_inverted_residual(alpha):
    # MobileNetV2 written with mbconv: every C_in is a multiple of 8, so MBConv's
    # make_divisible(C_in · 6, 8) equals the inverted residual's round(C_in · 6).
    data = yaml.safe_load((SPECS / "mobilenet_v2.yaml").read_text())
    original = analyze(parse_spec(data), alpha=alpha)
    for layer in data["layers"]:
        if layer["op"] == "inverted_residual":
            layer["op"] = "mbconv"
    rewritten = analyze(parse_spec(data), alpha=alpha)
    assert rewritten.totals == original.totals
    assert ops(rewritten) == ops(original)


# -- sandglass ------------------------------------------------------------------------------

def test_sandglass_residual_keeps_both_depthwise():
    # 192 → 192 at 28², hidden 192 // 6 = 32 (not below 192/6)
    a = net([{"op": "sandglass", "out": 192}], (192, 28, 28))
    hw = 28 * 28
    assert a.totals.maccs == (9 * 192 + 192 * 32 + 32 * 192 + 9 * 192) * hw
    assert ops(a)[-1] == "add"


def test_sandglass_stride2_transition_keeps_last_depthwise():
    # 144 → 192 at 56²: hidden 144 // 6 = 24 < 192/6 = 32 → make_divisible(32, 16) = 32
    a = net([{"op": "sandglass", "out": 192, "stride": 2}], (144, 56, 56))
    assert a.totals.maccs == (144 * 32 + 32 * 192) * 56 * 56 + 9 * 192 * 28 * 28
    assert "add" not in ops(a)
    assert a.layers[-1].output_shape == (1, 192, 28, 28)


def test_sandglass_stride1_transition_is_two_pointwise():
    # 288 → 384 at 14²: hidden 48 < 64 → make_divisible(64, 16) = 64; no depthwise convs
    a = net([{"op": "sandglass", "out": 384}], (288, 14, 14))
    assert a.totals.maccs == (288 * 64 + 64 * 384) * 14 * 14
    assert ops(a).count("conv2d") == 2


def test_sandglass_keep_3x3():
    # official last stage 960 → 1280 at 7²: hidden 160 < 213.3 → make_divisible(214, 16) = 208
    a = net([{"op": "sandglass", "out": 1280, "keep_3x3": True}], (960, 7, 7))
    assert a.totals.maccs == (9 * 960 + 960 * 208 + 208 * 1280 + 9 * 1280) * 7 * 7
    assert "add" not in ops(a)


def test_sandglass_se():
    # t = 2 first stage of the SE model: 32 → 96, squeeze ⌊96 / 2 · 1/4⌋ = 12, hidden 16
    a = net([{"op": "sandglass", "out": 96, "reduction": 2, "first_dw": True,
              "min_hidden": False, "se_ratio": "1/4", "act": "swish"}], (32, 112, 112))
    hw = 112 * 112
    assert a.totals.maccs == (9 * 32 + 32 * 16 + 16 * 96 + 9 * 96) * hw + 2 * 96 * 12


def test_sandglass_refuses_ignored_stride():
    with pytest.raises(SpecError, match="ignores the stride"):
        net([{"op": "sandglass", "out": 192, "stride": 2}], (192, 28, 28))


# -- ghost ----------------------------------------------------------------------------------

def test_ghost_module():
    # 16 → 16: primary 1×1 to ⌈16/2⌉ = 8, cheap 3×3 depthwise 8 → 8, concat
    a = net([{"op": "ghost_module", "out": 16}], (16, 56, 56))
    assert a.totals.maccs == (16 * 8 + 9 * 8) * 56 * 56
    assert a.totals.params == 16 * 8 + 9 * 8 + 2 * (8 + 8)
    assert ops(a) == ["conv2d", "batchnorm", "relu", "conv2d", "batchnorm", "relu", "concat"]


def test_ghost_module_trims_odd_widths():
    # 15 channels: primary 8, cheap 8, concat 16, keep the first 15
    a = net([{"op": "ghost_module", "out": 15, "relu": False},
             {"op": "conv2d", "out": 4}], (16, 14, 14))
    assert ops(a)[-2:] == ["split", "conv2d"]
    # the block's output is the kept part: the next 1×1 conv reads 15 channels
    assert a.layers[-1].cost.maccs == 15 * 4 * 14 * 14


def test_ghost_module_dfc_attention():
    # GhostNetV2 (timm GhostModuleV2), 16 → 16 on 8×8: the ghost module as above, plus a 2×2
    # s2 average pool to 4×4, a 1×1 conv 16 → 16, depthwise 1×5 and 5×1 convs (each + BN),
    # sigmoid, nearest resize back to 8×8 and a multiply
    a = net([{"op": "ghost_module", "out": 16, "attention": True}], (16, 8, 8))
    main = (16 * 8 + 9 * 8) * 8 * 8
    dfc = (16 * 16 + 5 * 16 + 5 * 16) * 4 * 4
    assert a.totals.maccs == main + dfc
    assert a.totals.params == 16 * 8 + 9 * 8 + 2 * 16 + 16 * 16 + 5 * 16 + 5 * 16 + 3 * 2 * 16
    assert ops(a)[-3:] == ["sigmoid", "resize", "mul"]
    assert a.layers[-1].output_shape == (1, 16, 8, 8)
    # an odd width multiplies the kept channels, and odd sizes pool down and resize back
    odd = net([{"op": "ghost_module", "out": 15, "attention": True}], (16, 7, 7))
    assert odd.layers[-1].output_shape == (1, 15, 7, 7)


GHOST_BY_HAND = {
    "ghost": {"params": {"init": None}, "layers": [
        {"op": "conv2d", "name": "primary", "out": "init"},
        {"op": "batchnorm"}, {"op": "relu", "name": "r1"},
        {"op": "conv2d", "name": "cheap", "kernel": 3, "padding": 1, "groups": "init", "out": "init"},
        {"op": "batchnorm"}, {"op": "relu", "name": "r2"},
        {"op": "concat", "inputs": ["r1", "r2"]},
    ]},
}


def test_ghost_module_equals_user_block():
    built_in = net([{"op": "ghost_module", "out": 32}], (24, 28, 28))
    by_hand = net([{"op": "ghost", "init": 16}], (24, 28, 28), GHOST_BY_HAND)
    assert built_in.totals == by_hand.totals


def test_ghost_bottleneck_stride2_with_se():
    # official 24 → 40 block (k5, mid 72, SE) at 56² → 28²; SE squeeze make_divisible(18, 4) = 20
    a = net([{"op": "ghost_bottleneck", "mid": 72, "out": 40, "kernel": 5, "stride": 2,
              "se_ratio": "1/4"}], (24, 56, 56))
    ghost1 = (24 * 36 + 9 * 36) * 56 * 56
    dw = 25 * 72 * 28 * 28
    se = 72 * 20 + 20 * 72
    ghost2 = (72 * 20 + 9 * 20) * 28 * 28
    shortcut = (25 * 24 + 24 * 40) * 28 * 28
    assert a.totals.maccs == ghost1 + dw + se + ghost2 + shortcut
    assert ops(a)[-1] == "add"


def test_ghost_bottleneck_identity_shortcut():
    a = net([{"op": "ghost_bottleneck", "mid": 48, "out": 16}], (16, 28, 28))
    assert a.totals.maccs == ((16 * 24 + 9 * 24) + (48 * 8 + 9 * 8)) * 28 * 28
    add = a.layers[-1]
    assert add.op == "add" and add.output_shape == (1, 16, 28, 28)
