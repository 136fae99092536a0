"""Pooling: k×k max/average windows and global average pooling."""

from __future__ import annotations

from costmodel.arith import Value, is_symbolic
from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, numel, pair, register_op, require_4d, require_int
from costmodel.ops.conv import conv_output_size
from costmodel.spec.layers import GlobalAvgPool, Pool2d

__all__ = ["pool2d", "global_avg_pool"]


def _pooled_size(size: Value, kernel: Value, stride: Value, padding: Value | str,
                 ceil_mode: bool) -> Value:
    """Like a conv; with ``ceil_mode`` ⌈(H + 2p − k)/s⌉ + 1, minus 1 if the last window
    would start in the padding (PyTorch's rule).

    That correction never applies when p = 0 and s ≤ k (the last window then starts at
    most s − 1 ≤ k − 1 elements before the end), which keeps the common case symbolic.
    """
    if not ceil_mode or isinstance(padding, str):
        return conv_output_size(size, kernel, stride, padding, 1)
    out = -(-(size + 2 * padding - kernel) // stride) + 1
    if padding == 0 and stride <= kernel:
        return out
    if is_symbolic(out):
        raise SpecError("ceil_mode pooling with padding or stride > kernel needs numeric sizes")
    return out - 1 if (out - 1) * stride >= size + padding else out


@register_op(Pool2d, categories=("pooling",))
def pool2d(layer: Pool2d, x: Shape) -> OpResult:
    """mem_access = |x| + |y|; elementwise = k_h·k_w·|y| (one op per window element)."""
    n, c, h, w = require_4d(x, layer.op)
    if layer.op == "max_pool" and not layer.count_include_pad:
        raise SpecError("count_include_pad applies to avg_pool only")
    kh, kw = (require_int(k, "kernel size") for k in pair(layer.kernel))
    sh, sw = (require_int(s, "stride") for s in pair(layer.stride if layer.stride is not None
                                                      else layer.kernel))
    ph, pw = pair(layer.padding) if isinstance(layer.padding, str) else (
        require_int(p, "padding", minimum=0) for p in pair(layer.padding))
    for k, p in ((kh, ph), (kw, pw)):
        # PyTorch's pooling check (aten Pool.h): pad ≤ ⌊k/2⌋, else a window could see padding only
        if not (isinstance(p, str) or is_symbolic(p) or is_symbolic(k)) and p > k // 2:
            raise SpecError(f"padding {p} is more than half the kernel {k}; pooling allows at most {k // 2}")
    h_out = _pooled_size(h, kh, sh, ph, layer.ceil_mode)
    w_out = _pooled_size(w, kw, sw, pw, layer.ceil_mode)
    for size, axis in ((h_out, "height"), (w_out, "width")):
        if not require(size, ">=", 1, f"output {axis} at least 1"):
            raise SpecError(f"output {axis} would be {size}: the input is too small for this pool")
    out = (n, c, h_out, w_out)
    cost = Cost(mem_access=numel(x) + numel(out), elementwise=kh * kw * numel(out), fragments=1)
    return OpResult([out], cost)


@register_op(GlobalAvgPool, categories=("global_pooling",))
def global_avg_pool(layer: GlobalAvgPool, x: Shape) -> OpResult:
    """mem_access = |x| + N·C; elementwise = |x|."""
    if len(x) == 3:
        n, _, c = x
        out: Shape = (n, c)
    else:
        n, c, _, _ = require_4d(x, "global_avg_pool")
        out = (n, c, 1, 1)
    cost = Cost(mem_access=numel(x) + n * c, elementwise=numel(x), fragments=1)
    return OpResult([out], cost)
