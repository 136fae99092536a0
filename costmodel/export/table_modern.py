"""ONNX (opset 17) for resize, adaptive average pooling and the transposed conv, with the
reference runners' semantics (costmodel/reference/forward.py)."""

from __future__ import annotations

import numpy as np

from costmodel.export.builder import LayerContext, register_exporter
from costmodel.ops.layout import TRANSPOSITIONS
from costmodel.reference.forward import _int, _pair
from costmodel.reference.matmul import relative_offsets

__all__: list[str] = []


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
                 else "half_pixel")  # pytorch_half_pixel maps a 1-wide output to x = 0; PyTorch does not


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


def _reshape_to(ctx: LayerContext, x: str, shape: list[int], step: str | None = None) -> str:
    return ctx.node("Reshape", [x, ctx.const(f"shape_{step or 'out'}", shape, np.int64)], step=step)


@register_exporter("reshape")
def _reshape(ctx: LayerContext) -> None:
    _reshape_to(ctx, ctx.inputs[0], [_int(s) for s in ctx.layer.shape])


@register_exporter("permute", "tokens", "image", "unfold_patches", "fold_patches", "split_heads", "merge_heads")
def _transposition(ctx: LayerContext) -> None:
    """The op's one Transpose (ops.layout.TRANSPOSITIONS: the shape it permutes and how),
    with a Reshape to that shape before it and one to the layer's output after it where
    they differ."""
    shape, perm = TRANSPOSITIONS[ctx.layer.op](ctx.layer, ctx.shapes[0])
    x = ctx.inputs[0] if shape == tuple(ctx.shapes[0]) else _reshape_to(ctx, ctx.inputs[0], list(shape), "grid")
    out = tuple(ctx.out_shapes[0])
    if tuple(shape[axis] for axis in perm) == out:
        ctx.node("Transpose", [x], perm=list(perm))
    else:
        _reshape_to(ctx, ctx.node("Transpose", [x], step="transpose", perm=list(perm)), list(out))


@register_exporter("matmul")
def _matmul(ctx: LayerContext) -> None:
    a, b = ctx.inputs
    if ctx.layer.transpose_b:
        rank = len(ctx.shapes[1])
        b = ctx.node("Transpose", [b], step="transpose_b", perm=[*range(rank - 2), rank - 1, rank - 2])
    if ctx.layer.scale is None:
        ctx.node("MatMul", [a, b])
        return
    product = ctx.node("MatMul", [a, b], step="product")
    ctx.node("Mul", [product, ctx.const("scale", float(ctx.layer.scale), np.float32)])


@register_exporter("position_embedding")
def _position_embedding(ctx: LayerContext) -> None:
    ctx.node("Add", [ctx.inputs[0], ctx.const("table", ctx.weights["table"][None])])


@register_exporter("class_token")
def _class_token(ctx: LayerContext) -> None:
    # the tokens expanded over the batch, as torch's cls_token.expand(N, -1, -1) folds
    tokens = np.broadcast_to(ctx.weights["tokens"], (ctx.shapes[0][0], *ctx.weights["tokens"].shape))
    ctx.node("Concat", [ctx.const("tokens", np.ascontiguousarray(tokens)), ctx.inputs[0]], axis=1)


@register_exporter("attention_bias")
def _attention_bias(ctx: LayerContext) -> None:
    # the table gathered per query–key pair once, as a constant (what inference caches)
    offsets = relative_offsets(*_pair(ctx.layer.resolution), int(ctx.layer.stride))
    gathered = ctx.weights["table"][:, offsets]
    ctx.node("Add", [ctx.inputs[0], ctx.const("bias", gathered[None])])
