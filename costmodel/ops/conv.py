"""2-D convolution (dense, grouped, depthwise, dilated; padding explicit or ``same``)."""

from __future__ import annotations

from costmodel.arith import Value, floor_divide
from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import (
    Geometry,
    OpResult,
    Shape,
    Traffic,
    pair,
    register_op,
    require_4d,
    require_int,
)
from costmodel.spec.layers import Conv2d

__all__ = ["conv2d", "conv_output_size"]


def conv_output_size(size: Value, kernel: Value, stride: Value, padding: Value | str,
                     dilation: Value) -> Value:
    """H′ = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1; with ``same`` padding H′ = ⌈H/s⌉."""
    if padding == "same":
        return -floor_divide(-size, stride)
    if isinstance(padding, str):  # valid: none
        padding = 0
    return floor_divide(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1


def _checked_size(size: Value, axis: str) -> Value:
    if not require(size, ">=", 1, f"output {axis} at least 1"):
        raise SpecError(f"output {axis} would be {size}: the input is too small for this "
                        "kernel/stride/padding")
    return size


@register_op(Conv2d, categories=("contraction", "convolution", "reparameterizable"))
def conv2d(layer: Conv2d, x: Shape) -> OpResult:
    """params = k_h·k_w·(C_in/g)·C_out (+C_out); maccs = params_w·H′·W′·N;
    mem_access = N·C_in·H·W + N·C_out·H′·W′ + params; elementwise = N·C_out·H′·W′ if bias."""
    n, c_in, h, w = require_4d(x, "conv2d")
    c_out = require_int(c_in if layer.out is None else layer.out, "output channels")
    groups = c_in if layer.depthwise else require_int(layer.groups, "groups")
    for count, bad in ((c_in, "input"), (c_out, "output")):
        if groups != 1 and not require(count % groups, "==", 0, f"{bad} channels divisible by groups"):
            raise SpecError(f"{count} {bad} channels not divisible by groups={groups}")
    kh, kw = (require_int(k, "kernel size") for k in pair(layer.kernel))
    sh, sw = (require_int(s, "stride") for s in pair(layer.stride))
    dh, dw = (require_int(d, "dilation") for d in pair(layer.dilation))
    ph, pw = pair(layer.padding) if isinstance(layer.padding, str) else (
        require_int(p, "padding", minimum=0) for p in pair(layer.padding))
    h_out = _checked_size(conv_output_size(h, kh, sh, ph, dh), "height")
    w_out = _checked_size(conv_output_size(w, kw, sw, pw, dw), "width")
    weights = kh * kw * floor_divide(c_in, groups) * c_out
    bias = c_out if layer.bias else 0
    outputs = n * c_out * h_out * w_out
    traffic = Traffic(reads=n * c_in * h * w, writes=outputs, weights=weights, bias=bias)
    cost = Cost(
        params=weights + bias,
        maccs=weights * h_out * w_out * n,
        mem_access=traffic.total,
        elementwise=outputs if layer.bias else 0,
        fragments=1,
    )
    geometry = Geometry((kh, kw), (sh, sw), (ph, pw), (dh, dw), groups, layer.bias)
    return OpResult([(n, c_out, h_out, w_out)], cost, geometry, traffic)
