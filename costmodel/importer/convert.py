"""ONNX graph → costmodel spec (a plain dict, validated by the spec schema).

Each ONNX node, or recognized group of nodes, becomes one layer of the op that costs what
it executes, so an ONNX model is counted with costmodel's own formulas and shape
inference (every emitted layer's output shape comes from its op's formula):

* groups read like the spec would: Sigmoid→Mul(x, ·) is silu; HardSigmoid→Mul(x, ·) and
  x·relu6(x + 3)/6 are hardswish, relu6(x + 3)/6 is hardsigmoid; Reshape→Transpose(g ↔
  C/g)→Reshape is a channel shuffle; x·(1 + erf(x/√2))/2 is gelu; ReduceMean/Sub/Pow/
  ReduceMean/Add/Sqrt/Div(/Mul γ/Add β) is a layernorm, and so is LayerNormalization
  between the Transposes to and from N×H×W×C (ConvNeXt's LayerNorm2d); MatMul with a
  constant B (and the Add of a constant after it) is a linear layer; a Transpose of the
  last two axes and scalar Mul/Div feeding a MatMul are its ``transpose_b`` and ``scale``;
* constants (Shape, Gather, Concat of shapes, CastLike of literals, Identity of
  initializers, …) are folded (costmodel/importer/consts.py), never counted; the spec's
  ``identity_nodes`` keeps how many ``Identity`` nodes (of constants or activations) lead
  to each layer, which onnxruntime runs one by one with optimizations off;
* a convolution's parameters come from initializer *shapes* only, so a model whose weights
  are stripped or external reports the same; a BatchNormalization folded into a conv by
  the exporter is what the ONNX holds: a biased conv;
* Sub of two tensors costs what Add does and is counted as ``add``; a Transpose to
  N×H×W×C is ``tokens`` (its consumers see tokens N×(H·W)×C) and the one back ``image``;
  Gather/Slice/Split along another axis than the channels is a view (reshape → channel
  slice → reshape).

Anything else is an error naming the node and its op type, listing what is supported.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from math import isqrt, prod
from pathlib import Path
from typing import Any

import numpy as np

from costmodel.errors import SpecError, SpecWarning
from costmodel.importer.consts import Const, fold
from costmodel.importer.group import group_conv_bn_act
from costmodel.importer.origin import node_layers
from costmodel.importer.read import read_model
from costmodel.importer.state import State, attrs
from costmodel.ops.base import OPS
from costmodel.reference.kernels import BN_EPS

__all__ = ["SUPPORTED", "Imported", "image_input", "import_model", "import_onnx", "load_onnx", "parse_input_shape"]

MAX_DIM = 1 << 31
_DIGITS = re.compile("[0-9]+")
_NOT_IMAGES = {0: "undefined elements", 8: "strings", 9: "booleans", 14: "complex numbers",
               15: "complex numbers"}
"""ONNX element types (TensorProto.DataType) no image is made of."""
_INT64_MAX = (1 << 63) - 1

Converter = Callable[[State, Any, dict[str, Any]], None]


def _pair(values: Any) -> Any:
    values = [int(v) for v in values]
    return values[0] if len(set(values)) == 1 else values


def _close(value: float | None, target: float) -> bool:
    return value is not None and abs(value - target) <= 1e-5 * max(1.0, abs(target))


def _padding(st: State, node: Any, a: dict[str, Any], kernel: list[int], stride: list[int],
             dilation: list[int] | None = None, exclude_pad: bool = False) -> Any:
    """ONNX [begin_h, begin_w, end_h, end_w] (``pads``, or what ``auto_pad`` makes of the input:
    see :func:`_auto_pads`) → a symmetric pad (number/pair), or TensorFlow's
    ``same`` when it gives the same output size ⌈H/s⌉ as ONNX's ⌊(H + b + e − d(k−1) − 1)/s⌋ + 1
    on both axes (end = begin or begin + 1, as ``same`` pads). ``exclude_pad`` (an average
    excluding the padding, which only ``same`` models) asks for ``same`` whenever padded.
    Any other padding is refused: a pad mapped to ``same`` regardless would count the layer
    at another output size (pads [0, 0, 1, 1] with k 3, s 1 give 7×7 of 8×8, ``same`` 8×8)."""
    dilation = dilation or [1, 1]
    sizes = st.shape(node, node.input[0])[-2:]
    pads = _auto_pads(st, node, a, sizes, kernel, stride, dilation)
    begin, end = pads[:2], pads[2:]
    if begin == end and not (exclude_pad and any(begin)):
        return _pair(begin)
    onnx_sizes = [(h + b + e - d * (k - 1) - 1) // s + 1
                  for h, b, e, d, k, s in zip(sizes, begin, end, dilation, kernel, stride, strict=True)]
    same_sizes = [-(-h // s) for h, s in zip(sizes, stride, strict=True)]
    if all(e - b in (0, 1) for b, e in zip(begin, end, strict=True)) and onnx_sizes == same_sizes:
        return "same"
    what = "padding that excludes the pad from the average" if exclude_pad else "asymmetric padding"
    raise st.error(node, f"{what} {pads} is not supported here (it gives {onnx_sizes[0]}×{onnx_sizes[1]}, "
                         f"not TensorFlow's 'same' {same_sizes[0]}×{same_sizes[1]})")


def _auto_pads(st: State, node: Any, a: dict[str, Any], sizes: Sequence[int], kernel: list[int],
               stride: list[int], dilation: list[int]) -> list[int]:
    """A conv's or pool's pads: ``pads`` as written (``auto_pad`` NOTSET), none for VALID,
    and for SAME_UPPER / SAME_LOWER the total max(0, (⌈H/s⌉ − 1)·s + d(k−1) + 1 − H) per axis
    split in halves, the odd one at the end (UPPER) or the beginning (LOWER), as the ONNX
    operator definitions give them."""
    auto = a.get("auto_pad", "NOTSET")
    auto = auto.decode(errors="replace") if isinstance(auto, bytes) else str(auto)
    if auto == "NOTSET":
        return [int(p) for p in (a.get("pads") or [0, 0, 0, 0])]
    if auto == "VALID":
        return [0, 0, 0, 0]
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        raise st.error(node, f"auto_pad '{auto}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    totals = [max(0, (-(-h // s) - 1) * s + d * (k - 1) + 1 - h)
              for h, k, s, d in zip(sizes, kernel, stride, dilation, strict=True)]
    small, large = [t // 2 for t in totals], [t - t // 2 for t in totals]
    return small + large if auto == "SAME_UPPER" else large + small


def _channel_axis(rank: int) -> int:
    return 1 if rank == 4 else rank - 1


# -- contractions ---------------------------------------------------------------------------

def _conv(st: State, node: Any, a: dict[str, Any]) -> None:
    weight = st.const(node.input[1])
    if weight is None or len(weight.shape) != 4:
        raise st.error(node, "needs a constant 4-D weight (2-D convolution)")
    bias = st.const(node.input[2]) if len(node.input) > 2 else None
    # a bias the exporter computes from literals (zeros, as dynamo writes a bias-free conv)
    # is no parameter; an initializer bias is (BN folded by the exporter included)
    learned = bias is not None and (bias.param or bias.value is None or bool(np.any(bias.value)))
    stride, dilation = list(a.get("strides", [1, 1])), list(a.get("dilations", [1, 1]))
    for key, values in (("strides", stride), ("dilations", dilation), ("kernel_shape", a.get("kernel_shape"))):
        if values is not None and len(values) != 2:  # a 2-D conv: one value per spatial axis
            raise st.error(node, f"attribute '{key}' has {len(values)} values; a 2-D Conv takes 2")
    if "kernel_shape" in a and [int(k) for k in a["kernel_shape"]] != list(weight.shape[2:]):
        raise st.error(node, f"kernel_shape {list(a['kernel_shape'])} disagrees with its weight's "
                             f"{list(weight.shape[2:])}")
    _check_conv_weights(st, node, weight, bias, int(a.get("group", 1)))
    st.add(node, "conv2d", [node.input[0]], list(node.output), out=weight.shape[0],
           kernel=_pair(weight.shape[2:]), stride=_pair(stride),
           padding=_padding(st, node, a, list(weight.shape[2:]), stride, dilation),
           dilation=_pair(dilation),
           groups=a.get("group", 1), bias=learned,
           weights={"weight": node.input[1], **({"bias": node.input[2]} if learned else {})})


def _check_conv_weights(st: State, node: Any, weight: Any, bias: Any, groups: int) -> None:
    """A Conv's weight reads C_in / groups channels of its input and its bias has one value
    per output channel (onnxruntime refuses a model where they disagree; counting the layer
    from either one alone would count a network the file does not describe)."""
    x = st.shapes.get(node.input[0])
    if x is not None and len(x) == 4 and weight.shape[1] * groups != x[1]:
        raise st.error(node, f"weight {list(weight.shape)} with group {groups} reads "
                             f"{weight.shape[1] * groups} channels; its input has {x[1]}")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise st.error(node, f"bias {list(bias.shape)} for {weight.shape[0]} output channels")


def _check_gemm_weights(st: State, node: Any, weight: Any, trans_b: bool) -> None:
    """Gemm(x, W, b): W's K equals x's last axis and b is one value per output (a bias of
    another broadcast shape has no linear-layer mapping)."""
    if len(weight.shape) != 2:
        raise st.error(node, f"weight {list(weight.shape)} is not 2-D")
    k, n = (weight.shape[1], weight.shape[0]) if trans_b else weight.shape
    x = st.shapes.get(node.input[0])
    if x is not None and x[-1] != k:
        raise st.error(node, f"weight {list(weight.shape)}{' (transB)' if trans_b else ''} reads "
                             f"{k} features; its input {list(x)} has {x[-1]}")
    bias = st.const(node.input[2]) if len(node.input) > 2 and node.input[2] else None
    if bias is not None and tuple(bias.shape) not in ((n,), (1, n)):
        raise st.error(node, f"bias {list(bias.shape)} for {n} outputs")


def _gemm(st: State, node: Any, a: dict[str, Any]) -> None:
    weight = st.const(node.input[1])
    if weight is None or a.get("transA", 0) or not _close(a.get("alpha", 1.0), 1) \
            or not _close(a.get("beta", 1.0), 1):
        raise st.error(node, "only Gemm(x, W[, b]) with a constant W is a linear layer")
    _check_gemm_weights(st, node, weight, bool(a.get("transB", 0)))
    bias = len(node.input) > 2 and bool(node.input[2])
    st.add(node, "linear", [node.input[0]], list(node.output),
           out=weight.shape[0] if a.get("transB", 0) else weight.shape[1], bias=bias,
           weights={"weight": node.input[1] if a.get("transB", 0) else (node.input[1], np.transpose),
                    **({"bias": (node.input[2], np.ravel)} if bias else {})})


def _scalar_reader(st: State, tensor: str) -> tuple[Any, float] | None:
    """The single Mul/Div of ``tensor`` by a scalar constant reading it, and the factor."""
    for op in ("Mul", "Div"):
        reader = st.only_reader(tensor, op)
        if reader is None:
            continue
        other = [t for t in reader.input if t != tensor]
        if len(other) != 1 or (op == "Div" and reader.input[0] != tensor):
            continue
        factor = st.scalar(other[0])
        if factor is not None and factor != 0:
            return reader, factor if op == "Mul" else 1 / factor
    return None


def _matmul(st: State, node: Any, a: dict[str, Any]) -> None:
    x, y = node.input[:2]
    weight = st.const(y)
    if weight is not None:
        if len(weight.shape) != 2 or x not in st.refs:
            raise st.error(node, "only MatMul(x, W) with a constant 2-D W is a linear layer")
        add = st.only_reader(node.output[0], "Add")
        bias, bias_tensor = None, ""
        if add is not None:
            bias_tensor = add.input[1] if add.input[0] == node.output[0] else add.input[0]
            other = st.const(bias_tensor)
            if other is not None and other.shape in ((weight.shape[1],), (1, weight.shape[1])):
                bias = add
        if bias is not None:
            st.done.add(id(bias))
        st.add(bias or node, "linear", [x], list((bias or node).output), out=weight.shape[1],
               bias=bias is not None, weights={"weight": (y, np.transpose), **(
                   {"bias": (bias_tensor, np.ravel)} if bias is not None else {})})
        return
    (a_src, a_t, a_scale), (b_src, b_t, b_scale) = st.deferred.get(x, (x, False, 1.0)), \
        st.deferred.get(y, (y, False, 1.0))
    if a_t:
        raise st.error(node, "a transposed first operand is not supported")
    scale, last = a_scale * b_scale, node
    after = _scalar_reader(st, node.output[0])
    if after is not None:
        last, factor = after
        st.done.add(id(last))
        scale *= factor
    st.add(node, "matmul", [a_src, b_src], list(last.output), transpose_b=b_t or None,
           scale=None if _close(scale, 1) else f"{scale:.9g}")


def _defer_to_matmul(st: State, tensor: str, transposed: bool = False) -> bool:
    """Whether ``tensor`` only feeds a MatMul, possibly through a scalar Mul/Div or (as its
    second operand) a Transpose of the last two axes: the MatMul's ``scale``/``transpose_b``."""
    reader = st.only_reader(tensor)
    if reader is None:
        return False
    if reader.op_type == "MatMul":
        return st.const(reader.input[1]) is None and (not transposed or reader.input[1] == tensor)
    if reader.op_type == "Transpose" and not transposed:
        return _defer_to_matmul(st, reader.output[0], True)
    if _scalar_reader(st, tensor) is not None:
        return _defer_to_matmul(st, reader.output[0], transposed)
    return False


# -- normalization and activations ------------------------------------------------------------

def _batchnorm(st: State, node: Any, a: dict[str, Any]) -> None:
    # the reference divides by √(σ² + its ε): σ² + ε_model − ε_ref gives the model's √(σ² + ε)
    shift = float(a.get("epsilon", 1e-5)) - BN_EPS
    st.add(node, "batchnorm", [node.input[0]], list(node.output[:1]),
           weights={"gamma": node.input[1], "beta": node.input[2], "mean": node.input[3],
                    "var": (node.input[4], lambda var: var + np.float32(shift))})


def _affine(tensors: Any) -> dict[str, Any]:
    """γ and β of a normalization (β may be left out: zeros)."""
    names = list(tensors) + [""]
    return {"gamma": (names[0], np.ravel), "beta": (names[1], np.ravel) if names[1] else ""}


def _layernorm(st: State, node: Any, a: dict[str, Any]) -> None:
    x = node.input[0]
    st.shape(node, x)
    rank = st.rank(x)
    if a.get("axis", -1) not in (-1, rank - 1):
        raise st.error(node, "only a LayerNormalization over the last axis is supported")
    if len(st.shape(node, x)) == 4:
        raise st.error(node, "a LayerNormalization over W of N×C×H×W is not supported")
    st.add(node, "layernorm", [x], list(node.output[:1]), weights=_affine(node.input[1:3]))


def _activation(op: str) -> Converter:
    def convert(st: State, node: Any, a: dict[str, Any]) -> None:
        st.add(node, op, [node.input[0]], list(node.output[:1]))
    return convert


def _gated(st: State, node: Any, gate: str, fused: str) -> bool:
    """x · gate(x) as one layer ``fused`` (silu, hardswish), named as the Mul."""
    mul = st.only_reader(node.output[0], "Mul")
    if mul is None or node.input[0] not in mul.input:
        return False
    st.done.add(id(mul))
    st.add(mul, fused, [node.input[0]], list(mul.output))
    return True


def _sigmoid(st: State, node: Any, a: dict[str, Any]) -> None:
    if not _gated(st, node, "sigmoid", "silu"):
        st.add(node, "sigmoid", [node.input[0]], list(node.output))


def _hardsigmoid(st: State, node: Any, a: dict[str, Any]) -> None:
    if not (_close(a.get("alpha", 0.2), 1 / 6) and _close(a.get("beta", 0.5), 0.5)):
        raise st.error(node, "only HardSigmoid(alpha=1/6, beta=1/2) (PyTorch's) is supported")
    if not _gated(st, node, "hardsigmoid", "hardswish"):
        st.add(node, "hardsigmoid", [node.input[0]], list(node.output))


def _clip_bounds(st: State, node: Any, a: dict[str, Any]) -> tuple[float | None, float | None]:
    if "min" in a or "max" in a:  # opset < 11: attributes
        return a.get("min"), a.get("max")
    bounds = []
    for i in (1, 2):
        tensor = node.input[i] if len(node.input) > i else ""
        bounds.append(st.scalar(tensor) if tensor else None)
    return bounds[0], bounds[1]


def _clip(st: State, node: Any, a: dict[str, Any]) -> None:
    low, high = _clip_bounds(st, node, a)
    if _close(low, 0) and _close(high, 6):
        st.add(node, "relu6", [node.input[0]], list(node.output))
    elif _close(low, 0) and high is None:
        st.add(node, "relu", [node.input[0]], list(node.output))
    else:
        raise st.error(node, f"Clip({low}, {high}) has no mapping (only relu6 and relu)")


def _leaky_relu(st: State, node: Any, a: dict[str, Any]) -> None:
    alpha = a.get("alpha", 0.01)
    st.add(node, "leaky_relu", [node.input[0]], list(node.output),
           slope=None if _close(alpha, 0.01) else f"{alpha:.9g}")


def _softmax(st: State, node: Any, a: dict[str, Any]) -> None:
    rank = len(st.shape(node, node.input[0]))
    axis = a.get("axis", -1 if st.opset >= 13 else 1)
    if st.axis(node, axis, rank) != rank - 1:
        raise st.error(node, "only a Softmax over the last axis is supported")
    st.add(node, "softmax", [node.input[0]], list(node.output))


def _hard_sigmoid_decomposed(st: State, node: Any) -> bool:
    """relu6(x + 3) / 6 (timm's and MobileNetV3's hard_sigmoid) and x·relu6(x + 3)/6."""
    x = next((t for t in node.input[:2] if t in st.refs), None)
    other = [t for t in node.input[:2] if t != x]
    if x is None or len(other) != 1 or not _close(st.scalar(other[0]), 3):
        return False
    clip = st.only_reader(node.output[0])
    if clip is None or clip.op_type not in ("Clip", "Relu6") or \
            (clip.op_type == "Clip" and _clip_bounds(st, clip, attrs(clip)) != (0.0, 6.0)
             and not (_close(_clip_bounds(st, clip, attrs(clip))[0], 0)
                      and _close(_clip_bounds(st, clip, attrs(clip))[1], 6))):
        return False
    chain = [clip]
    tensor = clip.output[0]
    times_x = st.only_reader(tensor, "Mul")
    if times_x is not None and x in times_x.input:  # (x · relu6(x + 3)) / 6
        chain.append(times_x)
        tensor = times_x.output[0]
    divide = _scalar_reader(st, tensor)
    if divide is None or not _close(divide[1], 1 / 6):
        return False
    chain.append(divide[0])
    last = divide[0]
    op = "hardswish" if len(chain) == 3 else "hardsigmoid"
    if op == "hardsigmoid":
        after = st.only_reader(last.output[0], "Mul")
        if after is not None and x in after.input:  # x · (relu6(x + 3) / 6)
            chain.append(after)
            last, op = after, "hardswish"
    st.done.update(id(n) for n in chain)
    st.add(last, op, [x], list(last.output))
    return True


def _gelu_decomposed(st: State, node: Any, x: str, factor: float) -> bool:
    """x · (1 + erf(x/√2)) / 2, starting at the x/√2 (any order of the Muls by x and ½)."""
    if not _close(factor, 2 ** -0.5):
        return False
    erf = st.only_reader(node.output[0], "Erf")
    plus = erf and st.only_reader(erf.output[0], "Add")
    if erf is None or plus is None or not any(_close(st.scalar(t), 1) for t in plus.input):
        return False
    chain, tensor, has_x, has_half = [erf, plus], plus.output[0], False, False
    while not (has_x and has_half):
        reader = st.only_reader(tensor, "Mul")
        if reader is None:
            return False
        others = [t for t in reader.input if t != tensor]
        if len(others) != 1:
            return False
        producer = st.producers.get(others[0])
        if others[0] == x and not has_x:
            has_x = True
        elif _close(st.scalar(others[0]), 0.5) and not has_half:
            has_half = True
        elif producer is not None and producer.op_type == "Mul" and x in producer.input and \
                any(_close(st.scalar(t), 0.5) for t in producer.input) and not has_x:
            has_x = has_half = True  # (x · ½) · (1 + erf): the ½x computed apart
            chain.append(producer)
        else:
            return False
        chain.append(reader)
        tensor = reader.output[0]
    st.done.update(id(n) for n in chain)
    st.add(chain[-1], "gelu", [x], [tensor])
    return True


def _layernorm_decomposed(st: State, node: Any, a: dict[str, Any]) -> bool:
    """(x − mean)/√(var + ε) · γ + β written out (TorchScript exports before opset 17)."""
    x = node.input[0]
    axes = a.get("axes") or list(st.value(node, node.input[1]) if len(node.input) > 1 else [])
    rank = st.rank(x)
    if [st.axis(node, v, rank) for v in axes] != [rank - 1]:
        return False
    sub = next((r for r in st.readers.get(node.output[0], []) if r.op_type == "Sub"), None)
    if sub is None or list(sub.input) != [x, node.output[0]]:
        return False
    centered = sub.output[0]
    readers = {r.op_type: r for r in st.readers.get(centered, [])}
    square, div = readers.get("Pow") or readers.get("Mul"), readers.get("Div")
    if square is None or div is None:
        return False
    mean = st.only_reader(square.output[0], "ReduceMean")
    eps = mean and st.only_reader(mean.output[0], "Add")
    root = eps and st.only_reader(eps.output[0], "Sqrt")
    if root is None or list(div.input) != [centered, root.output[0]]:
        return False
    chain = [sub, square, mean, eps, root, div]
    scale = st.only_reader(div.output[0], "Mul")
    shift = scale and st.only_reader(scale.output[0], "Add")
    if scale is None or shift is None:
        raise st.error(node, "a layer norm without γ and β is not supported")
    chain += [scale, shift]
    st.done.update(id(n) for n in chain)
    gamma = next(t for t in scale.input if t != div.output[0])
    beta = next(t for t in shift.input if t != scale.output[0])
    st.add(shift, "layernorm", [x], list(shift.output), weights=_affine([gamma, beta]))
    return True


def _reduce_mean(st: State, node: Any, a: dict[str, Any]) -> None:
    if _layernorm_decomposed(st, node, a):
        return
    x = node.input[0]
    shape = st.shape(node, x)
    axes = a.get("axes") or [int(v) for v in st.value(node, node.input[1])] if len(node.input) > 1 \
        else a.get("axes")
    axes = sorted(st.axis(node, v, len(shape)) for v in axes or range(len(shape)))
    keep = a.get("keepdims", 1)
    if len(shape) == 4 and axes == [2, 3]:
        if keep:
            st.add(node, "global_avg_pool", [x], list(node.output), reduce_mean=True)
        else:
            st.add(node, "global_avg_pool", [x], [node.output[0] + "#pooled"], suffix=".pool", reduce_mean=True)
            st.add(node, "flatten", [node.output[0] + "#pooled"], list(node.output))
        return
    if len(shape) == 3 and axes == [1] and not keep and "attention_bias" in OPS:
        st.add(node, "global_avg_pool", [x], list(node.output))  # x.mean(1) of tokens
        return
    if len(shape) == 3 and axes == [1]:  # mean over tokens: N×C×L×1, then the global pool
        n, length, c = shape
        st.add(node, "permute", [x], [node.output[0] + "#t"], suffix=".transpose", dims=[0, 2, 1])
        st.add(node, "reshape", [node.output[0] + "#t"], [node.output[0] + "#i"], suffix=".image",
               shape=[n, c, length, 1])
        st.add(node, "global_avg_pool", [node.output[0] + "#i"], [node.output[0] + "#p"], suffix=".pool")
        st.add(node, "reshape", [node.output[0] + "#p"], list(node.output),
               shape=[n, 1, c] if keep else [n, c])
        return
    raise st.error(node, f"ReduceMean over axes {axes} of a {len(shape)}-D tensor is not supported")


def _reduce_sum(st: State, node: Any, a: dict[str, Any]) -> None:
    """A sum over the last axes of x: their mean times their size, as a view of x as
    N×outer×inner×1 → global_avg_pool → ``scale`` by inner → a view of the result
    (MobileViTv2's separable attention: Σ over the patch's pixels of key · softmax(query)).
    Costs: the pool's |x| element ops plus one per output for the scale, no MACCs
    (FlopCounterMode counts none for a sum either)."""
    x = node.input[0]
    shape = st.shape(node, x)
    given: list[int] = list(a["axes"]) if "axes" in a else (
        [int(v) for v in st.value(node, node.input[1]).reshape(-1)] if len(node.input) > 1 and node.input[1] else [])
    if not given and a.get("noop_with_empty_axes", 0):
        st.alias(node.output[0], x)
        return
    axes = sorted({st.axis(node, v, len(shape)) for v in given} or set(range(len(shape))))
    if x in st.nhwc or not axes or axes != list(range(axes[0], len(shape))) or axes[0] == 0:
        raise st.error(node, f"only a ReduceSum over the last axes (not the batch) is supported, "
                             f"not over axes {axes} of a {len(shape)}-D tensor")
    inner = prod(shape[axes[0]:])
    outer = shape[:axes[0]]
    kept = [*outer, *([1] * len(axes) if a.get("keepdims", 1) else [])]
    view, pooled, summed = (node.output[0] + suffix for suffix in ("#view", "#mean", "#sum"))
    st.add(node, "reshape", [x], [view], suffix=".view", shape=[shape[0], prod(outer[1:]), inner, 1])
    st.add(node, "global_avg_pool", [view], [pooled], suffix=".mean")
    st.add(node, "scale", [pooled], [summed], suffix=".sum", factor=inner)
    st.add(node, "reshape", [summed], list(node.output), shape=kept)


def _expand(st: State, node: Any, a: dict[str, Any]) -> None:
    """Expand of an N×C×H×W activation along an H or W of size 1 (MobileViTv2's
    ``context.expand_as(value)``): a nearest ``resize`` by the expanded sizes, a copy
    (|x| + |y|), as onnxruntime's Expand writes the whole result."""
    x = node.input[0]
    shape = st.shape(node, x)
    target = [int(v) for v in _known_shape(st, node, node.input[1])]
    out = [int(d) for d in np.broadcast_shapes(tuple(shape), tuple(target))] if len(target) <= len(shape) else []
    if list(out) == list(shape):
        st.alias(node.output[0], x)
        return
    if len(shape) != 4 or len(out) != 4 or x in st.nhwc or out[:2] != list(shape[:2]):
        raise st.error(node, f"only an Expand of the H or W of an N×C×H×W tensor is supported "
                             f"({list(shape)} to {target})")
    st.add(node, "resize", [x], list(node.output), mode="nearest",
           scale=_pair([out[2] // shape[2], out[3] // shape[3]]))


# -- element-wise of two operands ------------------------------------------------------------

def _binary(st: State, node: Any, a: dict[str, Any]) -> None:
    x, y = node.input[:2]
    if x in st.refs and y in st.refs:
        op = {"Mul": "mul", "Div": "div", "Add": "add", "Sub": "sub"}[node.op_type]
        st.add(node, op, [x, y], list(node.output))
        return
    act, const = (x, st.const(y)) if x in st.refs else (y, st.const(x))
    if const is None:
        raise st.error(node, "needs tensor or constant operands")
    if node.op_type == "Add" and _hard_sigmoid_decomposed(st, node):
        return
    factor = const.scalar()
    if node.op_type == "Div" and act == y:
        raise st.error(node, "a Div of a constant by a tensor (a reciprocal) has no mapping")
    if node.op_type == "Div" and factor == 0:
        raise st.error(node, "divides by a constant 0")
    neutral = 0 if node.op_type in ("Add", "Sub") else 1
    if not const.param and const.value is not None and np.all(const.value == neutral) \
            and (act == x or node.op_type in ("Add", "Mul")) \
            and st.shape(node, act) == np.broadcast_shapes(st.shapes[act], const.shape):
        st.alias(node.output[0], act)  # x + 0, x · 1 (timm's `out = 0; out += branch`): no work
        return
    if node.op_type in ("Mul", "Div") and factor is not None:
        factor = factor if node.op_type == "Mul" else 1 / factor
        if node.op_type == "Mul" and _gelu_decomposed(st, node, act, factor):
            return
        if node.op_type == "Div" and _gelu_decomposed(st, node, act, factor):
            return
        source, transposed, scale = st.deferred.get(act, (act, False, 1.0))
        if _defer_to_matmul(st, node.output[0], transposed):
            st.deferred[node.output[0]] = (source, transposed, scale * factor)
            return
    shape = st.shape(node, act)
    channels = shape[_channel_axis(len(shape))]
    if node.op_type == "Mul" and const.param and int(np.prod(const.shape)) == channels:
        gamma = node.input[1] if act == node.input[0] else node.input[0]
        st.add(node, "layer_scale", [act], list(node.output), weights={"gamma": (gamma, np.ravel)})
        return
    if node.op_type in ("Mul", "Div") and factor is not None:
        st.add(node, "scale", [act], list(node.output), factor=f"{factor:.9g}")
        return
    if node.op_type in ("Add", "Sub") and factor is not None \
            and st.shape(node, act) == np.broadcast_shapes(shape, const.shape):
        # x + c, x − c, c − x (an ε before a division): y = ±x + c
        negate = node.op_type == "Sub" and act == y
        offset = -factor if node.op_type == "Sub" and act == x else factor
        st.add(node, "scale", [act], list(node.output), factor=-1 if negate else None,
               offset=f"{offset:.9g}")
        return
    if node.op_type == "Add" and _attention_bias(st, node, act, const):
        return
    if node.op_type == "Add" and const.param and act not in st.nhwc and len(shape) == 3 \
            and tuple(const.shape) in ((1, *shape[1:]), tuple(shape[1:])):  # 1×L×C on tokens
        table = node.input[1] if act == node.input[0] else node.input[0]
        st.add(node, "position_embedding", [act], list(node.output),
               weights={"table": (table, lambda v: v.reshape(shape[1:]))})
        return
    raise st.error(node, f"{node.op_type} of a tensor and a constant of shape {list(const.shape)} "
                         "has no mapping")


def _attention_bias(st: State, node: Any, act: str, const: Const) -> bool:
    """Scores N×heads×L_q×L plus a learned heads×L_q×L gathered from a heads×(R·R) table
    (LeViT, EfficientFormer): attention_bias on an R×R grid (the table's size are its
    params), with L_q = ⌈R/s⌉² queries at stride s (LeViT's subsampling attention)."""
    shape = st.shape(node, act)
    if len(shape) != 4 or not const.param or int(np.prod(const.shape)) != int(np.prod(shape[1:])):
        return False
    queries, keys = shape[2], shape[3]
    side = isqrt(keys)
    stride = next((s for s in range(1, side + 1) if (-(-side // s)) ** 2 == queries), 0)
    if side * side != keys or not stride:
        return False
    st.add(node, "attention_bias", [act], list(node.output), resolution=side, stride=stride,
           weights={"table": ""})
    return True


def _sum(st: State, node: Any, a: dict[str, Any]) -> None:
    st.add(node, "add", list(node.input), list(node.output))


# -- pooling, resizing, padding --------------------------------------------------------------

def _pool(st: State, node: Any, a: dict[str, Any]) -> None:
    op = "max_pool" if node.op_type == "MaxPool" else "avg_pool"
    # TensorFlow's average excludes the padding: costmodel's 'same'
    exclude = op == "avg_pool" and not a.get("count_include_pad", 0)
    padding = _padding(st, node, a, list(a["kernel_shape"]), list(a.get("strides", [1, 1])),
                       exclude_pad=exclude)
    if padding == "same" and a.get("ceil_mode", 0):
        raise st.error(node, "ceil_mode with asymmetric padding (or a pad excluded from the average) "
                             "is not supported")
    if a.get("dilations") and set(a["dilations"]) != {1}:
        raise st.error(node, "dilated pooling is not supported")
    st.add(node, op, [node.input[0]], list(node.output[:1]), kernel=_pair(a["kernel_shape"]),
           stride=_pair(a.get("strides", [1, 1])), padding=padding,
           ceil_mode=bool(a.get("ceil_mode", 0)) or None)


def _resize(st: State, node: Any, a: dict[str, Any]) -> None:
    x = node.input[0]
    n, c, h, w = st.shape(node, x)
    mode = {"nearest": "nearest", "linear": "bilinear"}.get(
        a.get("mode", b"nearest").decode() if isinstance(a.get("mode"), bytes) else a.get("mode", "nearest"))
    if mode is None:
        raise st.error(node, "only nearest and (bi)linear resizing is supported")
    transform = a.get("coordinate_transformation_mode", b"half_pixel")
    transform = transform.decode() if isinstance(transform, bytes) else transform
    inputs = list(node.input) + [""] * 4
    scales_name = inputs[2] if node.op_type == "Resize" and st.opset >= 11 else inputs[1]
    sizes_name = inputs[3] if node.op_type == "Resize" and st.opset >= 11 else ""
    if sizes_name and st.const(sizes_name) is not None and st.value(node, sizes_name).size:
        size = [int(v) for v in st.value(node, sizes_name)[-2:]]
        fields: dict[str, Any] = {"size": _pair(size)}
    else:
        scales = [float(v) for v in st.value(node, scales_name)[-2:]]
        if any(s != int(s) for s in scales):
            fields = {"size": _pair([int(h * scales[0]), int(w * scales[1])])}
        else:
            fields = {"scale": _pair([int(s) for s in scales])}
    st.add(node, "resize", [x], list(node.output), mode=mode,
           align_corners=(mode == "bilinear" and transform == "align_corners") or None, **fields)


def _pad(st: State, node: Any, a: dict[str, Any]) -> None:
    pads = [int(v) for v in (a["pads"] if "pads" in a else st.value(node, node.input[1]))]
    rank = len(pads) // 2
    begin, end = pads[:rank], pads[rank:]
    if rank != 4 or any(begin[:2]) or any(end[:2]):
        raise st.error(node, "only padding of H and W of N×C×H×W is supported")
    mode = a.get("mode", b"constant")
    mode = {"constant": "constant", "reflect": "reflect", "edge": "replicate"}.get(
        mode.decode() if isinstance(mode, bytes) else mode)
    if mode is None:
        raise st.error(node, "only constant, reflect and edge padding are supported")
    if mode != "constant" and min(pads) < 0:
        raise st.error(node, f"negative pads {pads} are supported with constant padding only")
    value = a.get("value", 0.0)
    if len(node.input) > 2 and node.input[2]:
        value = st.scalar(node.input[2]) or 0.0
    if np.isinf(value):  # −inf before a max pool (timm's MaxPool2dSame, NASNet): float32's
        value = float(np.copysign(3.4028234e38, value))  # extreme (9 digits: no overflow), as a spec writes it
    x = _crop(st, node, node.input[0], begin, end)
    st.add(node, "pad", [x], list(node.output), mode=mode,
           padding=[max(begin[2], 0), max(end[2], 0), max(begin[3], 0), max(end[3], 0)],
           value=f"{value:.9g}" if value else None)


def _crop(st: State, node: Any, x: str, begin: list[int], end: list[int]) -> str:
    """A Pad's negative pads remove rows/columns (timm NASNet's ``ZeroPad2d((−1, 1, −1, 1))``:
    pads [0, 0, −1, −1, 0, 0, 1, 1]): x[:, :, −top:H + bottom, −left:W + right] of the
    negative sides, as views (a Slice per cropped axis); the pad that follows, of the
    positive sides only, is the one copy onnxruntime's Pad makes: |cropped x| + |y|."""
    shape = st.shape(node, x)
    parts = [(axis, -min(begin[axis], 0), shape[axis] + min(end[axis], 0)) for axis in (2, 3)
             if min(begin[axis], end[axis]) < 0]
    for axis, start, stop in parts:
        if start >= stop:
            raise st.error(node, f"pads {begin + end} remove all {shape[axis]} of axis {axis}")
        out = f"{node.output[0]}#crop{axis}"
        _axis_view(st, node, x, axis, [(start, stop)], [out], suffix=f".crop{axis}")
        x = out
    return x


# -- layout -----------------------------------------------------------------------------------

def _scatter_nd(st: State, node: Any, a: dict[str, Any]) -> None:
    """ScatterND of updates into a block of channels [c, c + k) of an N×C×H×W activation, the
    constant indices naming that block's elements in order (the TorchScript export of
    MobileNeXt's in-place ``out[:, :C // d] = out[:, :C // d] + x``): the data's channels
    before the block, the updates, the data's channels after it, as a ``concat`` of views
    (a copy: |y| read and written); the whole tensor replaced (d = 1) is a ``concat`` of the
    updates alone, a copy. Any other ScatterND is refused."""
    data, indices, updates = node.input[:3]
    reduction = a.get("reduction", "none")
    shape, block = st.shape(node, data), st.shape(node, updates)
    index = st.value(node, indices)
    if (reduction.decode() if isinstance(reduction, bytes) else reduction) != "none" \
            or data not in st.refs or updates not in st.refs or len(shape) != 4 or len(block) != 4 \
            or [*block[:1], *block[2:]] != [*shape[:1], *shape[2:]] or index.shape != (*block, 4):
        raise st.error(node, "only a ScatterND of an N×k×H×W tensor into channels of an N×C×H×W "
                             "activation is supported")
    start = int(index.reshape(-1, 4)[0, 1])
    in_order = all(np.array_equal(index[..., d], np.broadcast_to(  # index[n, c, h, w] = (n, start + c, h, w)
        np.arange(block[d]).reshape([-1 if e == d else 1 for e in range(4)]) + (start if d == 1 else 0),
        tuple(block))) for d in range(4))
    if not in_order or start + block[1] > shape[1]:
        raise st.error(node, "only a ScatterND into a block of channels, its elements in order, "
                             "is supported")
    parts, stop = [], start + block[1]
    for begin, end, name in ((0, start, "before"), (stop, shape[1], "after")):
        if begin < end:
            part = f"{node.output[0]}#{name}"
            _axis_view(st, node, data, 1, [(begin, end)], [part], suffix=f".{name}")
            parts.append(part)
    parts.insert(1 if start else 0, updates)
    st.add(node, "concat", parts, list(node.output))


def _concat(st: State, node: Any, a: dict[str, Any]) -> None:
    if any(t not in st.refs and st.const(t) is not None for t in node.input):
        _class_token(st, node, a)
        return
    rank = len(st.shape(node, node.input[0]))
    if st.axis(node, a.get("axis", 1), rank) != _channel_axis(rank):
        raise st.error(node, "only a concat of the channels is supported")
    st.add(node, "concat", list(node.input), list(node.output))


def _class_token(st: State, node: Any, a: dict[str, Any]) -> None:
    """Concat(learned tokens expanded over the batch…, x) along the tokens of N×L×C: ViT's
    class token (DeiT's class and distillation tokens)."""
    tokens, rest = [], list(node.input)
    while rest and rest[0] not in st.refs and st.const(rest[0]) is not None:
        tokens.append(rest.pop(0))
    if len(rest) != 1 or rest[0] not in st.refs:
        raise st.error(node, "a Concat of constants has no mapping (only learned tokens "
                             "before one N×L×C tensor: a class token)")
    x = rest[0]
    shape = st.shape(node, x)
    consts = [st.consts[t] for t in tokens]
    if len(shape) != 3 or x in st.nhwc or a.get("axis", 1) % 3 != 1 or not all(
            c.param and len(c.shape) == 3 and c.shape[0] in (1, shape[0]) and c.shape[2] == shape[2]
            for c in consts):
        raise st.error(node, "a Concat of a constant has no mapping (only learned N×k×C tokens "
                             "before N×L×C tokens: a class token)")
    count = sum(c.shape[1] for c in consts)
    st.add(node, "class_token", [x], list(node.output), tokens=count,
           weights={"tokens": (tokens[0], lambda v: v[0]) if len(tokens) == 1 else ""})


def _axis_view(st: State, node: Any, x: str, axis: int, parts: list[tuple[int, int]],
               outputs: list[str], squeeze: bool = False, step: int = 1, suffix: str = "") -> None:
    """Slices [start, stop) of ``axis`` of ``x`` (every ``step``-th element: one part only)
    as views: on the channel axis a slice or a split; elsewhere reshape to P×A×Q×1 (axis A
    as channels), slice, reshape back."""
    shape = st.shape(node, x)
    axis %= len(shape)
    whole = shape[axis]
    if axis == _channel_axis(len(shape)) and not squeeze:
        if len(parts) == 1:
            start, stop = parts[0]
            st.add(node, "slice", [x], outputs, suffix=suffix, start=start,
                   stop=None if stop == whole else stop, step=step)
        elif all(b - s == parts[0][1] - parts[0][0] for s, b in parts):
            st.add(node, "split", [x], outputs, parts=len(parts))
        else:
            st.add(node, "split", [x], outputs, sections=[b - s for s, b in parts])
        return
    outer, inner = prod(shape[:axis]), prod(shape[axis + 1:])
    grid = outputs[0] + "#grid"
    st.add(node, "reshape", [x], [grid], suffix=suffix + ".grid", shape=[outer, whole, inner, 1])
    for k, ((start, stop), out) in enumerate(zip(parts, outputs, strict=True)):
        part = f"{out}#part"
        name = suffix if len(parts) == 1 else f"{suffix}.{k}"
        st.add(node, "slice", [grid], [part], suffix=name + ".take", start=start,
               stop=None if stop == whole else stop, step=step)
        kept = [] if squeeze else [len(range(start, stop, step))]
        st.add(node, "reshape", [part], [out], suffix=name,
               shape=[*shape[:axis], *kept, *shape[axis + 1:]])


def _split(st: State, node: Any, a: dict[str, Any]) -> None:
    x = node.input[0]
    shape = st.shape(node, x)
    axis = st.axis(node, a.get("axis", 0), len(shape))
    outputs = list(node.output)
    if len(node.input) > 1 and node.input[1] and st.value(node, node.input[1]).ndim == 0:
        chunk = int(st.value(node, node.input[1]))  # SplitToSequence's scalar: chunks of that size
        sizes = [chunk] * (shape[axis] // chunk) + ([shape[axis] % chunk] if shape[axis] % chunk else [])
    elif len(node.input) > 1 and node.input[1]:
        sizes = [int(s) for s in st.value(node, node.input[1])]
    elif "split" in a:
        sizes = [int(s) for s in a["split"]]
    else:
        count = len(outputs) if node.op_type == "Split" else shape[axis]
        sizes = [-(-shape[axis] // count)] * count
        sizes[-1] = shape[axis] - sum(sizes[:-1])
    bounds = np.cumsum([0, *sizes]).tolist()
    parts = list(zip(bounds[:-1], bounds[1:], strict=True))
    if node.op_type == "SplitToSequence":
        st.sequences[node.output[0]] = names = [f"{node.output[0]}#{k}" for k in range(len(parts))]
        squeeze = not a.get("keepdims", 1) and not (len(node.input) > 1 and node.input[1])
        _axis_view(st, node, x, axis, parts, names, squeeze)
        return
    _axis_view(st, node, x, axis, parts, outputs)


def _sequence_at(st: State, node: Any, a: dict[str, Any]) -> None:
    names = st.sequences.get(node.input[0])
    if names is None:
        raise st.error(node, "only SequenceAt of a SplitToSequence is supported")
    st.alias(node.output[0], names[int(st.value(node, node.input[1]))])


def _slice(st: State, node: Any, a: dict[str, Any]) -> None:
    x = node.input[0]
    shape = st.shape(node, x)
    if "starts" in a:  # opset < 10
        starts, ends, axes, steps = a["starts"], a["ends"], a.get("axes"), None
    else:
        inputs = list(node.input) + ["", "", "", ""]
        starts, ends = st.value(node, inputs[1]), st.value(node, inputs[2])
        axes = st.value(node, inputs[3]) if inputs[3] else None
        steps = st.value(node, inputs[4]) if inputs[4] else None
    axes = list(range(len(starts))) if axes is None else [st.axis(node, v, len(shape)) for v in axes]
    steps = [1] * len(axes) if steps is None else [int(s) for s in steps]
    if len(steps) != len(axes) or any(s < 1 for s in steps):
        raise st.error(node, "only a Slice with positive steps, one per axis, is supported")
    cut = []
    for axis, start, stop, step in zip(axes, starts, ends, steps, strict=True):
        begin, end, _ = slice(int(start), min(int(stop), _INT64_MAX)).indices(shape[axis])
        if begin >= end:
            raise st.error(node, f"slices nothing of axis {axis} ({begin}:{end})")
        if (begin, end, step) != (0, shape[axis], 1):
            cut.append((axis, begin, end, step))
    if not cut:
        st.alias(node.output[0], x)
        return
    source = x
    for k, (axis, begin, end, step) in enumerate(cut):  # one view per axis, in turn
        last = k == len(cut) - 1
        out = node.output[0] if last else f"{node.output[0]}#axis{axis}"
        _axis_view(st, node, source, axis, [(begin, end)], [out], step=step,
                   suffix="" if len(cut) == 1 else f".axis{axis}")
        source = out


def _gather(st: State, node: Any, a: dict[str, Any]) -> None:
    index = st.value(node, node.input[1])
    shape = st.shape(node, node.input[0])
    axis = st.axis(node, a.get("axis", 0), len(shape))
    if index.size == shape[axis] > 1 and np.array_equal(index.reshape(-1), np.arange(shape[axis])):
        # every element in order (the dynamo exporter's as_strided of a view): a reshape
        _reshape_to(st, node, node.input[0], [*shape[:axis], *index.shape, *shape[axis + 1:]])
        return
    if index.size != 1:
        raise st.error(node, "only a Gather of one index, or of all in order, is supported")
    i = int(index.reshape(())) % shape[axis]
    _axis_view(st, node, node.input[0], axis, [(i, i + 1)], list(node.output), squeeze=index.ndim == 0)


def _reshape_to(st: State, node: Any, x: str, target: list[int]) -> None:
    shape = st.shape(node, x)
    if x in st.nhwc:
        raise st.error(node, "a Reshape of an N×H×W×C tensor is not supported")
    if len(shape) == 4 and len(target) == 2 and target[0] == shape[0] and target[1] == prod(shape[1:]):
        st.add(node, "flatten", [x], list(node.output))
    elif list(target) == list(shape):
        st.alias(node.output[0], x)
    else:
        st.add(node, "reshape", [x], list(node.output), shape=target)


def _resolved(shape: tuple[int, ...], target: list[int], allowzero: int) -> list[int]:
    target = [shape[i] if d == 0 and not allowzero else d for i, d in enumerate(target)]
    if -1 in target:
        known = prod(d for d in target if d != -1)
        target[target.index(-1)] = prod(shape) // known if known else 0
    return target


def _known_shape(st: State, node: Any, tensor: str) -> list[int]:
    """A reshape target: a constant, or the Shape of an activation not folded yet (it may
    come later in the graph than the node reading it through a pattern)."""
    producer = st.producers.get(tensor)
    if st.const(tensor) is None and producer is not None and producer.op_type == "Shape" \
            and producer.input[0] in st.shapes:
        a = attrs(producer)
        return list(st.nhwc_shapes.get(producer.input[0], st.shapes[producer.input[0]]))[a.get("start", 0):a.get("end")]
    return [int(v) for v in st.value(node, tensor)]


def _instance_norm(st: State, node: Any, a: dict[str, Any]) -> None:
    """Reshape N×C×H×W to [N, G, ·] → InstanceNormalization (scale 1, bias 0) → Reshape
    back → Mul γ → Add β: GroupNorm(G, C), as the exporters write it before opset 18 (the
    grouping reshape, a view already emitted, is taken back)."""
    grouping = st.producers.get(node.input[0])
    x = grouping.input[0] if grouping is not None and grouping.op_type == "Reshape" else ""
    shape = st.shapes.get(x, ())
    literals = [c.value if c is not None else None for c in (st.const(t) for t in node.input[1:3])]
    back = st.only_reader(node.output[0], "Reshape")
    scale = back and st.only_reader(back.output[0], "Mul")
    shift = scale and st.only_reader(scale.output[0], "Add")
    grouped = st.shapes.get(node.input[0], ())
    if len(shape) != 4 or x in st.nhwc or len(grouped) != 3 or shape[1] % grouped[1] \
            or len(literals) != 2 or literals[0] is None or literals[1] is None \
            or not (np.all(literals[0] == 1) and np.all(literals[1] == 0)) \
            or back is None or scale is None or shift is None \
            or not st.layers or st.layers[-1]["name"] != st.refs.get(node.input[0]):
        raise st.error(node, "only InstanceNormalization as GroupNorm writes it (Reshape to N×G×·, "
                             "scale 1, bias 0, Reshape back, Mul γ, Add β) is supported")
    gamma = next((t for t in scale.input if t != back.output[0]), "")
    beta = next((t for t in shift.input if t != scale.output[0]), "")
    affine = [st.const(gamma), st.const(beta)]
    if _resolved(shape, _known_shape(st, back, back.input[1]), 0) != list(shape) or any(
            c is None or not c.param or int(np.prod(c.shape)) != shape[1] for c in affine):
        raise st.error(node, "only InstanceNormalization as GroupNorm writes it (Reshape back to "
                             "N×C×H×W, then a γ and β per channel) is supported")
    st.names.discard(st.layers.pop()["name"])  # the grouping reshape: part of the norm
    st.done.update(id(n) for n in (back, scale, shift))
    st.add(shift, "groupnorm", [x], list(shift.output), groups=int(grouped[1]),
           weights=_affine([gamma, beta]))


def _group_normalization(st: State, node: Any, a: dict[str, Any]) -> None:
    shape = st.shape(node, node.input[0])
    scale = st.const(node.input[1])
    if len(shape) != 4 or scale is None or int(np.prod(scale.shape)) != shape[1]:
        raise st.error(node, "only GroupNormalization of N×C×H×W with a γ per channel (opset 21) is supported")
    st.add(node, "groupnorm", [node.input[0]], list(node.output), groups=int(a["num_groups"]),
           weights=_affine(node.input[1:3]))


def _reshape(st: State, node: Any, a: dict[str, Any]) -> None:
    x = node.input[0]
    shape = st.shape(node, x)
    target = _resolved(shape, [int(v) for v in st.value(node, node.input[1])], a.get("allowzero", 0))
    transpose = st.only_reader(node.output[0], "Transpose")
    grouped = len(shape) >= 3 and len(target) == len(shape) + 1 and target[0] == shape[0] \
        and target[1] * target[2] == shape[1] and list(target[3:]) == list(shape[2:])
    if grouped and transpose is not None:
        perm = list(attrs(transpose).get("perm", []))
        after = st.only_reader(transpose.output[0], "Reshape")
        if perm[:3] == [0, 2, 1] and perm[3:] == list(range(3, len(perm))) and after is not None:
            st.done.update((id(transpose), id(after)))
            st.add(after, "shuffle", [x], list(after.output), groups=int(target[1]))
            return
    _reshape_to(st, node, x, target)


def _flatten(st: State, node: Any, a: dict[str, Any]) -> None:
    shape = st.shape(node, node.input[0])
    axis = st.axis(node, a.get("axis", 1), len(shape) + 1) if shape else 1  # ONNX: −r … r
    _reshape_to(st, node, node.input[0], [prod(shape[:axis]), prod(shape[axis:])])


def _squeeze(st: State, node: Any, a: dict[str, Any]) -> None:
    shape = st.shape(node, node.input[0])
    axes = a.get("axes") or ([int(v) for v in st.value(node, node.input[1])] if len(node.input) > 1 else None)
    if node.op_type == "Squeeze":
        drop = {st.axis(node, v, len(shape)) for v in axes} if axes else {i for i, d in enumerate(shape) if d == 1}
        target = [d for i, d in enumerate(shape) if i not in drop]
    else:
        target = list(shape)
        for axis in sorted(v % (len(shape) + len(axes or [])) for v in axes or []):
            target.insert(axis, 1)
    _reshape_to(st, node, node.input[0], target)


def _transpose(st: State, node: Any, a: dict[str, Any]) -> None:
    x = node.input[0]
    shape = st.shape(node, x)
    rank = len(shape) + (1 if x in st.nhwc else 0)
    perm = list(a.get("perm", range(rank)[::-1]))
    if x in st.deferred:
        raise st.error(node, "a Transpose of a scaled tensor is not supported")
    if rank >= 3 and perm == [*range(rank - 2), rank - 1, rank - 2] and _defer_to_matmul(st, node.output[0], True) \
            and x not in st.nhwc:
        st.deferred[node.output[0]] = (x, True, 1.0)
        return
    if x in st.nhwc:
        if perm != [0, 3, 1, 2]:
            raise st.error(node, f"Transpose {perm} of an N×H×W×C tensor is not supported")
        n, h, w, _ = st.nhwc_shapes[x]
        st.add(node, "image", [x], list(node.output), height=h, width=w)
        return
    product = st.only_reader(node.output[0], "MatMul")
    if rank == 4 and perm == [0, 2, 3, 1] and (product is None or st.const(product.input[1]) is not None):
        # (an attention operand permuted straight into a product of tensors is no image)
        norm = st.only_reader(node.output[0], "LayerNormalization")
        back = norm and st.only_reader(norm.output[0], "Transpose")
        if norm is not None and back is not None and list(attrs(back).get("perm", [])) == [0, 3, 1, 2] \
                and attrs(norm).get("axis", -1) in (-1, 3):
            st.done.update((id(norm), id(back)))  # ConvNeXt's LayerNorm2d
            st.add(norm, "layernorm", [x], list(back.output), weights=_affine(norm.input[1:3]))
            return
        n, c, h, w = shape
        st.add(node, "tokens", [x], list(node.output))
        st.nhwc.add(node.output[0])
        st.nhwc_shapes[node.output[0]] = (n, h, w, c)
        return
    st.add(node, "permute", [x], list(node.output), dims=perm)


def _identity(st: State, node: Any, a: dict[str, Any]) -> None:
    st.alias(node.output[0], node.input[0])


def _dropout(st: State, node: Any, a: dict[str, Any]) -> None:
    st.add(node, "dropout", [node.input[0]], list(node.output[:1]))


CONVERTERS: dict[str, Converter] = {
    "Conv": _conv, "Gemm": _gemm, "MatMul": _matmul, "BatchNormalization": _batchnorm,
    "LayerNormalization": _layernorm, "GroupNormalization": _group_normalization,
    "InstanceNormalization": _instance_norm, "Relu": _activation("relu"), "Sigmoid": _sigmoid,
    "HardSwish": _activation("hardswish"), "HardSigmoid": _hardsigmoid, "Clip": _clip,
    "Gelu": _activation("gelu"), "LeakyRelu": _leaky_relu, "Softmax": _softmax,
    "Identity": _identity, "Cast": _identity, "Dropout": _dropout,
    "MaxPool": _pool, "AveragePool": _pool, "GlobalAveragePool": _activation("global_avg_pool"),
    "ReduceMean": _reduce_mean, "ReduceSum": _reduce_sum, "Expand": _expand, "Resize": _resize, "Upsample": _resize, "Pad": _pad,
    "ScatterND": _scatter_nd,
    "Add": _binary, "Sub": _binary, "Mul": _binary, "Div": _binary, "Sum": _sum,
    "Concat": _concat, "Split": _split, "SplitToSequence": _split, "SequenceAt": _sequence_at,
    "Slice": _slice, "Gather": _gather, "Reshape": _reshape, "Flatten": _flatten,
    "Squeeze": _squeeze, "Unsqueeze": _squeeze, "Transpose": _transpose,
}
SUPPORTED = tuple(sorted(CONVERTERS))
"""ONNX op types with a mapping (besides Constant and the constant-folded shape ops)."""


def parse_input_shape(text: str) -> tuple[int, ...]:
    """``"1,3,224,224"`` → (1, 3, 224, 224): ASCII digits only (``int`` would read ``٣``).
    Raises :class:`SpecError`."""
    parts = [part.strip() for part in text.split(",")]
    if not all(_DIGITS.fullmatch(part) for part in parts):
        raise SpecError(f"--input-shape '{text}': use N,C,H,W integers")
    dims = tuple(int(part) for part in parts)
    if len(dims) != 4 or not all(0 < d < MAX_DIM for d in dims):
        raise SpecError(f"--input-shape '{text}': use four positive integers N,C,H,W")
    return dims


def image_input(path: str, model: Any, bound: tuple[int, ...] | None = None) -> tuple[str, tuple[int, ...]]:
    """The name and N×C×H×W shape of the one image input of ``model`` (read from ``path``),
    its dynamic dimensions bound by ``bound``. Unbound, a dynamic batch dimension (an
    exporter's ``dynamic_axes``) is 1, with a :class:`SpecWarning`: counts are per image, as
    every FLOP counter gives them. Raises :class:`SpecError`: several inputs, a tensor of
    text, booleans or complex numbers, another dynamic or a too large dimension."""
    initializers = {tensor.name for tensor in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in initializers]
    if len(inputs) != 1:
        raise SpecError(f"the graph has {len(inputs)} inputs; one image input is supported", path=path)
    value = inputs[0]
    kind = value.type.tensor_type.elem_type
    if kind in _NOT_IMAGES:
        raise SpecError(f"input '{value.name}' is a tensor of {_NOT_IMAGES[kind]}; an image of "
                        "numbers is supported", path=path)
    dims = value.type.tensor_type.shape.dim
    if bound is not None:
        if len(dims) not in (0, len(bound)):
            raise SpecError(f"--input-shape has {len(bound)} dims; input '{value.name}' has {len(dims)}",
                            path=path)
        return value.name, bound
    shape = []
    for axis, dim in enumerate(dims):
        if axis == 0 and len(dims) == 4 and not dim.HasField("dim_value"):
            label = dim.dim_param or "?"
            warnings.warn(SpecWarning(str(SpecError(
                f"input '{value.name}' has a dynamic batch dimension ('{label}'): counted at batch 1 "
                "(bind it with --input-shape N,C,H,W)", path))), stacklevel=2)
            shape.append(1)
            continue
        if not dim.HasField("dim_value") or dim.dim_value <= 0:
            label = dim.dim_param or "?"
            raise SpecError(f"input '{value.name}' has a dynamic dimension {axis} ('{label}'); "
                            "bind it with --input-shape N,C,H,W", path=path)
        if dim.dim_value >= MAX_DIM:
            raise SpecError(f"input '{value.name}' dimension {axis} is {dim.dim_value}, too large", path=path)
        shape.append(dim.dim_value)
    if len(shape) != 4:
        raise SpecError(f"input '{value.name}' has shape {shape}; an N×C×H×W image is supported", path=path)
    return value.name, tuple(shape)


def _constant(node: Any) -> Const | None:
    """The value of a Constant node (a stripped tensor: its shape, a parameter)."""
    a = attrs(node)
    for key, value in a.items():
        if key == "value":
            tensor = node.attribute[0].t
            return Const(tuple(tensor.dims), value, value is None)
        if key in ("value_float", "value_int", "value_floats", "value_ints"):
            array = np.asarray(value, np.float32 if "float" in key else np.int64)
            return Const(array.shape, array)
    return None


def _fold(st: State, node: Any) -> bool:
    """Fold ``node`` if every input is constant (or it asks only for a tensor's shape)."""
    if node.op_type == "Constant":
        value = _constant(node)
        if value is None:
            raise st.error(node, "only Constant with a value/value_float(s)/value_int(s) is supported")
        st.consts[node.output[0]] = value
        return True
    inputs = list(node.input)
    if "" in inputs[: len(inputs) - 1] and any(inputs[inputs.index(""):]):
        return False  # an optional input left out before a given one: positions would shift
    known: list[Const] = []
    for position, tensor in enumerate(inputs):
        if not tensor:
            continue
        if tensor in st.consts:
            known.append(st.consts[tensor])
        elif tensor in st.shapes and node.op_type in ("Shape", "Size"):
            known.append(Const(st.nhwc_shapes.get(tensor, st.shapes[tensor])))
        elif node.op_type == "CastLike" and position == 1:
            known.append(Const(()))  # only its type is read: an activation, float32
        else:
            return False
    if not known:
        return False
    try:
        results = fold(node.op_type, attrs(node), known)
    except SpecError as error:
        raise st.error(node, error.message) from None
    if results is None:
        return False
    for tensor, value in zip(node.output, results, strict=False):
        st.consts[tensor] = value
    return True


@dataclass(frozen=True)
class Imported:
    """An imported model: its ``spec`` (plain data for
    :func:`costmodel.spec.load.parse_spec`) and, per layer, the model's own ``weights`` in
    the reference forward's layout (an array is None where the data is stripped)."""

    spec: dict[str, Any]
    weights: dict[str, dict[str, np.ndarray | None]]
    node_layers: tuple[str | None, ...] = ()
    """Per ONNX node, in graph order, the layer its work is counted in (None: none)."""

    def complete_weights(self) -> dict[str, dict[str, np.ndarray]] | None:
        """The weights when every one has data, else None."""
        if any(value is None for fields in self.weights.values() for value in fields.values()):
            return None
        return {layer: {k: v for k, v in fields.items() if v is not None}
                for layer, fields in self.weights.items()}


@cache
def _schema(op_type: str, opset: int) -> Any:
    """ONNX's schema of ``op_type`` at ``opset`` (None if ONNX has none); once per op."""
    from onnx import defs

    try:
        return defs.get_schema(op_type, opset, "")
    except defs.SchemaError:
        return None


def _check_signature(st: State, node: Any) -> None:
    """``node`` against ONNX's own schema of its op at the model's opset: how many inputs and
    outputs it has, and each attribute's name and type — what every converter relies on
    (an Add of one input was a ValueError deep in its converter). Raises :class:`SpecError`
    naming the node."""
    from onnx import AttributeProto

    schema = _schema(node.op_type, st.opset)
    if schema is None:  # not an ONNX op at this opset: its converter decides
        return
    for kind, given, least, most in (("input", len(node.input), schema.min_input, schema.max_input),
                                     ("output", len(node.output), schema.min_output, schema.max_output)):
        if not least <= given <= most:
            expected = f"{least}" if least == most else f"{least} to {most}"
            raise st.error(node, f"has {given} {kind}(s); ONNX's {node.op_type} (opset {st.opset}) takes {expected}")
    for attribute in node.attribute:
        declared = schema.attributes.get(attribute.name)
        if declared is None:
            known = ", ".join(schema.attributes) or "none"
            raise st.error(node, f"attribute '{attribute.name}' is not one of ONNX's {node.op_type}'s ({known})")
        given, wanted = AttributeProto.AttributeType.Name(attribute.type), str(declared.type).rsplit(".", 1)[-1]
        if given != wanted:
            raise st.error(node, f"attribute '{attribute.name}' is of type {given}; ONNX's "
                                 f"{node.op_type} takes {wanted}")


def import_onnx(path: str, input_shape: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The spec (plain data for :func:`costmodel.spec.load.parse_spec`) of the ONNX model at
    ``path``. Raises :class:`SpecError` naming the node of an op without a mapping."""
    return import_model(path, input_shape).spec


def import_model(path: str, input_shape: tuple[int, ...] | None = None) -> Imported:
    """The spec and weights of the ONNX model at ``path`` (see :class:`Imported`)."""
    from onnx import numpy_helper

    from costmodel.importer.state import _has_data

    model = read_model(path)
    g = model.graph
    consts: dict[str, Const] = {}
    for t in g.initializer:
        if t.name in consts:  # ONNX names are unique: which of the two would a node read?
            raise SpecError(f"initializer '{t.name}' is defined twice (dims {list(consts[t.name].shape)} and "
                            f"{list(t.dims)})", path=path)
        try:
            value = numpy_helper.to_array(t) if _has_data(t) and t.data_location == 0 else None
        except (ValueError, TypeError) as error:  # raw data whose size does not fit its dims
            raise SpecError(f"initializer '{t.name}' (dims {list(t.dims)}): its data cannot be read "
                            f"({' '.join(str(error).split())[:200]})", path=path) from None
        consts[t.name] = Const(tuple(t.dims), value, True)
    readers: dict[str, list[Any]] = {}
    producers: dict[str, Any] = {}
    for node in g.node:
        for tensor in node.input:
            readers.setdefault(tensor, []).append(node)
        for tensor in node.output:
            producers[tensor] = node
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
    st = State(path, consts, readers, producers=producers, opset=opset)
    name, shape = image_input(path, model, input_shape)
    st.refs[name], st.shapes[name] = "input", shape
    for node in g.node:  # constants first: patterns look ahead at literals defined later
        if node.domain in ("", "ai.onnx") and (node.op_type == "Constant" or
                                               all(not t or t in consts for t in node.input) or
                                               (node.op_type == "CastLike" and node.input[0] in consts)):
            if _fold(st, node):
                st.done.add(id(node))
    for node in g.node:
        if id(node) in st.done:
            continue
        if node.domain in ("", "ai.onnx") and _fold(st, node):
            continue
        convert = CONVERTERS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        if convert is None:
            raise st.error(node, f"ONNX op '{node.op_type}' has no mapping (supported: "
                                 f"{', '.join(SUPPORTED)}, Constant and constant shape arithmetic)")
        _check_signature(st, node)
        try:
            convert(st, node, attrs(node))
        except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError, OverflowError) as error:
            # a value no converter check anticipated (an axis or permutation out of range …)
            raise st.error(node, f"cannot convert this {node.op_type} node ({type(error).__name__}: "
                                 f"{' '.join(str(error).split())[:200]})") from None
    if not st.layers:
        raise SpecError("the graph computes nothing costmodel counts", path=path)
    for value in g.output:
        if value.name not in st.refs and value.name not in consts and value.name not in producers:
            raise SpecError(f"graph output '{value.name}' is produced by no node and is not an input",
                            path=path)
    outputs = [st.refs.get(value.name) for value in g.output]
    moved: dict[str, str] = {}
    layers, output = group_conv_bn_act(st.layers, st.weights, outputs[0] if outputs else None, moved)
    n, c, h, w = shape
    spec: dict[str, Any] = {"model": _model_name(g.name, path), "batch": n, "input": [c, h, w],
                            "layers": layers}
    if output is not None and output != layers[-1]["name"]:  # a spec's output is its last layer
        raise SpecError(f"the graph's output is computed by '{output}', but this layer comes after it and "
                        "nothing reads its result (a dead node): not supported", path=path, layer=layers[-1]["name"])
    owners = node_layers(list(g.node), st.refs, readers, moved)
    identities = Counter(owner for node, owner in zip(g.node, owners, strict=True)
                         if node.op_type == "Identity" and owner is not None)
    if identities:
        spec["identity_nodes"] = dict(identities)
    return Imported(spec, st.weights, tuple(owners))


def _model_name(name: str, path: str) -> str:
    """The graph's name, or the file's when the exporter left its default."""
    if name in ("", "main_graph", "torch_jit", "torch-jit-export"):
        name = Path(path).name.split(".")[0]
    clean = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-.") else "_" for ch in name)
    return clean or "onnx_model"


def load_onnx(path: str, input_shape: str | None = None) -> Any:
    """The validated :class:`~costmodel.spec.schema.ModelSpec` of the ONNX model at ``path``
    (``input_shape`` as given to ``--input-shape``)."""
    from costmodel.spec.load import parse_spec

    return parse_spec(import_onnx(path, None if input_shape is None else parse_input_shape(input_shape)), path)
