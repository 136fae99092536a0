"""ONNX (opset 17) for the ops of the modern networks: normalizations, gelu, leaky_relu,
pad, slice, resize, adaptive pooling, transposed conv — with the reference runners'
semantics (costmodel/reference/forward.py)."""

from __future__ import annotations

import numpy as np

from costmodel.export.builder import LayerContext, register_exporter
from costmodel.reference.forward import _int, _pair
from costmodel.reference.layout import channel_axis, pad_sides
from costmodel.reference.normalize import LN_EPS

__all__: list[str] = []


@register_exporter("layernorm")
def _layernorm(ctx: LayerContext) -> None:
    gamma, beta = ctx.weight("gamma"), ctx.weight("beta")
    if len(ctx.shapes[0]) != 4:  # tokens or features: the channels are already the last axis
        ctx.node("LayerNormalization", [ctx.inputs[0], gamma, beta], axis=-1, epsilon=LN_EPS)
        return
    # ONNX normalizes over axis…end; the channels of N×C×H×W go last and back
    last = ctx.node("Transpose", ctx.inputs, step="to_nhwc", perm=[0, 2, 3, 1])
    normed = ctx.node("LayerNormalization", [last, gamma, beta], step="norm", axis=-1, epsilon=LN_EPS)
    ctx.node("Transpose", [normed], perm=[0, 3, 1, 2])


@register_exporter("groupnorm")
def _groupnorm(ctx: LayerContext) -> None:
    # opset 17 has no GroupNormalization: instance-normalize [N, g, C/g·H·W], then γ, β per channel
    n, c, h, w = ctx.shapes[0]
    groups = _int(ctx.layer.groups)
    grouped = ctx.node("Reshape", [ctx.inputs[0], ctx.const("grouped", [n, groups, -1], np.int64)],
                       step="group")
    ones, zeros = np.ones(groups, np.float32), np.zeros(groups, np.float32)
    normed = ctx.node("InstanceNormalization", [grouped, ctx.const("one", ones), ctx.const("zero", zeros)],
                      step="norm", epsilon=LN_EPS)
    back = ctx.node("Reshape", [normed, ctx.const("shape", [n, c, h, w], np.int64)], step="ungroup")
    scaled = ctx.node("Mul", [back, ctx.const("gamma", ctx.weights["gamma"].reshape(-1, 1, 1))],
                      step="scale")
    ctx.node("Add", [scaled, ctx.const("beta", ctx.weights["beta"].reshape(-1, 1, 1))])


@register_exporter("softmax")
def _softmax(ctx: LayerContext) -> None:
    ctx.node("Softmax", ctx.inputs, axis=ctx.layer.axis)


@register_exporter("gelu")
def _gelu(ctx: LayerContext) -> None:
    # opset 17 has no Gelu: x · (1 + erf(x/√2)) / 2
    x = ctx.inputs[0]
    scaled = ctx.node("Div", [x, ctx.const("sqrt2", np.sqrt(2), np.float32)], step="scaled")
    erf = ctx.node("Erf", [scaled], step="erf")
    shifted = ctx.node("Add", [erf, ctx.const("one", 1.0, np.float32)], step="shifted")
    half = ctx.node("Mul", [x, ctx.const("0.5", 0.5, np.float32)], step="half")
    ctx.node("Mul", [half, shifted])


@register_exporter("leaky_relu")
def _leaky_relu(ctx: LayerContext) -> None:
    ctx.node("LeakyRelu", ctx.inputs, alpha=0.01 if ctx.layer.slope is None else float(ctx.layer.slope))


@register_exporter("pad")
def _pad(ctx: LayerContext) -> None:
    values = [_int(v) for v in (ctx.layer.padding if isinstance(ctx.layer.padding, list)
                                else [ctx.layer.padding])]
    top, bottom, left, right = pad_sides(values)
    pads = ctx.const("pads", [0, 0, top, left, 0, 0, bottom, right], np.int64)
    mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}[ctx.layer.mode]
    inputs = [ctx.inputs[0], pads]
    if mode == "constant":
        inputs.append(ctx.const("value", float(ctx.layer.value), np.float32))
    ctx.node("Pad", inputs, mode=mode)


@register_exporter("slice")
def _slice(ctx: LayerContext) -> None:
    shape = ctx.shapes[0]
    axis = channel_axis(np.empty((0,) * len(shape)))
    stop = shape[axis] if ctx.layer.stop is None else _int(ctx.layer.stop)
    ctx.node("Slice", [ctx.inputs[0], ctx.const("starts", [_int(ctx.layer.start)], np.int64),
                       ctx.const("ends", [stop], np.int64), ctx.const("axes", [axis], np.int64)])


@register_exporter("resize")
def _resize(ctx: LayerContext) -> None:
    n, c, h, w = ctx.shapes[0]
    layer = ctx.layer
    if layer.size is not None:
        size = _pair(layer.size)
    else:
        scale = _pair(layer.scale)
        size = (h * scale[0], w * scale[1])
    sizes = ctx.const("sizes", [n, c, *size], np.int64)
    if layer.mode == "nearest":  # output i reads input ⌊i·H/H′⌋
        ctx.node("Resize", [ctx.inputs[0], "", "", sizes], mode="nearest",
                 coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    else:
        ctx.node("Resize", [ctx.inputs[0], "", "", sizes], mode="linear",
                 coordinate_transformation_mode="align_corners" if layer.align_corners
                 else "pytorch_half_pixel")


@register_exporter("adaptive_avg_pool")
def _adaptive_avg_pool(ctx: LayerContext) -> None:
    _, _, h, w = ctx.shapes[0]
    kh, kw = _pair(ctx.layer.size)
    if h % kh == 0 and w % kw == 0:  # equal, disjoint windows: an ordinary average pool
        ctx.node("AveragePool", ctx.inputs, kernel_shape=[h // kh, w // kw], strides=[h // kh, w // kw])
        return
    rows = []
    for i in range(kh):
        cells = []
        for j in range(kw):
            step = f"{i}_{j}"
            starts = ctx.const(f"start{step}", [i * h // kh, j * w // kw], np.int64)
            ends = ctx.const(f"end{step}", [-(-(i + 1) * h // kh), -(-(j + 1) * w // kw)], np.int64)
            window = ctx.node("Slice", [ctx.inputs[0], starts, ends, ctx.const(f"axes{step}", [2, 3], np.int64)],
                              step=f"window{step}")
            cells.append(ctx.node("ReduceMean", [window], step=f"mean{step}", axes=[2, 3], keepdims=1))
        rows.append(ctx.node("Concat", cells, step=f"row{i}", axis=3))
    ctx.node("Concat", rows, axis=2)


@register_exporter("conv_transpose2d")
def _conv_transpose2d(ctx: LayerContext) -> None:
    layer = ctx.layer
    weight = ctx.weights["weight"]
    ph, pw = _pair(layer.padding)
    inputs = [ctx.inputs[0], ctx.weight("weight")] + ([ctx.weight("bias")] if layer.bias else [])
    ctx.node("ConvTranspose", inputs, kernel_shape=list(weight.shape[2:]),
             strides=list(_pair(layer.stride)), pads=[ph, pw, ph, pw],
             output_padding=list(_pair(layer.output_padding)), dilations=list(_pair(layer.dilation)),
             group=ctx.shapes[0][1] // weight.shape[0] * _int(layer.groups))
