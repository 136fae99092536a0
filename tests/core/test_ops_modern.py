"""The ops of modern efficient networks (ConvNeXt, MobileViT, EfficientFormer, FastViT,
MobileNetV4): shapes and every cost field against hand arithmetic."""

from __future__ import annotations

import pytest

from costmodel.errors import SpecError
from tests.core.helpers import analyze_layers, only


def test_layernorm_over_channels_of_an_image() -> None:
    row = only(analyze_layers([{"name": "ln", "op": "layernorm"}], (96, 56, 56)), "ln")
    assert row.output_shape == (1, 96, 56, 56)
    assert row.cost.params == 2 * 96  # γ, β per channel (ConvNeXt's LayerNorm2d)
    assert row.cost.buffers == 0  # statistics are computed, not stored
    assert row.cost.mem_access == 2 * 96 * 56 * 56 + 2 * 96  # read x, write y, γ and β
    assert row.cost.elementwise == 2 * 96 * 56 * 56  # statistics pass + normalization pass
    assert row.cost.fragments == 1


def test_groupnorm_and_softmax() -> None:
    a = analyze_layers([{"name": "gn", "op": "groupnorm", "groups": 1},
                        {"name": "sm", "op": "softmax"}], (48, 7, 9))
    gn, sm = only(a, "gn"), only(a, "sm")
    assert (gn.cost.params, gn.cost.elementwise) == (2 * 48, 2 * 48 * 7 * 9)
    assert gn.cost.mem_access == 2 * 48 * 7 * 9 + 2 * 48
    assert (sm.cost.params, sm.cost.mem_access, sm.cost.elementwise) == (0, 2 * 48 * 7 * 9,
                                                                         2 * 48 * 7 * 9)


def test_gelu_and_leaky_relu_cost_like_any_activation() -> None:
    a = analyze_layers([{"name": "g", "op": "gelu"}, {"name": "l", "op": "leaky_relu", "slope": 0.1}],
                       (8, 3, 5))
    for name in ("g", "l"):
        assert (only(a, name).cost.mem_access, only(a, name).cost.elementwise) == (2 * 120, 120)


def test_slope_only_on_leaky_relu() -> None:
    with pytest.raises(SpecError, match="slope.*leaky_relu"):
        analyze_layers([{"op": "relu", "slope": 0.1}])


def test_pad_is_a_copy_into_the_larger_tensor() -> None:
    row = only(analyze_layers([{"name": "p", "op": "pad", "padding": [0, 1, 2, 3]}], (4, 10, 10)), "p")
    assert row.output_shape == (1, 4, 10 + 0 + 1, 10 + 2 + 3)  # top, bottom, left, right
    assert row.cost.mem_access == 4 * 10 * 10 + 4 * 11 * 15  # |x| + |y|
    assert (row.cost.elementwise, row.cost.fragments) == (0, 1)


def test_pad_shorthands_and_reflect_limit() -> None:
    assert only(analyze_layers([{"name": "p", "op": "pad", "padding": [1, 2]}], (1, 4, 4)),
                "p").output_shape == (1, 1, 4 + 2, 4 + 4)
    with pytest.raises(SpecError, match="reflect padding 4 needs an input height above it"):
        analyze_layers([{"op": "pad", "padding": 4, "mode": "reflect"}], (1, 4, 9))


def test_channel_slice_is_a_free_view() -> None:
    row = only(analyze_layers([{"name": "s", "op": "slice", "start": 16, "stop": 40}], (64, 8, 8)), "s")
    assert row.output_shape == (1, 40 - 16, 8, 8)
    assert row.cost.mem_access == row.cost.fragments == 0
    with pytest.raises(SpecError, match="slice 8:70 is not a non-empty range of the input's 64"):
        analyze_layers([{"op": "slice", "start": 8, "stop": 70}], (64, 8, 8))


def test_resize_nearest_is_a_copy_bilinear_four_taps() -> None:
    a = analyze_layers([{"name": "up", "op": "resize", "mode": "bilinear", "scale": 2},
                        {"name": "near", "op": "resize", "mode": "nearest", "size": [5, 7]}], (16, 8, 6))
    up, near = only(a, "up"), only(a, "near")
    assert up.output_shape == (1, 16, 16, 12)
    assert up.cost.mem_access == 16 * 8 * 6 + 16 * 16 * 12
    assert up.cost.elementwise == 4 * 16 * 16 * 12  # 4 weighted taps per output element
    assert near.output_shape == (1, 16, 5, 7)
    assert (near.cost.mem_access, near.cost.elementwise) == (16 * 16 * 12 + 16 * 5 * 7, 0)
    with pytest.raises(SpecError, match="exactly one of 'scale' and 'size'"):
        analyze_layers([{"op": "resize", "mode": "nearest"}])


def test_adaptive_avg_pool_windows_overlap_when_k_does_not_divide() -> None:
    row = only(analyze_layers([{"name": "p", "op": "adaptive_avg_pool", "size": [3, 2]}], (4, 5, 7)), "p")
    assert row.output_shape == (1, 4, 3, 2)
    # rows [0,2) [1,4) [3,5) → 2 + 3 + 2; columns [0,4) [3,7) → 4 + 4 (PyTorch's windows)
    assert row.cost.elementwise == 4 * (2 + 3 + 2) * (4 + 4)
    assert row.cost.mem_access == 4 * 5 * 7 + 4 * 3 * 2
    even = only(analyze_layers([{"name": "p", "op": "adaptive_avg_pool", "size": 7}], (8, 14, 14)), "p")
    assert even.cost.elementwise == 8 * 14 * 14  # k divides H: every element once


def test_conv_transpose_counts_input_pixels_times_weights() -> None:
    row = only(analyze_layers([{"name": "up", "op": "conv_transpose2d", "out": 32, "kernel": 4, "stride": 2,
                                "padding": 1, "bias": True}], (64, 14, 14)), "up")
    assert row.output_shape == (1, 32, 28, 28)  # (14 − 1)·2 − 2·1 + (4 − 1) + 1
    assert row.cost.params == 4 * 4 * 64 * 32 + 32
    assert row.cost.maccs == 14 * 14 * 4 * 4 * 64 * 32  # H·W·params (FlopCounterMode's rule)
    assert row.cost.mem_access == 64 * 14 * 14 + 32 * 28 * 28 + 4 * 4 * 64 * 32 + 32
    assert row.cost.elementwise == 32 * 28 * 28  # bias adds
    grouped = only(analyze_layers([{"name": "g", "op": "conv_transpose2d", "out": 6, "kernel": 3, "stride": 2,
                                    "output_padding": 1, "groups": 2}], (4, 5, 5)), "g")
    assert grouped.output_shape == (1, 6, 12, 12)  # (5 − 1)·2 + 2 + 1 + 1
    assert grouped.cost.params == 3 * 3 * 4 * (6 // 2)
    with pytest.raises(SpecError, match="output_padding 2 must be below the stride"):
        analyze_layers([{"op": "conv_transpose2d", "kernel": 3, "stride": 2, "output_padding": 2}])


def test_token_layouts_are_copies_reshape_is_free() -> None:
    a = analyze_layers([{"name": "t", "op": "tokens"}, {"name": "r", "op": "reshape", "shape": [-1, 49, 4, 8]},
                        {"name": "p", "op": "permute", "dims": [0, 2, 1, 3]},
                        {"name": "b", "op": "reshape", "shape": [1, 4, 49 * 8]},
                        {"name": "back", "op": "permute", "dims": [0, 2, 1]},
                        {"name": "img", "op": "image", "height": 7}], (32, 7, 7))
    size = 32 * 7 * 7
    assert only(a, "t").output_shape == (1, 49, 32)  # N×(H·W)×C
    assert only(a, "t").cost.mem_access == 2 * size  # read + write
    assert only(a, "r").output_shape == (1, 49, 4, 8)  # −1 → 32·49/(49·4·8) = 1
    assert only(a, "r").cost.mem_access == only(a, "r").cost.fragments == 0  # a view
    assert only(a, "p").output_shape == (1, 4, 49, 8)
    assert only(a, "img").output_shape == (1, 4, 7, 49 * 8 // 7)  # 392 tokens of 4 → 7 rows
    assert a.totals.mem_access == 4 * 2 * size  # tokens, two permutes, image: copies


def test_mobilevit_unfold_and_fold() -> None:
    a = analyze_layers([{"name": "u", "op": "unfold_patches", "patch": 2},
                        {"name": "f", "op": "fold_patches", "patch": 2, "height": 32, "width": 32}], (96, 32, 32))
    assert only(a, "u").output_shape == (1 * 2 * 2, (32 // 2) * (32 // 2), 96)  # (N·P)×(patches)×C
    assert only(a, "f").output_shape == (1, 96, 32, 32)
    assert only(a, "u").cost.mem_access == 2 * 96 * 32 * 32
    with pytest.raises(SpecError, match="unfold_patches height: 30 is not divisible by 4"):
        analyze_layers([{"op": "unfold_patches", "patch": 4}], (8, 30, 32))


def test_linear_on_tokens_applies_to_every_token() -> None:
    row = only(analyze_layers([{"op": "tokens"}, {"name": "fc", "op": "linear", "out": 128}], (64, 4, 4)), "fc")
    assert row.output_shape == (1, 16, 128)
    assert row.cost.maccs == 16 * 64 * 128  # L·in·out
    assert row.cost.params == 64 * 128 + 128
    assert row.cost.mem_access == 16 * 64 + 16 * 128 + 64 * 128 + 128


def test_batched_matmul_and_broadcast_heads() -> None:
    a = analyze_layers([{"name": "t", "op": "tokens"},
                        {"name": "q", "op": "split_heads", "heads": 4},
                        {"name": "one", "op": "slice", "stop": 8, "inputs": "t"},
                        {"name": "k", "op": "split_heads", "heads": 1},
                        {"name": "s", "op": "matmul", "inputs": ["q", "k"], "transpose_b": True}], (32, 6, 6))
    s = only(a, "s")
    assert s.output_shape == (1, 4, 36, 36)  # the single key head broadcast over 4 query heads
    assert s.cost.maccs == 4 * 36 * 8 * 36  # heads·Lq·d·Lk
    assert s.cost.mem_access == 4 * 36 * 8 + 36 * 8 + 4 * 36 * 36
    with pytest.raises(SpecError, match="inner sizes differ: 8 vs 36"):
        analyze_layers([{"name": "t", "op": "tokens"}, {"name": "q", "op": "split_heads", "heads": 4},
                        {"op": "matmul", "inputs": ["q", "q"]}], (32, 6, 6))


def test_attention_block_counts_projections_and_two_matmuls() -> None:
    # MobileViT-S's first transformer: C = 144, 4 heads of 36, on 4 sequences of 16×16 tokens
    a = analyze_layers([{"op": "unfold_patches", "patch": 2},
                        {"name": "att", "op": "attention", "heads": 4}], (144, 32, 32))
    by_block = a.by_block()["att"]
    n, length, c, h, d = 4, 256, 144, 4, 36
    projections = n * length * c * 3 * c + n * length * c * c  # qkv and proj linears
    assert by_block.maccs == projections + n * h * length * length * (d + d)  # + Q·Kᵀ and A·V
    assert by_block.params == c * 3 * c + 3 * c + c * c + c
    assert only(a, "att.softmax").cost.elementwise == 2 * n * h * length * length
    assert only(a, "att.proj").output_shape == (n, length, c)


def test_attention_with_other_widths() -> None:
    # EfficientFormer's attention: key_dim 32, values 4·32 per head, 8 heads, C = 448, 49 tokens
    a = analyze_layers([{"op": "tokens"}, {"name": "att", "op": "attention", "heads": 8, "dim_qk": 32,
                                           "dim_v": 128}], (448, 7, 7))
    assert only(a, "att.qkv").output_shape == (1, 49, 8 * (32 + 32 + 128))
    assert only(a, "att.scores").cost.maccs == 8 * 49 * 49 * 32
    assert only(a, "att.mix").cost.maccs == 8 * 49 * 49 * 128
    assert only(a, "att.proj").cost.params == 8 * 128 * 448 + 448
    with pytest.raises(SpecError, match="attention needs tokens"):
        analyze_layers([{"op": "attention", "heads": 2}], (8, 4, 4))
