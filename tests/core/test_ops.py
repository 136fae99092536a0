"""Every op's shape and cost formulas against hand-derived arithmetic."""

from __future__ import annotations

import pytest

from tests.core.helpers import analyze_layers, only


def test_conv_dense_3x3_stride_2_padding_1() -> None:
    a = analyze_layers([{"name": "c", "op": "conv2d", "out": 32, "kernel": 3, "stride": 2, "padding": 1}],
                       (16, 56, 56))
    row = only(a, "c")
    assert row.output_shape == (1, 32, 28, 28)  # ⌊(56 + 2 − 2 − 1)/2⌋ + 1 = 28
    assert row.cost.params == 3 * 3 * 16 * 32  # k·k·c_in·c_out, no bias
    assert row.cost.maccs == 3 * 3 * 16 * 32 * 28 * 28  # k·k·c_in·c_out·h′·w′
    assert row.cost.mem_access == 16 * 56 * 56 + 32 * 28 * 28 + 3 * 3 * 16 * 32  # in + out + weights
    assert row.cost.elementwise == 0
    assert row.cost.fragments == 1


def test_conv_bias_adds_params_and_elementwise() -> None:
    row = only(analyze_layers([{"name": "c", "op": "conv2d", "out": 4, "bias": True}], (2, 5, 5)), "c")
    assert row.cost.params == 1 * 1 * 2 * 4 + 4  # weights + one bias per output channel
    assert row.cost.elementwise == 4 * 5 * 5  # one bias add per output element
    assert row.cost.mem_access == 2 * 5 * 5 + 4 * 5 * 5 + 8 + 4


def test_grouped_conv_divides_weights_by_groups() -> None:
    row = only(analyze_layers([{"name": "g", "op": "conv2d", "out": 24, "groups": 3}], (12, 7, 7)), "g")
    assert row.cost.params == (12 // 3) * 24  # (c_in/g)·c_out for a 1×1 kernel
    assert row.cost.maccs == (12 // 3) * 24 * 7 * 7


def test_depthwise_flag_equals_groups_equal_channels() -> None:
    flag = analyze_layers([{"op": "conv2d", "depthwise": True, "kernel": 3, "padding": 1}], (10, 9, 9))
    groups = analyze_layers([{"op": "conv2d", "out": 10, "groups": 10, "kernel": 3, "padding": 1}], (10, 9, 9))
    assert flag.totals == groups.totals
    assert flag.totals.params == 3 * 3 * 10  # one k×k filter per channel
    assert flag.totals.maccs == 3 * 3 * 10 * 9 * 9


def test_dilation_and_asymmetric_kernel() -> None:
    row = only(analyze_layers([{"name": "c", "op": "conv2d", "out": 1, "kernel": [3, 1], "dilation": 2}],
                              (1, 11, 6)), "c")
    assert row.output_shape == (1, 1, 11 - 2 * (3 - 1), 6)  # H − d·(k − 1) with no padding
    assert row.cost.maccs == 3 * 1 * 7 * 6


@pytest.mark.parametrize(("size", "stride", "expected"), [(224, 2, 112), (225, 2, 113), (7, 3, 3)])
def test_same_padding_gives_ceil(size: int, stride: int, expected: int) -> None:
    row = only(analyze_layers([{"name": "c", "op": "conv2d", "out": 1, "kernel": 5, "stride": stride,
                                "padding": "same"}], (1, size, size)), "c")
    assert row.output_shape == (1, 1, expected, expected)  # ⌈H/s⌉ (TensorFlow 'same')


def test_worked_example_standard_vs_depthwise_separable() -> None:
    """12×12×3 input, 256 kernels of 5×5, 8×8 output (the literature's textbook example)."""
    standard = analyze_layers([{"op": "conv2d", "out": 256, "kernel": 5}], (3, 12, 12))
    assert standard.totals.maccs == 1_228_800 == 256 * 5 * 5 * 3 * 8 * 8
    separable = analyze_layers([{"name": "dw", "op": "conv2d", "depthwise": True, "kernel": 5},
                                {"name": "pw", "op": "conv2d", "out": 256}], (3, 12, 12))
    assert only(separable, "dw").cost.maccs == 4_800 == 5 * 5 * 3 * 8 * 8
    assert only(separable, "pw").cost.maccs == 49_152 == 3 * 256 * 8 * 8


def test_linear() -> None:
    row = only(analyze_layers([{"op": "flatten"}, {"name": "fc", "op": "linear", "out": 10}], (4, 2, 2)), "fc")
    assert row.output_shape == (1, 10)
    assert row.cost.params == 16 * 10 + 10
    assert row.cost.maccs == 16 * 10
    assert row.cost.mem_access == 16 + 10 + 16 * 10 + 10
    assert row.cost.elementwise == 10


def test_batchnorm_and_activations() -> None:
    a = analyze_layers([{"name": "bn", "op": "batchnorm"}, {"name": "act", "op": "hardswish"},
                        {"name": "id", "op": "identity"}], (6, 5, 5))
    bn, act, identity = only(a, "bn"), only(a, "act"), only(a, "id")
    assert (bn.cost.params, bn.cost.buffers) == (2 * 6, 2 * 6)  # γ, β learned; μ, σ² buffers
    assert bn.cost.mem_access == 2 * 6 * 5 * 5 + 2 * 6
    assert bn.cost.elementwise == 6 * 5 * 5
    assert act.cost.mem_access == 2 * 6 * 5 * 5 and act.cost.elementwise == 6 * 5 * 5
    assert identity.cost.mem_access == identity.cost.fragments == 0


@pytest.mark.parametrize("op", ["relu", "relu6", "hardswish", "hardsigmoid", "sigmoid", "swish", "silu"])
def test_every_activation_costs_one_op_per_element(op: str) -> None:
    row = only(analyze_layers([{"name": "a", "op": op}], (3, 4, 4)), "a")
    assert (row.cost.elementwise, row.cost.mem_access) == (3 * 4 * 4, 2 * 3 * 4 * 4)


def test_pools() -> None:
    a = analyze_layers([{"name": "max", "op": "max_pool", "kernel": 3, "stride": 2, "padding": 1},
                        {"name": "avg", "op": "avg_pool", "kernel": 2},
                        {"name": "gap", "op": "global_avg_pool"}], (8, 15, 15))
    pooled, avg, gap = only(a, "max"), only(a, "avg"), only(a, "gap")
    assert pooled.output_shape == (1, 8, 8, 8)  # ⌊(15 + 2 − 3)/2⌋ + 1
    assert pooled.cost.elementwise == 3 * 3 * 8 * 8 * 8  # k²·|y|
    assert pooled.cost.mem_access == 8 * 15 * 15 + 8 * 8 * 8
    assert avg.output_shape == (1, 8, 4, 4)  # stride defaults to the kernel
    assert gap.output_shape == (1, 8, 1, 1)
    assert gap.cost.elementwise == 8 * 4 * 4 and gap.cost.mem_access == 8 * 4 * 4 + 8


def test_ceil_mode_pool_matches_pytorch_rule() -> None:
    # SqueezeNet: 3×3/2 max pool with ceil_mode on 109 → ⌈(109 − 3)/2⌉ + 1 = 54
    row = only(analyze_layers([{"name": "p", "op": "max_pool", "kernel": 3, "stride": 2, "ceil_mode": True}],
                              (1, 109, 109)), "p")
    assert row.output_shape == (1, 1, 54, 54)


def test_add_mul_concat_split_shuffle() -> None:
    a = analyze_layers([
        {"name": "a", "op": "conv2d", "out": 8},
        {"name": "b", "op": "conv2d", "out": 8, "inputs": "input"},
        {"name": "sum", "op": "add", "inputs": ["a", "b"]},
        {"name": "gate", "op": "global_avg_pool"},
        {"name": "scaled", "op": "mul", "inputs": ["sum", "gate"]},
        {"name": "cat", "op": "concat", "inputs": ["scaled", "a"]},
        {"name": "halves", "op": "split", "parts": 2},
        {"name": "mix", "op": "shuffle", "groups": 2, "inputs": "halves:1"},
    ], (4, 6, 6))
    size = 8 * 6 * 6
    assert only(a, "sum").cost.mem_access == 3 * size and only(a, "sum").cost.elementwise == size
    scaled = only(a, "scaled")
    assert scaled.output_shape == (1, 8, 6, 6)
    assert scaled.cost.mem_access == size + 8 + size  # both operands at their own size + output
    assert only(a, "cat").output_shape == (1, 16, 6, 6)
    assert only(a, "cat").cost.mem_access == 2 * 2 * size  # a copy: read + write
    assert only(a, "halves").output_shape == ((1, 8, 6, 6), (1, 8, 6, 6))
    assert only(a, "mix").output_shape == (1, 8, 6, 6)
    assert only(a, "mix").cost.mem_access == 2 * size


def test_flatten_and_dropout_are_free() -> None:
    a = analyze_layers([{"op": "flatten"}, {"op": "dropout", "p": 0.2}], (3, 2, 2))
    assert a.totals.mem_access == a.totals.fragments == 0
    assert a.layers[-1].output_shape == (1, 12)


def test_batch_scales_activations_not_params() -> None:
    one = analyze_layers([{"op": "conv2d", "out": 4, "kernel": 3}], (2, 6, 6))
    four = analyze_layers([{"op": "conv2d", "out": 4, "kernel": 3}], (2, 6, 6), batch=4)
    assert four.totals.params == one.totals.params
    assert four.totals.maccs == 4 * one.totals.maccs
    assert four.totals.mem_access == 4 * (2 * 6 * 6 + 4 * 4 * 4) + 3 * 3 * 2 * 4
