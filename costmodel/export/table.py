"""Every op of the vocabulary as ONNX (opset 17), on one screen.

Each exporter writes the op with the semantics of the numpy reference's runner for it
(costmodel/reference/forward.py), whose geometry helpers it shares so the two cannot
drift: explicit padding from ``same``/``valid``, pool strides defaulting to the kernel,
TensorFlow's ``same`` average pool excluding the padding. tests/export/test_table.py
ties this table to the op registry: an op without an exporter fails there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from costmodel.export.builder import LayerContext, register_exporter
from costmodel.ops.base import channel_axis
from costmodel.ops.layout import _sides
from costmodel.ops.pool import _pooled_size
from costmodel.reference.forward import _int, _pads, _pair, _sections
from costmodel.reference.kernels import BN_EPS
from costmodel.reference.normalize import LN_EPS

__all__: list[str] = []


def _onnx_pads(pads: tuple[int, int, int, int]) -> list[int]:
    """(top, bottom, left, right) → ONNX's [top, left, bottom, right]."""
    top, bottom, left, right = pads
    return [top, left, bottom, right]


@register_exporter("conv2d")
def _conv2d(ctx: LayerContext) -> None:
    weight = ctx.weights["weight"]
    kernel, stride, dilation = _pair(ctx.layer.kernel), _pair(ctx.layer.stride), _pair(ctx.layer.dilation)
    groups = ctx.shapes[0][1] // weight.shape[1]
    inputs = [ctx.inputs[0], ctx.weight("weight")] + ([ctx.weight("bias")] if ctx.layer.bias else [])
    ctx.node("Conv", inputs, kernel_shape=list(kernel), strides=list(stride),
             dilations=list(dilation), group=groups,
             pads=_onnx_pads(_pads(ctx.layer.padding, ctx.shapes[0][2:], kernel, stride, dilation)))


@register_exporter("linear")
def _linear(ctx: LayerContext) -> None:
    if len(ctx.shapes[0]) == 3:  # tokens: Gemm is 2-D only; MatMul with Wᵀ (+ bias)
        product = ctx.const("weight_t", ctx.weights["weight"].T)
        if not ctx.layer.bias:
            ctx.node("MatMul", [ctx.inputs[0], product])
            return
        ctx.node("Add", [ctx.node("MatMul", [ctx.inputs[0], product], step="matmul"), ctx.weight("bias")])
        return
    inputs = [ctx.inputs[0], ctx.weight("weight")] + ([ctx.weight("bias")] if ctx.layer.bias else [])
    ctx.node("Gemm", inputs, transB=1)


@register_exporter("batchnorm")
def _batchnorm(ctx: LayerContext) -> None:
    ctx.node("BatchNormalization", [ctx.inputs[0], *map(ctx.weight, ("gamma", "beta", "mean", "var"))],
             epsilon=BN_EPS)


_SIMPLE_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "hardswish": "HardSwish",
                       "identity": "Identity"}


@register_exporter(*_SIMPLE_ACTIVATIONS)
def _activation(ctx: LayerContext) -> None:
    ctx.node(_SIMPLE_ACTIVATIONS[ctx.layer.op], ctx.inputs)


@register_exporter("relu6")
def _relu6(ctx: LayerContext) -> None:
    # opset ≥ 11 takes Clip's bounds as inputs, not attributes
    ctx.node("Clip", [ctx.inputs[0], ctx.const("min", 0.0, np.float32), ctx.const("max", 6.0, np.float32)])


@register_exporter("hardsigmoid")
def _hardsigmoid(ctx: LayerContext) -> None:
    # relu6(x + 3) / 6 = max(0, min(1, x/6 + 1/2)); ONNX's default alpha is 0.2 (Keras's), not 1/6
    ctx.node("HardSigmoid", ctx.inputs, alpha=1 / 6, beta=0.5)


@register_exporter("silu", "swish")
def _silu(ctx: LayerContext) -> None:
    # opset 17 has no Swish: x · sigmoid(x)
    ctx.node("Mul", [ctx.inputs[0], ctx.node("Sigmoid", ctx.inputs, step="sigmoid")])


@register_exporter("leaky_relu")
def _leaky_relu(ctx: LayerContext) -> None:
    ctx.node("LeakyRelu", ctx.inputs, alpha=0.01 if ctx.layer.slope is None else float(ctx.layer.slope))


@register_exporter("gelu")
def _gelu(ctx: LayerContext) -> None:
    # opset 17 has no Gelu (opset 20): x · (1 + erf(x/√2)) / 2, the exact form, as PyTorch
    # writes it (Div by √2, then Erf, Add, Mul by x, Mul by ½): onnxruntime fuses this one
    # into a Gelu kernel (not x · 1/√2)
    x = ctx.inputs[0]
    scaled = ctx.node("Div", [x, ctx.const("sqrt2", np.sqrt(2), np.float32)], step="scale")
    erf = ctx.node("Erf", [scaled], step="erf")
    one_plus = ctx.node("Add", [erf, ctx.const("one", 1.0, np.float32)], step="one_plus")
    times_x = ctx.node("Mul", [x, one_plus], step="times_x")
    ctx.node("Mul", [times_x, ctx.const("one_half", 0.5, np.float32)])


@register_exporter("layernorm")
def _layernorm(ctx: LayerContext) -> None:
    # ONNX normalizes over every axis from `axis` on: on N×C×H×W the channels go last first
    affine = [ctx.weight("gamma"), ctx.weight("beta")]
    if len(ctx.shapes[0]) != 4:
        ctx.node("LayerNormalization", [ctx.inputs[0], *affine], axis=-1, epsilon=LN_EPS)
        return
    last = ctx.node("Transpose", ctx.inputs, step="to_nhwc", perm=[0, 2, 3, 1])
    normed = ctx.node("LayerNormalization", [last, *affine], step="normalize", axis=-1, epsilon=LN_EPS)
    ctx.node("Transpose", [normed], perm=[0, 3, 1, 2])


@register_exporter("groupnorm")
def _groupnorm(ctx: LayerContext) -> None:
    # opset 17 has no GroupNormalization (18): instance-normalize [N, G, C/G·H·W], then γ, β
    n, c, h, w = ctx.shapes[0]
    groups = _int(ctx.layer.groups)
    grouped = ctx.node("Reshape", [ctx.inputs[0], ctx.const("grouped", [n, groups, -1], np.int64)],
                       step="group")
    normed = ctx.node("InstanceNormalization", [grouped, ctx.const("ones", np.ones(groups, np.float32)),
                                                ctx.const("zeros", np.zeros(groups, np.float32))],
                      step="normalize", epsilon=LN_EPS)
    image = ctx.node("Reshape", [normed, ctx.const("shape", [n, c, h, w], np.int64)], step="ungroup")
    scaled = ctx.node("Mul", [image, ctx.const("gamma", ctx.weights["gamma"].reshape(c, 1, 1))],
                      step="scale")
    ctx.node("Add", [scaled, ctx.const("beta", ctx.weights["beta"].reshape(c, 1, 1))])


@register_exporter("softmax")
def _softmax(ctx: LayerContext) -> None:
    ctx.node("Softmax", ctx.inputs, axis=ctx.layer.axis)


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}


@register_exporter("pad")
def _pad(ctx: LayerContext) -> None:
    top, bottom, left, right = (_int(side) for side in _sides(ctx.layer.padding))
    pads = ctx.const("pads", [0, 0, top, left, 0, 0, bottom, right], np.int64)
    ctx.node("Pad", [ctx.inputs[0], pads, ctx.const("value", float(ctx.layer.value), np.float32)],
             mode=_PAD_MODES[ctx.layer.mode])


@register_exporter("slice")
def _slice(ctx: LayerContext) -> None:
    axis = channel_axis(ctx.shapes[0])
    stop = ctx.shapes[0][axis] if ctx.layer.stop is None else _int(ctx.layer.stop)
    ctx.node("Slice", [ctx.inputs[0], ctx.const("starts", [_int(ctx.layer.start)], np.int64),
                       ctx.const("ends", [stop], np.int64), ctx.const("axes", [axis], np.int64),
                       *([ctx.const("steps", [_int(ctx.layer.step)], np.int64)] if _int(ctx.layer.step) != 1 else [])])


@register_exporter("max_pool", "avg_pool")
def _pool(ctx: LayerContext) -> None:
    layer = ctx.layer
    kernel = _pair(layer.kernel)
    stride = kernel if layer.stride is None else _pair(layer.stride)
    # ceil_mode only where it adds a window: ONNX keeps a last window that starts past the
    # input, which PyTorch (and costmodel's size) drops; then floor mode gives the same size
    paddings = [layer.padding] * 2 if isinstance(layer.padding, str) else _pair(layer.padding)
    ceil = any(_pooled_size(n, k, s, p, layer.ceil_mode) != _pooled_size(n, k, s, p, False)
               for n, k, s, p in zip(ctx.shapes[0][2:], kernel, stride, paddings))
    geometry: dict[str, Any] = {
        "kernel_shape": list(kernel), "strides": list(stride), "ceil_mode": int(ceil),
        "pads": _onnx_pads(_pads(layer.padding, ctx.shapes[0][2:], kernel, stride))}
    if layer.op == "max_pool":
        ctx.node("MaxPool", ctx.inputs, **geometry)
    else:  # TensorFlow's 'same' average excludes the padding from the divisor; PyTorch's includes it
        include = layer.padding != "same" and layer.count_include_pad
        ctx.node("AveragePool", ctx.inputs, count_include_pad=int(include), **geometry)


@register_exporter("global_avg_pool")
def _global_avg_pool(ctx: LayerContext) -> None:
    if len(ctx.shapes[0]) == 3:  # tokens N×L×C → N×C
        ctx.node("ReduceMean", ctx.inputs, axes=[1], keepdims=0)
        return
    if ctx.layer.reduce_mean:
        ctx.node("ReduceMean", ctx.inputs, axes=[2, 3], keepdims=1)
        return
    ctx.node("GlobalAveragePool", ctx.inputs)


@register_exporter("add")
def _add(ctx: LayerContext) -> None:
    ctx.node("Add" if len(ctx.inputs) == 2 else "Sum", ctx.inputs)


@register_exporter("sub")
def _sub(ctx: LayerContext) -> None:
    ctx.node("Sub", ctx.inputs)


@register_exporter("scale")
def _scale(ctx: LayerContext) -> None:
    factor, offset = float(ctx.layer.factor), float(ctx.layer.offset)
    if offset == 0:
        ctx.node("Mul", [ctx.inputs[0], ctx.const("factor", factor, np.float32)])
        return
    x = ctx.inputs[0]
    if factor != 1:
        x = ctx.node("Mul", [x, ctx.const("factor", factor, np.float32)], step="factor")
    ctx.node("Add", [x, ctx.const("offset", offset, np.float32)])


@register_exporter("div")
def _div(ctx: LayerContext) -> None:
    ctx.node("Div", ctx.inputs)


@register_exporter("mul")
def _mul(ctx: LayerContext) -> None:
    ctx.node("Mul", ctx.inputs)


@register_exporter("layer_scale")
def _layer_scale(ctx: LayerContext) -> None:
    gamma = ctx.weights["gamma"]
    trailing = 2 if len(ctx.shapes[0]) == 4 else 0  # (C, 1, 1) on N×C×H×W, (C,) on tokens
    ctx.node("Mul", [ctx.inputs[0], ctx.const("gamma", gamma.reshape((-1,) + (1,) * trailing))])


@register_exporter("concat")
def _concat(ctx: LayerContext) -> None:
    ctx.node("Concat", ctx.inputs, axis=1)


def _split_sizes(ctx: LayerContext, channels: int) -> str:
    """Split sizes as the int64 input opset ≥ 13 wants, from ``sections`` or ``parts``."""
    sections = _sections(ctx.layer)
    sizes = [channels // sections] * sections if isinstance(sections, int) else sections
    return ctx.const("split", sizes, np.int64)


@register_exporter("split")
def _split(ctx: LayerContext) -> None:
    ctx.node("Split", [ctx.inputs[0], _split_sizes(ctx, ctx.shapes[0][1])], axis=1)


def _shuffle(ctx: LayerContext, x: str, shape: tuple[int, ...], groups: int,
             output: list[str] | None) -> str:
    """ShuffleNet's channel shuffle as Reshape [N, g, C/g, H, W] → Transpose(g ↔ C/g) →
    Reshape [N, C, H, W]; the last Reshape is the layer's node unless ``output`` is given."""
    n, c, *spatial = shape
    grouped = ctx.node("Reshape", [x, ctx.const("grouped", [n, groups, c // groups, *spatial], np.int64)],
                       step="group")
    swapped = ctx.node("Transpose", [grouped], step="transpose", perm=[0, 2, 1, *range(3, len(shape) + 1)])
    back = ctx.const("shape", list(shape), np.int64)
    if output is None:
        return ctx.node("Reshape", [swapped, back])
    return ctx.node("Reshape", [swapped, back], step="ungroup", outputs=output)


@register_exporter("shuffle")
def _shuffle_layer(ctx: LayerContext) -> None:
    _shuffle(ctx, ctx.inputs[0], ctx.shapes[0], _int(ctx.layer.groups), None)


@register_exporter("concat_shuffle_split")
def _concat_shuffle_split(ctx: LayerContext) -> None:
    layer = ctx.layer
    n, _, *spatial = ctx.shapes[0]
    shape = (n, sum(s[1] for s in ctx.shapes), *spatial)
    splits = layer.sections is not None or layer.parts is not None
    joined = ctx.node("Concat", ctx.inputs, step="concat", axis=1)
    shuffled = _shuffle(ctx, joined, shape, _int(layer.groups),
                        [f"{ctx.name}/shuffled"] if splits else None)
    if splits:
        ctx.node("Split", [shuffled, _split_sizes(ctx, shape[1])], axis=1)


@register_exporter("flatten")
def _flatten(ctx: LayerContext) -> None:
    ctx.node("Flatten", ctx.inputs, axis=1)


@register_exporter("dropout")
def _dropout(ctx: LayerContext) -> None:
    ctx.node("Dropout", ctx.inputs)  # without training_mode: the identity at inference
