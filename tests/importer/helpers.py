"""Small ONNX models built with the onnx helper API for the importer's tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["stripped", "tiny_model"]


def stripped(name: str, dims: list[int]) -> onnx.TensorProto:
    """An initializer with its dims and no data (weights stripped)."""
    tensor = onnx.TensorProto(name=name, data_type=TensorProto.FLOAT)
    tensor.dims.extend(dims)
    return tensor


def tiny_model(path: Path, batch: int | str = 1, op: str = "Relu", fold_bias: bool = False) -> str:
    """x[N,3,8,8] → Conv 3→4 k3 p1 (weights stripped: dims only) → op → GAP → Flatten → Gemm 4→2."""
    weight = stripped("w", [4, 3, 3, 3])
    bias = numpy_helper.from_array(np.zeros(4, np.float32), "b")
    fc = stripped("fc", [2, 4])
    conv_inputs = ["x", "w", "b"] if fold_bias else ["x", "w"]
    nodes = [helper.make_node("Conv", conv_inputs, ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node(op, ["c"], ["a"], name="act"),
             helper.make_node("GlobalAveragePool", ["a"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fc"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 2])],
                              [weight, bias, fc])
    file = path / "tiny.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    return str(file)




def _const(name: str, values: list[float] | list[int] | float, dtype: type = np.float32) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(values, dtype), name)


def opset_model(path: Path, opset: int) -> str:
    """One network written as opset ``opset`` writes it (11 … 21): x[1,8,8,8] → Conv 8→8
    k3 p1 (weights stripped) → hardswish → Split [4, 4] → (Resize ×2 nearest → MaxPool
    k2, the other part) → Concat → ReduceMean over H, W → Squeeze → Unsqueeze to tokens
    1×1×8 → layernorm → gelu → MatMul 8→4 + bias → Softmax."""
    n = helper.make_node
    inits = [stripped("w", [8, 8, 3, 3]), _const("three", 3.0), _const("six", 6.0),
             stripped("fc", [8, 4]), _const("fc_b", np.zeros(4).tolist()),
             stripped("gamma", [8]), stripped("beta", [8])]
    nodes = [n("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    if opset >= 14:
        nodes.append(n("HardSwish", ["c"], ["a"], name="act"))
    else:  # x · relu6(x + 3) / 6, as timm writes hard_swish
        nodes += [n("Add", ["c", "three"], ["c3"], name="act_add"),
                  n("Clip", ["c3", "zero", "six"], ["r6"], name="act_clip"),
                  n("Mul", ["c", "r6"], ["xr"], name="act_mul"), n("Div", ["xr", "six"], ["a"], name="act")]
        inits.append(_const("zero", 0.0))
    if opset >= 18:
        nodes.append(n("Split", ["a"], ["s0", "s1"], name="split", axis=1, num_outputs=2))
    elif opset >= 13:
        inits.append(_const("sizes", [4, 4], np.int64))
        nodes.append(n("Split", ["a", "sizes"], ["s0", "s1"], name="split", axis=1))
    else:
        nodes.append(n("Split", ["a"], ["s0", "s1"], name="split", axis=1, split=[4, 4]))
    inits.append(_const("scales", [1.0, 1.0, 2.0, 2.0]))
    nodes += [n("Resize", ["s0", "", "scales"], ["up"], name="up", mode="nearest"),
              n("MaxPool", ["up"], ["down"], name="down", kernel_shape=[2, 2], strides=[2, 2]),
              n("Concat", ["down", "s1"], ["cat"], name="cat", axis=1)]
    axes = {"axes": [2, 3]} if opset < 18 else {}
    mean_inputs = ["cat"] if opset < 18 else ["cat", "hw"]
    nodes.append(n("ReduceMean", mean_inputs, ["pooled"], name="pool", keepdims=1, **axes))
    if opset >= 13:
        inits += [_const("hw", [2, 3], np.int64), _const("one", [1], np.int64)]
        nodes += [n("Squeeze", ["pooled", "hw"], ["flat"], name="squeeze"),
                  n("Unsqueeze", ["flat", "one"], ["tokens"], name="tokens")]
    else:
        inits.append(_const("hw", [2, 3], np.int64))
        nodes += [n("Squeeze", ["pooled"], ["flat"], name="squeeze", axes=[2, 3]),
                  n("Unsqueeze", ["flat"], ["tokens"], name="tokens", axes=[1])]
    if opset >= 17:
        nodes.append(n("LayerNormalization", ["tokens", "gamma", "beta"], ["ln"], name="norm", axis=-1))
    else:  # (x − mean)/√(var + ε)·γ + β, as TorchScript writes layer_norm before opset 17
        inits += [_const("two", 2.0), _const("eps", 1e-5)]
        mean_axes = {"axes": [-1]}
        nodes += [n("ReduceMean", ["tokens"], ["mu"], name="norm_mean", keepdims=1, **mean_axes),
                  n("Sub", ["tokens", "mu"], ["d"], name="norm_sub"),
                  n("Pow", ["d", "two"], ["d2"], name="norm_pow"),
                  n("ReduceMean", ["d2"], ["var"], name="norm_var", keepdims=1, **mean_axes),
                  n("Add", ["var", "eps"], ["ve"], name="norm_eps"),
                  n("Sqrt", ["ve"], ["sd"], name="norm_sqrt"),
                  n("Div", ["d", "sd"], ["nd"], name="norm_div"),
                  n("Mul", ["nd", "gamma"], ["ng"], name="norm_scale"),
                  n("Add", ["ng", "beta"], ["ln"], name="norm")]
    if opset >= 20:
        nodes.append(n("Gelu", ["ln"], ["g"], name="gelu"))
    else:  # x · (1 + erf(x/√2)) / 2
        inits += [_const("sqrt2", 2 ** 0.5), _const("one_f", 1.0), _const("half", 0.5)]
        nodes += [n("Div", ["ln", "sqrt2"], ["ls"], name="gelu_scale"), n("Erf", ["ls"], ["e"], name="gelu_erf"),
                  n("Add", ["e", "one_f"], ["e1"], name="gelu_one"), n("Mul", ["ln", "e1"], ["xe"], name="gelu_x"),
                  n("Mul", ["xe", "half"], ["g"], name="gelu")]
    nodes += [n("MatMul", ["g", "fc"], ["mm"], name="fc_mm"), n("Add", ["mm", "fc_b"], ["logits"], name="fc"),
              n("Softmax", ["logits"], ["y"], name="softmax", axis=-1)]
    graph = helper.make_graph(nodes, "opsets", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 4])], inits)
    file = path / f"opset{opset}.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString())
    return str(file)


def weighted_model(path: Path) -> str:
    """A model with its weights (opset 17): x[1,3,8,8] → Conv 3→4 k3 p1 + bias → BN → Relu →
    layer scale γ (4×1×1) → LayerNorm2d (Transpose, LayerNormalization, Transpose) →
    GlobalAveragePool → Flatten → Gemm 4→2 + bias."""
    rng = np.random.default_rng(0)

    def array(name: str, *shape: int, center: float = 0.0) -> onnx.TensorProto:
        return numpy_helper.from_array((center + rng.standard_normal(shape) / 4).astype(np.float32), name)

    inits = [array("w", 4, 3, 3, 3), array("b", 4), array("gamma", 4, center=1), array("beta", 4),
             array("mean", 4), numpy_helper.from_array(rng.uniform(0.5, 1.5, 4).astype(np.float32), "var"),
             array("scale", 4, 1, 1, center=1), array("ln_g", 4, center=1), array("ln_b", 4),
             array("fc", 2, 4), array("fc_b", 2)]
    n = helper.make_node
    nodes = [n("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             n("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["bn"], name="bn"),
             n("Relu", ["bn"], ["r"], name="relu"), n("Mul", ["r", "scale"], ["s"], name="layer_scale"),
             n("Transpose", ["s"], ["t"], name="to_nhwc", perm=[0, 2, 3, 1]),
             n("LayerNormalization", ["t", "ln_g", "ln_b"], ["ln"], name="norm", axis=-1),
             n("Transpose", ["ln"], ["u"], name="to_nchw", perm=[0, 3, 1, 2]),
             n("GlobalAveragePool", ["u"], ["p"], name="pool"), n("Flatten", ["p"], ["f"], name="flatten"),
             n("Gemm", ["f", "fc", "fc_b"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "weighted", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], inits)
    file = path / "weighted.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    return str(file)
