"""Patterns of held-out torchvision/timm exports (torch 2.14.1, opset 17) the importer once
refused, as small onnx.helper graphs with hand-computed counts, and some of those exports
themselves (stripped, tests/importer/exports/heldout/) with their torch reference numbers:

* EfficientViT's linear attention (timm efficientvit_b0): relu(K)ᵀ·pad(V, value 1), then
  out[..., :-1] / (out[..., -1:] + ε) — an Add of a scalar constant, a Div of two tensors.
* LeViT's subsampling attention (timm levit_128s): x.view(B, R, R, C)[:, ::2, ::2] (two
  Slices with step 2) and a learned bias of heads × (R/2)² queries × R² keys.
* MobileViTv2's separable attention (timm mobilevitv2_050): (k · softmax(q)).sum(-1,
  keepdim=True) — a ReduceSum over the last axis — then ``.expand_as(v)`` — an Expand.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.importer import import_onnx, load_onnx
from costmodel.spec.load import parse_spec

HELDOUT = Path(__file__).with_name("exports") / "heldout"


def _model(path: Path, nodes: list, shape: list[int], out: list[int], inits: list,
           opset: int = 17) -> str:
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out)], inits)
    file = path / "m.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString())
    return str(file)


def _c(name: str, value: object, dtype: type = np.float32) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(value, dtype), name)


def _linear_attention(path: Path) -> str:
    """x[1,4,6,3] (N, heads, L, d) as q = k = relu(x), v = x: kᵀ·pad(v, (0, 1), value 1)
    [4,3,4]; q·that [4,6,4]; out[..., :3] / (out[..., 3:] + 1e-15) → [1,4,6,3]."""
    n = helper.make_node
    nodes = [n("Relu", ["x"], ["q"], name="relu"),
             n("Pad", ["x", "pads", "one"], ["vp"], name="pad", mode="constant"),
             n("Transpose", ["q"], ["kt"], name="kt", perm=[0, 1, 3, 2]),
             n("MatMul", ["kt", "vp"], ["kv"], name="kv"),
             n("MatMul", ["q", "kv"], ["o"], name="qkv"),
             n("Slice", ["o", "s0", "s3", "ax"], ["num"], name="num"),
             n("Slice", ["o", "s3", "big", "ax"], ["den"], name="den"),
             n("Add", ["den", "eps"], ["den_eps"], name="eps"),
             n("Div", ["num", "den_eps"], ["y"], name="norm")]
    inits = [_c("pads", [0, 0, 0, 0, 0, 0, 0, 1], np.int64), _c("one", 1.0), _c("eps", 1e-15),
             _c("s0", [0], np.int64), _c("s3", [3], np.int64), _c("big", [2**62], np.int64),
             _c("ax", [-1], np.int64)]
    return _model(path, nodes, [1, 4, 6, 3], [1, 4, 6, 3], inits)


def test_linear_attention_imports_with_exact_counts(tmp_path: Path) -> None:
    spec = import_onnx(_linear_attention(tmp_path))
    ops = {layer["name"]: layer["op"] for layer in spec["layers"]}
    assert ops["eps"] == "scale" and ops["norm"] == "div"
    nodes = build(parse_spec(spec)).nodes
    # kᵀ·v: 4 heads · 3×6 · 6×4 = 4·3·4·6 = 288; q·kv: 4 · 6×3 · 3×4 = 4·6·4·3 = 288
    assert sum(node.cost.maccs for node in nodes.values()) == 288 + 288
    # the ε-add: 4·6·1 = 24 elements read, written, one op each; the division: 4·6·3
    # quotients of 72 + 24 operands read
    assert (nodes["eps"].cost.elementwise, nodes["eps"].cost.mem_access) == (24, 48)
    assert (nodes["norm"].cost.elementwise, nodes["norm"].cost.mem_access) == (72, 72 + 24 + 72)


def test_linear_attention_checks_against_onnxruntime(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", _linear_attention(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "outputs agree with onnxruntime" in result.output


@pytest.mark.parametrize(("op", "first", "expected"), [
    ("Add", "x", 2.5), ("Add", "c", 2.5), ("Sub", "x", -0.5), ("Sub", "c", 0.5)])
def test_add_or_sub_of_a_scalar_is_an_affine_scale(tmp_path: Path, op: str, first: str,
                                                   expected: float) -> None:
    # x = 1 everywhere after the Relu of a constant-free path: y = x ± 1.5 or 1.5 − x
    inputs = [first, "c" if first == "x" else "x"]
    path = _model(tmp_path, [helper.make_node(op, inputs, ["y"], name="affine")],
                  [1, 2, 3, 3], [1, 2, 3, 3], [_c("c", 1.5)])
    layer = import_onnx(path)["layers"][0]
    assert layer["op"] == "scale"
    assert float(layer.get("factor", 1)) * 1.0 + float(layer["offset"]) == expected
    node = build(parse_spec(import_onnx(path))).nodes["affine"]
    assert (node.cost.elementwise, node.cost.mem_access) == (18, 36)
    result = CliRunner().invoke(main, ["check", path])
    assert result.exit_code == 0 and "outputs agree with onnxruntime" in result.output, result.output


@pytest.mark.parametrize(("inputs", "words"), [
    (["c", "x"], "a Div of a constant by a tensor (a reciprocal) has no mapping"),
    (["x", "zero"], "divides by a constant 0")])
def test_reciprocal_and_division_by_zero_are_refused_naming_the_node(
        tmp_path: Path, inputs: list[str], words: str) -> None:
    path = _model(tmp_path, [helper.make_node("Div", inputs, ["y"], name="the_div")],
                  [1, 2, 3, 3], [1, 2, 3, 3], [_c("c", 2.0), _c("zero", 0.0)])
    with pytest.raises(SpecError, match="the_div") as error:
        load_onnx(path)
    assert words in str(error.value)


def test_minus_x_is_not_read_as_x(tmp_path: Path) -> None:
    # 0 − x once aliased x (the neutral constant of a Sub, on the wrong side)
    path = _model(tmp_path, [helper.make_node("Sub", ["zero", "x"], ["y"], name="neg")],
                  [1, 2, 3, 3], [1, 2, 3, 3], [_c("zero", 0.0)])
    layer = import_onnx(path)["layers"][0]
    assert (layer["op"], float(layer["factor"]), float(layer.get("offset", 0))) == ("scale", -1.0, 0.0)


def _subsample(path: Path, steps: tuple[int, int]) -> tuple[str, list[int]]:
    """x[1,1,196,8] (tokens) → Reshape [1,14,14,8] → Slice axis 1 and axis 2 with steps → Reshape
    [1,-1,8] (LeViT's Subsample)."""
    n = helper.make_node
    side = [len(range(0, 14, s)) for s in steps]
    nodes = [n("Reshape", ["x", "grid"], ["g"], name="view"),
             n("Slice", ["g", "s0", "big", "a1", "st1"], ["r"], name="rows"),
             n("Slice", ["r", "s0", "big", "a2", "st2"], ["rc"], name="cols"),
             n("Reshape", ["rc", "flat"], ["y"], name="flat")]
    inits = [_c("grid", [1, 14, 14, 8], np.int64), _c("flat", [1, -1, 8], np.int64),
             _c("s0", [0], np.int64), _c("big", [2**62], np.int64), _c("a1", [1], np.int64),
             _c("a2", [2], np.int64), _c("st1", [steps[0]], np.int64), _c("st2", [steps[1]], np.int64)]
    return _model(path, nodes, [1, 1, 196, 8], [1, side[0] * side[1], 8], inits), side


@pytest.mark.parametrize("steps", [(2, 2), (3, 1), (1, 5)])
def test_strided_slices_subsample_the_grid(tmp_path: Path, steps: tuple[int, int]) -> None:
    path, side = _subsample(tmp_path, steps)
    nodes = build(parse_spec(import_onnx(path))).nodes
    assert tuple(list(nodes.values())[-1].outputs[0]) == (1, side[0] * side[1], 8)
    assert sum(node.cost.params + node.cost.maccs for node in nodes.values()) == 0
    check = CliRunner().invoke(main, ["check", path])
    assert check.exit_code == 0 and "outputs agree with onnxruntime" in check.output, check.output


def test_a_negative_step_is_refused_naming_the_node(tmp_path: Path) -> None:
    path, _ = _subsample(tmp_path, (2, 2))
    model = onnx.load(path)
    for tensor in model.graph.initializer:
        if tensor.name == "st2":
            tensor.CopyFrom(_c("st2", [-1], np.int64))
    onnx.save(model, path)
    with pytest.raises(SpecError, match="cols.*positive steps"):
        load_onnx(path)


def test_strided_attention_bias(tmp_path: Path) -> None:
    """scores [1, 2, 16, 64] (8×8 grid, queries every 2nd row and column) + a learned
    [2, 16, 64]: attention_bias on 8×8 at stride 2, params = 2 heads · 64 offsets."""
    table = _c("bias", np.zeros((2, 16, 64)))
    path = _model(tmp_path, [helper.make_node("Add", ["x", "bias"], ["y"], name="ab")],
                  [1, 2, 16, 64], [1, 2, 16, 64], [table])
    layer = import_onnx(path)["layers"][0]
    assert (layer["op"], layer["resolution"], layer["stride"]) == ("attention_bias", 8, 2)
    assert analyze(load_onnx(path)).totals.params == 2 * 64


def _separable_attention(path: Path, opset: int = 17) -> str:
    """x[1,5,2,6] (N, 1 + 2·C, P, L with C = 2) split into q [1,1,2,6], k, v [1,2,2,6]:
    y = relu(v) · expand((k · softmax(q, −1)).sum(−1, keepdim)) → [1,2,2,6]."""
    n = helper.make_node
    axes = {"axes": [-1]} if opset < 13 else {}
    split = {"split": [1, 2, 2]} if opset < 13 else {}
    nodes = [n("Split", ["x"] + (["sizes"] if opset >= 13 else []), ["q", "k", "v"], name="qkv",
               axis=1, **split),
             n("Softmax", ["q"], ["s"], name="softmax", axis=-1),
             n("Mul", ["k", "s"], ["ks"], name="weigh"),
             n("ReduceSum", ["ks"] + (["last"] if opset >= 13 else []), ["ctx"], name="context",
               keepdims=1, **axes),
             n("Relu", ["v"], ["rv"], name="relu"),
             n("Shape", ["v"], ["vshape"], name="shape"),
             n("Expand", ["ctx", "vshape"], ["ctx_e"], name="expand"),
             n("Mul", ["rv", "ctx_e"], ["y"], name="mix")]
    inits = [_c("sizes", [1, 2, 2], np.int64), _c("last", [-1], np.int64)]
    return _model(path, nodes, [1, 5, 2, 6], [1, 2, 2, 6], inits, opset=opset)


@pytest.mark.parametrize("opset", [11, 17])
def test_separable_attention_imports_with_exact_counts(tmp_path: Path, opset: int) -> None:
    spec = import_onnx(_separable_attention(tmp_path, opset))
    ops = [(layer["name"], layer["op"]) for layer in spec["layers"]]
    assert ("context.mean", "global_avg_pool") in ops and ("expand", "resize") in ops
    nodes = build(parse_spec(spec)).nodes
    assert sum(node.cost.maccs + node.cost.params for node in nodes.values()) == 0
    # the sum of 6 per (channel, row): 2·2 = 4 sums over a view [1, 4, 6, 1] — 24 elements
    # added, 24 read and 4 written — then × 6 on the 4 sums (4 ops, 4 read, 4 written)
    assert (nodes["context.mean"].cost.elementwise, nodes["context.mean"].cost.mem_access) == (24, 28)
    assert (nodes["context.sum"].cost.elementwise, nodes["context.sum"].cost.mem_access) == (4, 8)
    assert tuple(nodes["context"].outputs[0]) == (1, 2, 2, 1)
    # the Expand writes the 4 sums 6 times each: a copy, 4 read, 24 written, no arithmetic
    assert (nodes["expand"].cost.elementwise, nodes["expand"].cost.mem_access) == (0, 4 + 24)
    assert tuple(nodes["mix"].outputs[0]) == (1, 2, 2, 6)
    result = CliRunner().invoke(main, ["check", _separable_attention(tmp_path, opset)])
    assert result.exit_code == 0 and "outputs agree with onnxruntime" in result.output, result.output


@pytest.mark.parametrize(("node", "words"), [
    (helper.make_node("ReduceSum", ["x", "ax1"], ["y"], name="bad_sum", keepdims=1),
     "only a ReduceSum over the last axes"),
    (helper.make_node("ReduceSum", ["x"], ["y"], name="bad_sum", keepdims=1),
     "only a ReduceSum over the last axes"),
    (helper.make_node("Expand", ["x", "wide"], ["y"], name="bad_expand"),
     "only an Expand of the H or W")])
def test_other_sums_and_expands_are_refused_naming_the_node(tmp_path: Path, node: Any,
                                                            words: str) -> None:
    # a sum over the channels only (axis 1 of 4), over everything (the batch too), an
    # Expand of the channels: refused, never counted as something else
    path = _model(tmp_path, [node], [1, 1, 3, 3], [1, 1, 3, 3],
                  [_c("ax1", [1], np.int64), _c("wide", [1, 4, 3, 3], np.int64)])
    with pytest.raises(SpecError, match=node.name) as error:
        load_onnx(path)
    assert words in str(error.value)


# Held-out exports: torch.onnx.export(model, x, dynamo=False, opset_version=17), the
# exporter's defaults (BN folded into the convs where it follows one), weights stripped by
# tools/onnx_exports.py's strip(). References (torch 2.14.1+cu130 on CPU, timm 1.0.31,
# /work/heldout/export.py's measure(): sum(p.numel() for p in model.parameters()) and
# FlopCounterMode total ÷ 2, random weights, eval mode, 1×3×224×224):
#   efficientvit_b0: params 3,410,008, MACCs 100,233,216 (convolution 95,083,520, bmm
#     2,558,976, mm 1,310,720, addmm 1,280,000); BN γ+β 5,360, all after a conv
#   levit_128s: params 7,777,058, MACCs 304,660,832 (convolution 48,771,072, mm 230,752,256,
#     bmm 24,369,504, addmm 768,000); BN γ+β 39,648, of which 2·240 after the stem's convs
#   mobilenetv4_conv_small: params 3,774,024, MACCs 186,005,568 (convolution 184,725,568,
#     addmm 1,280,000); BN γ+β 25,088, all after a bias-free conv
#   mobilevitv2_050 (256²): params 1,370,593, MACCs 464,594,944 (convolution 464,338,944,
#     addmm 256,000); BN γ+β 7,776, all after a bias-free conv; zero-initialised conv/linear
#     biases 6,385 (the attention's and MLP's 1×1 convs, the head)
#   efficientformerv2_s0: params 3,600,256, MACCs 395,892,544 (convolution 377,100,864, bmm
#     18,439,680, addmm 352,000); BN γ+β 49,312, of which 48,960 after a biased conv (the
#     fold keeps the conv's bias: − 2C) and 352 after none (kept); its two heads'
#     zero-initialised biases 2 × 1,000
#   mobilenetv4_hybrid_medium (256²): params 11,074,648, MACCs 1,271,183,360 (convolution
#     1,227,960,320, bmm 41,943,040 — its mobile multi-query attention — addmm 1,280,000);
#     BN γ+β 75,840, of which 72,512 after a bias-free conv (3,328 after none: kept, with
#     3,328 running statistics); the head's zero-initialised bias 1,000
# and the authors' own code (github.com/megvii-model/ShuffleNet-Series at aa91feb, its
# network.py; random weights as its _initialize_weights: BN β = 0.0001, so the dynamo
# exporter's folded biases are not zeros and stay):
#   ShuffleNetV2(model_size="1.0x"): params 2,278,760, MACCs 145,814,296 (convolution
#     144,790,296, mm 1,024,000); BN γ+β 16,180, all after a bias-free conv; its channel
#     shuffle is reshape(N·C/2, 2, H·W) → permute(1, 0, 2) → reshape(2, −1, C/2, H, W) → x[0], x[1]
#   ShuffleNetV1(model_size="1.0x", group=3): params 1,864,728, MACCs 137,460,672
#     (convolution 136,500,672, mm 960,000); BN γ+β 24,480, all after a bias-free conv
# A folded BN leaves the conv a bias of C where BN had γ and β (2C): params − C. The dynamo
# exporter (torch.onnx.export(dynamo=True), its defaults: opset 20, optimizer on) then drops
# biases that are all zeros — a fresh model's BN folded into a bias-free conv or linear
# (β = 0, running mean 0) leaves one — so − 2C, and LeViT's two zero-initialised heads
# (2 × 1,000); its optimizer also folds the BNs after the attention's linears (624 channels
# in all, 1,248 γ+β), the TorchScript exporter only the stem's 240.
# Session 9, the same exports and measurement (maccs_hooks: Σ over Conv2d/Linear of
# k·k·C_in/g·|y| and in·|y|, equal to FlopCounterMode ÷ 2 where no matmul runs outside them);
# "BN γ+β F folded" = BN γ+β − the running statistics the file still holds (BNs after no conv):
#   ghostnetv2_100: params 6,156,908, MACCs 167,048,288 (convolution 165,768,288, addmm
#     1,280,000; hooks equal); BN γ+β 62,384, all folded
#   ghostnetv3_100: params 8,129,028, MACCs 404,128,320 (convolution 402,848,320, addmm
#     1,280,000; hooks equal); BN γ+β 118,304, 110,016 folded (8,288 after no conv)
#   repghostnet_100: params 4,073,604, MACCs 142,394,128 (convolution 141,114,128, addmm
#     1,280,000; hooks equal); BN γ+β 34,024, 24,136 folded (9,888: its re-parameterisable
#     identity-branch BNs)
#   mobileone_s3: params 10,170,600, MACCs 1,902,112,768 (convolution 1,900,064,768, addmm
#     2,048,000; hooks equal); BN γ+β 104,704, 67,584 folded; zero-initialised biases 1,000
#   mobileone_s4: params 14,951,248, MACCs 2,986,802,432 (convolution 2,984,754,432, addmm
#     2,048,000; hooks equal); BN γ+β 127,744, 82,176 folded; zero-initialised biases 13,648
#     (its SE convs and the head)
#   repvgg_b0: params 15,817,960, MACCs 3,397,191,680 (convolution 3,395,911,680, addmm
#     1,280,000; hooks equal); BN γ+β 35,200, 25,856 folded; timm initialises BN β ≠ 0, so
#     the folded biases are not zeros and the dynamo file keeps them: only the head's 1,000
#   fastvit_sa12 (256²): params 11,580,968, MACCs 1,943,937,024 (convolution 1,800,306,688,
#     mm 100,663,296, addmm 34,578,432, bmm 8,388,608 — attention, not in the hooks'
#     1,935,548,416); BN γ+β 35,328, 23,680 folded by TorchScript, 27,520 by dynamo's
#     optimizer; zero-initialised biases 16,744, of which dynamo keeps 1,024 (the zero biases
#     its MobileOne identity-branch BNs fold into)
#   nasnetalarge (331²): params 88,753,150, MACCs 23,783,414,658 (convolution
#     23,779,382,658, addmm 4,032,000; hooks equal); BN γ+β 196,668, 194,148 folded; its
#     cell_stem_1.path_2 pads by −1 (ZeroPad2d((−1, 1, −1, 1)): a crop, then a pad; both
#     exporters write Pad [0, 0, −1, −1, 0, 0, 1, 1]); dynamo folds all BNs, the biases zeros
#   repvgg_b3: params 123,085,288, MACCs 29,120,696,320 (convolution 29,118,136,320, addmm
#     2,560,000; hooks equal); BN γ+β 99,968, 71,936 folded; as repvgg_b0, dynamo drops the
#     head's zero bias only (1,000)
#   megvii ShuffleNetV2_Plus("Small", its architecture list): params 5,137,116, MACCs
#     155,845,008 (convolution 152,926,608, mm 2,918,400; hooks equal); BN γ+β 18,576, all
#     folded (β = 0.0001: dynamo keeps the biases); ShuffleNetV1("0.5x", group=8): params
#     1,010,448, MACCs 40,469,760 (convolution 39,701,760, mm 768,000); BN γ+β 19,584, all folded
#   mobilenetv4_conv_large (384², timm's default): params 32,590,864, MACCs 6,376,220,672
#     (convolution 6,374,940,672, addmm 1,280,000; hooks equal); BN γ+β 149,552, all folded
#   mobilevit_xs (256²): params 2,317,848, MACCs 1,025,911,808 (convolution 607,440,896,
#     addmm 301,194,240, bmm 117,276,672); BN γ+β 8,448, all folded
#   mobilevit_s (256²): params 5,578,632, MACCs 2,000,831,488 (convolution 1,092,354,048,
#     addmm 730,842,112, bmm 177,635,328); BN γ+β 12,256, all folded; of the zero-initialised
#     biases dynamo drops the folded convs' and the head's (1,000), not the transformer
#     linears' (MatMul + Add)
#   mobilevitv2_100 (256²): params 4,901,841, MACCs 1,812,090,880 (convolution 1,811,578,880,
#     addmm 512,000; hooks equal); BN γ+β 15,552, all folded
#   efficientformer_l3: params 31,406,000, MACCs 3,906,573,312 (convolution 3,225,313,280,
#     addmm 668,966,912, bmm 12,293,120); BN γ+β 58,432, all after a biased conv (− 2C); its
#     two heads' zero-initialised biases 2 × 1,000
#   MobileNeXt, the authors' code (github.com/yitu-opensource/MobileNeXt at 10f7805,
#   mobilenext/codebase/models/mnext.py, MXNet(width_mult=1.0), its _initialize_weights):
#     params 3,535,416, MACCs 311,342,592 (convolution 310,062,592, addmm 1,280,000; hooks
#     equal); BN γ+β 53,024, all folded; the head's zero bias 1,000; its identity
#     ``out[:, :C] = out[:, :C] + x`` is a ScatterND in the TorchScript export
#   fastvit_t12 (256²): params 7,553,704, MACCs 1,397,727,232 (convolution 1,396,703,232,
#     addmm 1,024,000; hooks equal); BN γ+β 41,472, 33,664 folded by dynamo's optimizer;
#     zero-initialised biases 12,776
#   ghostnet_130: params 7,358,820, MACCs 227,003,256 (convolution 225,723,256, addmm
#     1,280,000; hooks equal); BN γ+β 28,536, all folded
#   hardcorenas_b: params 5,176,544, MACCs 251,832,064 (convolution 250,552,064, addmm
#     1,280,000; hooks equal); BN γ+β 25,120, all folded
#   efficientformerv2_s1: params 6,185,560, MACCs 651,969,640 (convolution 633,081,960, bmm
#     18,439,680, addmm 448,000); BN γ+β 70,912, 70,464 after a biased conv (− 2C)
#   tf_efficientnet_lite2 (260²): params 6,092,072, MACCs 859,736,272 (convolution
#     858,456,272, addmm 1,280,000; hooks equal); BN γ+β 58,096, all folded
#   mnasnet_small: params 2,030,264, MACCs 68,339,184 (convolution 67,059,184, addmm
#     1,280,000; hooks equal); BN γ+β 16,928, all folded
#   torchvision regnet_y_1_6gf: params 11,202,430, MACCs 1,612,076,160 (convolution
#     1,611,188,160, addmm 888,000; hooks equal); BN γ+β 52,672, all folded
#   torchvision resnet101: params 44,549,160, MACCs 7,801,405,440 (convolution
#     7,799,357,440, addmm 2,048,000; hooks equal); BN γ+β 105,344, all folded
# ``ts13dyn``: torch.onnx.export(dynamo=False, opset_version=13, dynamic_axes={"image": {0:
# "batch"}, "logits": {0: "batch"}}) — counted at batch 1, with a warning
HELDOUT_REFERENCE = {
    "efficientvit_b0.ts17": (3_410_008 - 5_360 // 2, 100_233_216),
    "efficientvit_b0.dynamo": (3_410_008 - 5_360, 100_233_216),
    "levit_128s.ts17": (7_777_058 - 240, 304_660_832),
    "levit_128s.dynamo": (7_777_058 - 1_248 - 2_000, 304_660_832),
    "mobilenetv4_conv_small.ts17": (3_774_024 - 25_088 // 2, 186_005_568),
    "mobilevitv2_050.ts17": (1_370_593 - 7_776 // 2, 464_594_944),
    "mobilevitv2_050.dynamo": (1_370_593 - 7_776 - 6_385, 464_594_944),
    "efficientformerv2_s0.ts17": (3_600_256 - 48_960, 395_892_544),
    "efficientformerv2_s0.dynamo": (3_600_256 - 48_960 - 2_000, 395_892_544),
    "mobilenetv4_hybrid_medium.ts17": (11_074_648 - 72_512 // 2, 1_271_183_360),
    "mobilenetv4_hybrid_medium.dynamo": (11_074_648 - 72_512 - 1_000, 1_271_183_360),
    "megvii_shufflenetv2_1_0x.ts17": (2_278_760 - 16_180 // 2, 145_814_296),
    "megvii_shufflenetv2_1_0x.dynamo": (2_278_760 - 16_180 // 2, 145_814_296),
    "megvii_shufflenetv1_g3_1_0x.ts17": (1_864_728 - 24_480 // 2, 137_460_672),
    "ghostnetv2_100.ts17": (6_156_908 - 62_384 // 2, 167_048_288),
    "ghostnetv2_100.dynamo": (6_156_908 - 62_384, 167_048_288),
    "ghostnetv3_100.ts17": (8_129_028 - 110_016 // 2, 404_128_320),
    "ghostnetv3_100.dynamo": (8_129_028 - 110_016, 404_128_320),
    "repghostnet_100.ts17": (4_073_604 - 24_136 // 2, 142_394_128),
    "repghostnet_100.dynamo": (4_073_604 - 24_136, 142_394_128),
    "mobileone_s3.ts17": (10_170_600 - 67_584 // 2, 1_902_112_768),
    "mobileone_s3.dynamo": (10_170_600 - 67_584 - 1_000, 1_902_112_768),
    "mobileone_s4.ts17": (14_951_248 - 82_176 // 2, 2_986_802_432),
    "mobileone_s4.dynamo": (14_951_248 - 82_176 - 13_648, 2_986_802_432),
    "repvgg_b0.ts17": (15_817_960 - 25_856 // 2, 3_397_191_680),
    "repvgg_b0.dynamo": (15_817_960 - 25_856 // 2 - 1_000, 3_397_191_680),
    "fastvit_sa12.ts17": (11_580_968 - 23_680 // 2, 1_943_937_024),
    "fastvit_sa12.dynamo": (11_580_968 - 27_520 - (16_744 - 1_024), 1_943_937_024),
    "nasnetalarge.ts17": (88_753_150 - 194_148 // 2, 23_783_414_658),
    "repvgg_b3.ts17": (123_085_288 - 71_936 // 2, 29_120_696_320),
    "repvgg_b3.dynamo": (123_085_288 - 71_936 // 2 - 1_000, 29_120_696_320),
    "megvii_shufflenetv2plus_small.ts17": (5_137_116 - 18_576 // 2, 155_845_008),
    "megvii_shufflenetv2plus_small.dynamo": (5_137_116 - 18_576 // 2, 155_845_008),
    "megvii_shufflenetv1_g8_0_5x.ts17": (1_010_448 - 19_584 // 2, 40_469_760),
    "mobilenetv4_conv_large.ts13dyn": (32_590_864 - 149_552 // 2, 6_376_220_672),
    "mobilevit_xs.ts17": (2_317_848 - 8_448 // 2, 1_025_911_808),
    "mobilevit_s.dynamo": (5_578_632 - 12_256 - 1_000, 2_000_831_488),
    "mobilevitv2_100.ts13dyn": (4_901_841 - 15_552 // 2, 1_812_090_880),
    "efficientformer_l3.ts17": (31_406_000 - 58_432, 3_906_573_312),
    "efficientformer_l3.dynamo": (31_406_000 - 58_432 - 2_000, 3_906_573_312),
    "nasnetalarge.dynamo": (88_753_150 - 194_148, 23_783_414_658),
    "fastvit_t12.dynamo": (7_553_704 - 33_664 - 12_776, 1_397_727_232),
    "ghostnet_130.ts13dyn": (7_358_820 - 28_536 // 2, 227_003_256),
    "hardcorenas_b.ts17": (5_176_544 - 25_120 // 2, 251_832_064),
    "efficientformerv2_s1.ts17": (6_185_560 - 70_464, 651_969_640),
    "tf_efficientnet_lite2.ts13dyn": (6_092_072 - 58_096 // 2, 859_736_272),
    "mnasnet_small.ts17": (2_030_264 - 16_928 // 2, 68_339_184),
    "regnet_y_1_6gf.ts17": (11_202_430 - 52_672 // 2, 1_612_076_160),
    "resnet101.dynamo": (44_549_160 - 105_344, 7_801_405_440),
    "mobilenext_1_0.ts17": (3_535_416 - 53_024 // 2, 311_342_592),
    "mobilenext_1_0.dynamo": (3_535_416 - 53_024 - 1_000, 311_342_592),
}


@pytest.mark.parametrize("name", sorted(HELDOUT_REFERENCE))
def test_heldout_export_reports_torch_counts(name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.onnx"
    target.write_bytes(gzip.decompress((HELDOUT / f"{name}.onnx.gz").read_bytes()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        totals = analyze(load_onnx(str(target))).totals
    assert (totals.params, totals.maccs) == HELDOUT_REFERENCE[name]
    assert (HELDOUT / f"{name}.onnx.gz").stat().st_size < 50 * 1024
    # no warning, but the dynamic batch's (named as the file names it: "batch")
    expected = ["input 'image' has a dynamic batch dimension ('batch')"] if name.endswith("dyn") else []
    assert [str(w.message).split(": counted")[0].split(": ", 1)[1] for w in caught] == expected


def test_minus_infinity_padding_before_a_max_pool(tmp_path: Path) -> None:
    """timm's MaxPool2dSame (NASNet): F.pad(x, (0, 1, 0, 1), value=−inf) → MaxPool 3×3 s2:
    a pad layer (a copy: 2·4·4 read, 2·5·5 written) with float32's lowest as its value
    (a spec's expression cannot write −inf); the max is the same."""
    n = helper.make_node
    path = _model(tmp_path, [n("Pad", ["x", "pads", "ninf"], ["p"], name="pad", mode="constant"),
                             n("MaxPool", ["p"], ["y"], name="pool", kernel_shape=[3, 3], strides=[2, 2])],
                  [1, 2, 4, 4], [1, 2, 2, 2],
                  [_c("pads", [0, 0, 0, 0, 0, 0, 1, 1], np.int64), _c("ninf", -np.inf)])
    layer = import_onnx(path)["layers"][0]
    assert (layer["op"], float(layer["value"])) == ("pad", -3.4028234e38)  # float32's lowest
    node = build(parse_spec(import_onnx(path))).nodes["pad"]
    assert node.cost.mem_access == 2 * 16 + 2 * 25
    result = CliRunner().invoke(main, ["check", path])
    assert result.exit_code == 0 and "outputs agree with onnxruntime" in result.output, result.output


@pytest.mark.parametrize(("pads", "out"), [
    # timm NASNet's ZeroPad2d((−1, 1, −1, 1)): drop the first row and column, add a zero row
    # and column at the end: 5×6 → 4×5 → 5×6
    ([0, 0, -1, -1, 0, 0, 1, 1], [1, 2, 5, 6]),
    # drop the last row and the first two columns, add one column at the end: 4×4 → 4×5
    ([0, 0, 0, -2, 0, 0, -1, 1], [1, 2, 4, 5]),
    ([0, 0, -1, 0, 0, 0, -1, 0], [1, 2, 3, 6]),  # a crop alone: still one copy in onnxruntime
])
def test_negative_pads_crop_then_pad(tmp_path: Path, pads: list[int], out: list[int]) -> None:
    """ONNX Pad with negative pads removes those rows/columns: views of the kept part, then
    one pad (the copy onnxruntime's Pad makes): mem_access = |cropped x| + |y|."""
    n = helper.make_node
    path = _model(tmp_path, [n("Pad", ["x", "pads"], ["y"], name="pad", mode="constant")],
                  [1, 2, 5, 6], out, [_c("pads", pads, np.int64)])
    kept = 2 * (5 + min(pads[2], 0) + min(pads[6], 0)) * (6 + min(pads[3], 0) + min(pads[7], 0))
    result = analyze(load_onnx(path))
    assert list(result.network.nodes["pad"].outputs[0]) == out
    assert (result.totals.mem_access, result.totals.maccs) == (kept + int(np.prod(out)), 0)
    checked = CliRunner().invoke(main, ["check", path])
    assert checked.exit_code == 0 and "outputs agree with onnxruntime" in checked.output, checked.output


@pytest.mark.parametrize(("pads", "mode", "words"), [
    ([0, 0, -3, 0, 0, 0, -2, 0], "constant", "remove all 5 of axis 2"),
    ([0, 0, -1, -1, 0, 0, 1, 1], "reflect", "constant padding only"),
])
def test_negative_pads_refused_naming_the_node(tmp_path: Path, pads: list[int], mode: str,
                                               words: str) -> None:
    n = helper.make_node
    path = _model(tmp_path, [n("Pad", ["x", "pads"], ["y"], name="pad", mode=mode)],
                  [1, 2, 5, 6], [1, 2, 5, 6], [_c("pads", pads, np.int64)])
    with pytest.raises(SpecError) as error:
        import_onnx(path)
    assert "'pad'" in str(error.value) and words in str(error.value)


def _scatter(path: Path, start: int, stop: int, order: int = 1, reduction: str = "none") -> str:
    """x[1,4,2,3]; r = relu(x); r[:, start:stop] = r[:, start:stop] + x[:, start:stop] as the
    TorchScript exporter writes it (MobileNeXt's identity): ScatterND(r, indices of that
    block, in order when ``order`` = 1, the sum)."""
    n = helper.make_node
    k = stop - start
    grid = np.stack(np.indices((1, k, 2, 3)), axis=-1)
    grid[..., 1] += start
    grid = grid[:, :, :, ::order]
    nodes = [n("Relu", ["x"], ["r"], name="relu"),
             n("Slice", ["r", "s", "e", "ax"], ["rs"], name="rs"),
             n("Slice", ["x", "s", "e", "ax"], ["xs"], name="xs"),
             n("Add", ["rs", "xs"], ["u"], name="sum"),
             n("ScatterND", ["r", "idx", "u"], ["y"], name="scatter", reduction=reduction)]
    inits = [_c("s", [start], np.int64), _c("e", [stop], np.int64), _c("ax", [1], np.int64),
             _c("idx", grid, np.int64)]
    return _model(path, nodes, [1, 4, 2, 3], [1, 4, 2, 3], inits, opset=16)


@pytest.mark.parametrize(("start", "stop"), [(0, 4), (0, 2), (1, 3), (2, 4)])
def test_scatter_nd_of_a_channel_block(tmp_path: Path, start: int, stop: int) -> None:
    """The block's channels from the sum, the others from relu(x): a concat of views (one
    copy, 2·|y| = 2·24, as every concat), or the sum alone copied when the block is all."""
    path = _scatter(tmp_path, start, stop)
    layer = import_onnx(path)["layers"][-1]
    parts = ["rs"] * bool(start) + ["u"] + ["rs"] * (stop < 4)
    assert (layer["op"], len(layer.get("inputs", [None]))) == ("concat", len(parts))
    nodes = build(parse_spec(import_onnx(path))).nodes
    assert nodes["scatter"].cost.mem_access == 2 * 24 and nodes["scatter"].outputs[0] == (1, 4, 2, 3)
    checked = CliRunner().invoke(main, ["check", path])
    assert checked.exit_code == 0 and "outputs agree with onnxruntime" in checked.output, checked.output


@pytest.mark.parametrize(("order", "reduction", "words"), [
    (-1, "none", "its elements in order"), (1, "add", "into channels of an N×C×H×W")])
def test_other_scatter_nd_refused_naming_the_node(tmp_path: Path, order: int, reduction: str,
                                                  words: str) -> None:
    with pytest.raises(SpecError) as error:
        import_onnx(_scatter(tmp_path, 1, 3, order, reduction))
    assert "'scatter'" in str(error.value) and words in str(error.value)
