"""The ops and blocks of the transformer-era models (EfficientFormer's attention bias and
pooling mixer, the pre-norm transformer block, MobileNetV4's Mobile MQA and UIB): shapes and
every cost field against hand arithmetic."""

from __future__ import annotations

import pytest

from costmodel.analysis.result import Analysis
from costmodel.errors import SpecError
from tests.core.helpers import analyze_layers, only


def reads(analysis: Analysis, name: str) -> list[str]:
    """The layers node ``name`` reads."""
    return [ref[0] for ref in analysis.network.nodes[name].inputs]


def test_attention_bias_one_value_per_head_and_offset() -> None:
    # EfficientFormer-L1's Meta3D: 8 heads on a 7×7 grid → 8·49 bias values, 8·49·49 adds
    a = analyze_layers([{"op": "tokens"}, {"name": "q", "op": "split_heads", "heads": 8},
                        {"name": "s", "op": "matmul", "inputs": ["q", "q"], "transpose_b": True},
                        {"name": "b", "op": "attention_bias", "resolution": 7}], (64, 7, 7))
    b = only(a, "b")
    assert b.output_shape == (1, 8, 49, 49)
    assert b.cost.params == 8 * 7 * 7  # heads × distinct offsets (|Δr|, |Δc|) ∈ 7 × 7
    assert b.cost.elementwise == 8 * 49 * 49  # one add per score
    assert b.cost.mem_access == 2 * 8 * 49 * 49 + 8 * 49 * 49  # scores in/out + gathered bias
    assert (b.cost.maccs, b.cost.fragments) == (0, 1)


def test_attention_bias_on_a_rectangular_grid_and_its_errors() -> None:
    a = analyze_layers([{"op": "tokens"}, {"name": "q", "op": "split_heads", "heads": 2},
                        {"name": "s", "op": "matmul", "inputs": ["q", "q"], "transpose_b": True},
                        {"name": "b", "op": "attention_bias", "resolution": [3, 5]}], (8, 3, 5))
    assert only(a, "b").cost.params == 2 * 3 * 5
    with pytest.raises(SpecError, match="15 queries, but a 4×4 grid has 16 positions"):
        analyze_layers([{"op": "tokens"}, {"name": "q", "op": "split_heads", "heads": 2},
                        {"op": "matmul", "inputs": ["q", "q"], "transpose_b": True},
                        {"op": "attention_bias", "resolution": 4}], (8, 3, 5))
    with pytest.raises(SpecError, match="attention_bias needs scores"):
        analyze_layers([{"op": "tokens"}, {"op": "attention_bias", "resolution": 2}], (8, 2, 2))


def test_attention_with_position_bias_adds_the_bias_child() -> None:
    a = analyze_layers([{"op": "tokens"}, {"name": "att", "op": "attention", "heads": 8, "dim_qk": 32,
                                           "dim_v": 128, "position_bias": 7}], (448, 7, 7))
    block = a.by_block()["att"]
    c, h, length = 448, 8, 49
    qkv = c * h * (32 + 32 + 128) + h * (32 + 32 + 128)
    proj = h * 128 * c + c
    assert block.params == qkv + proj + h * 49  # + the bias table
    assert block.maccs == length * (c * h * 192 + h * 128 * c) + h * length * length * (32 + 128)
    assert reads(a, "att.softmax") == ["att.bias"]


def test_sub_and_scale() -> None:
    a = analyze_layers([{"name": "p", "op": "avg_pool", "kernel": 3, "stride": 1, "padding": 1,
                         "count_include_pad": False},
                        {"name": "d", "op": "sub", "inputs": ["p", "input"]},
                        {"name": "h", "op": "scale", "factor": 0.5}], (48, 56, 56))
    size = 48 * 56 * 56
    assert only(a, "p").cost.elementwise == 9 * size  # divisor choice changes no count
    assert (only(a, "d").cost.mem_access, only(a, "d").cost.elementwise) == (3 * size, size)
    assert (only(a, "h").cost.params, only(a, "h").cost.mem_access, only(a, "h").cost.elementwise) == (
        0, 2 * size, size)
    with pytest.raises(SpecError, match="sub inputs have different shapes"):
        analyze_layers([{"name": "a", "op": "conv2d", "out": 4}, {"op": "sub", "inputs": ["a", "input"]}])
    with pytest.raises(SpecError, match="count_include_pad applies to avg_pool only"):
        analyze_layers([{"op": "max_pool", "kernel": 2, "count_include_pad": False}])


def test_global_avg_pool_over_tokens() -> None:
    row = only(analyze_layers([{"op": "tokens"}, {"name": "g", "op": "global_avg_pool"}], (448, 7, 7)), "g")
    assert row.output_shape == (1, 448)  # x.mean(1)
    assert row.cost.mem_access == 448 * 49 + 448
    assert row.cost.elementwise == 448 * 49


def test_transformer_block_mobilevit_xxs() -> None:
    # MobileViT-XXS stage 3: d = 64 on 4 sequences of 16×16 tokens, 4 heads, MLP ratio 2
    a = analyze_layers([{"op": "unfold_patches", "patch": 2},
                        {"name": "t", "op": "transformer_block", "heads": 4, "mlp_ratio": 2,
                         "act": "silu"}], (64, 32, 32))
    block = a.by_block()["t"]
    n, length, d = 4, 256, 64
    norms = 2 * 2 * d
    attn = (d * 3 * d + 3 * d) + (d * d + d)
    mlp = (d * 2 * d + 2 * d) + (2 * d * d + d)
    assert block.params == norms + attn + mlp
    assert block.maccs == n * length * (3 * d * d + d * d + 2 * d * d + 2 * d * d) \
        + n * 4 * length * length * (16 + 16)
    assert only(a, "t.mlp.act").output_shape == (n, length, 2 * d)
    assert reads(a, "t.add2") == ["t.add1", "t.mlp.fc2"]


def test_transformer_block_with_layer_scale() -> None:
    a = analyze_layers([{"op": "tokens"},
                        {"name": "t", "op": "transformer_block", "heads": 8, "dim_qk": 32, "dim_v": 128,
                         "position_bias": 7, "layer_scale": True}], (448, 7, 7))
    assert only(a, "t.ls1").cost.params == only(a, "t.ls2").cost.params == 448
    assert reads(a, "t.add1") == ["0", "t.ls1"]  # the block input: layer 0 (tokens)
    assert reads(a, "t.add2") == ["t.add1", "t.ls2"]
    assert only(a, "t.mlp.fc1").output_shape == (1, 49, 4 * 448)
    with pytest.raises(SpecError, match="transformer_block needs tokens"):
        analyze_layers([{"op": "transformer_block", "heads": 2}], (8, 4, 4))


def test_multi_query_attention_with_kv_downsampling() -> None:
    # MobileNetV4 hybrid-medium blocks.2.4: C = 160 at 16×16, 4 heads, d = 64, kv_stride 2
    a = analyze_layers([{"name": "m", "op": "multi_query_attention", "heads": 4, "key_dim": 64,
                         "kv_stride": 2}], (160, 16, 16))
    block = a.by_block()["m"]
    c, h, d, length, kv = 160, 4, 64, 16 * 16, 8 * 8
    assert only(a, "m.key.down_conv").output_shape == (1, c, 8, 8)
    assert only(a, "m.k_h").output_shape == (1, 1, kv, d)
    assert only(a, "m.scores").output_shape == (1, h, length, kv)
    convs = c * h * d + 2 * (9 * c + 2 * c + c * d) + h * d * c  # q, (dw + BN + proj) × 2, out
    assert block.params == convs
    assert block.maccs == (length * c * h * d + 2 * (kv * 9 * c + kv * c * d) + length * h * d * c
                           + h * length * kv * (d + d))  # the two matmuls: heads·L·P·(d_k + d_v)
    assert only(a, "m.output.proj").output_shape == (1, c, 16, 16)


def test_multi_query_attention_without_downsampling() -> None:
    a = analyze_layers([{"name": "m", "op": "multi_query_attention", "heads": 4, "key_dim": 64,
                         "value_dim": 32, "out": 96}], (256, 8, 8))
    assert "m.key.down_conv" not in {row.name for row in a.layers}
    assert only(a, "m.mix").cost.maccs == 4 * 64 * 64 * 32
    assert only(a, "m.output.proj").cost.params == 4 * 32 * 96
    with pytest.raises(SpecError, match="multi_query_attention needs an N×C×H×W input"):
        analyze_layers([{"op": "tokens"}, {"op": "multi_query_attention", "heads": 2, "key_dim": 4}])


@pytest.mark.parametrize(("start", "mid", "children"), [
    (3, 5, ["dw_start", "pw_exp", "dw_mid", "pw_proj"]),  # ExtraDW
    (0, 3, ["pw_exp", "dw_mid", "pw_proj"]),  # inverted bottleneck
    (3, 0, ["dw_start", "pw_exp", "pw_proj"]),  # ConvNeXt-like
    (0, 0, ["pw_exp", "pw_proj"]),  # FFN
])
def test_uib_instances(start: int, mid: int, children: list[str]) -> None:
    a = analyze_layers([{"name": "u", "op": "uib", "out": 80, "expansion": 2, "start_kernel": start,
                         "mid_kernel": mid, "layer_scale": True}], (80, 16, 16))
    convs = [row.name.removeprefix("u.").removesuffix(".conv") for row in a.layers if row.op == "conv2d"]
    assert convs == children
    c, m = 80, 160  # mid = make_divisible(80·2, 8)
    params = start * start * c + 2 * c + c * m + 2 * m + mid * mid * m + 2 * m + m * c + 2 * c + c
    if not start:
        params -= 2 * c  # no start BN
    if not mid:
        params -= 2 * m  # no middle BN
    assert a.totals.params == params
    assert reads(a, "u.add") == ["input", "u.layer_scale"]


def test_uib_stride_placement_and_errors() -> None:
    extra = analyze_layers([{"name": "u", "op": "uib", "out": 80, "expansion": 4, "start_kernel": 3,
                             "mid_kernel": 5, "stride": 2}], (48, 32, 32))
    assert only(extra, "u.dw_start.conv").output_shape == (1, 48, 32, 32)
    assert only(extra, "u.dw_mid.conv").output_shape == (1, 192, 16, 16)  # stride on the middle dw
    assert "u.add" not in {row.name for row in extra.layers}
    convnext = analyze_layers([{"name": "u", "op": "uib", "out": 80, "expansion": 4, "start_kernel": 3,
                                "mid_kernel": 0, "stride": 2}], (48, 32, 32))
    assert only(convnext, "u.dw_start.conv").output_shape == (1, 48, 16, 16)
    with pytest.raises(SpecError, match="stride ≠ 1 needs a depthwise conv"):
        analyze_layers([{"op": "uib", "out": 8, "expansion": 2, "mid_kernel": 0, "stride": 2}])
