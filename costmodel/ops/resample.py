"""Ops that change the spatial size: resize (nearest, bilinear), adaptive average pooling
to k×k, and the transposed convolution.

Conventions: nearest resize is a copy (|x| + |y|, no arithmetic); bilinear combines 4
taps per output element (elementwise = 4·|y|, as a k×k pool counts k²·|y|); adaptive
pooling counts every element of every window once, its windows ⌊iH/k⌋ … ⌈(i+1)H/k⌉ − 1
(PyTorch's, overlapping when k does not divide H). A transposed conv counts each input
element times each weight it meets (FlopCounterMode's rule for transposed convs:
N·H·W·params), not the zeros of the upsampled, dilated equivalent.
"""

from __future__ import annotations

from costmodel.arith import Value, is_symbolic
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, numel, pair, register_op, require_4d, require_int
from costmodel.spec.layers import AdaptiveAvgPool, ConvTranspose2d, Resize

__all__ = ["resize", "adaptive_avg_pool", "conv_transpose2d"]


def _positive(size: Value, axis: str, op: str) -> Value:
    if not is_symbolic(size) and size < 1:
        raise SpecError(f"{op} output {axis} would be {size}")
    return size


@register_op(Resize, categories=("nchwc_resample",))
def resize(layer: Resize, x: Shape) -> OpResult:
    """mem_access = |x| + |y|; elementwise = 4·|y| for bilinear (4 taps), 0 for nearest."""
    n, c, h, w = require_4d(x, "resize")
    if (layer.scale is None) == (layer.size is None):
        raise SpecError("resize needs exactly one of 'scale' and 'size'")
    if layer.size is not None:
        h_out, w_out = (require_int(s, "output size") for s in pair(layer.size))
    else:
        sh, sw = (require_int(s, "scale") for s in pair(layer.scale))
        h_out, w_out = h * sh, w * sw
    if layer.align_corners and layer.mode != "bilinear":
        raise SpecError("align_corners applies to bilinear resizing only")
    out = (n, c, _positive(h_out, "height", "resize"), _positive(w_out, "width", "resize"))
    taps = 4 if layer.mode == "bilinear" else 0
    return OpResult([out], Cost(mem_access=numel(x) + numel(out), elementwise=taps * numel(out),
                                fragments=1))


def _window_sum(size: Value, out: int) -> Value:
    """Σᵢ (⌈(i+1)·H/k⌉ − ⌊i·H/k⌋): elements of all k adaptive windows along one axis (H when
    k divides H)."""
    total: Value = 0
    for i in range(out):
        total = total - (-(i + 1) * size // out) - i * size // out  # ⌈a/k⌉ = −(−a // k)
    return total


@register_op(AdaptiveAvgPool, categories=("pooling",))
def adaptive_avg_pool(layer: AdaptiveAvgPool, x: Shape) -> OpResult:
    """mem_access = |x| + |y|; elementwise = N·C·Σrows·Σcols (each window element once)."""
    n, c, h, w = require_4d(x, "adaptive_avg_pool")
    kh, kw = (require_int(k, "output size") for k in pair(layer.size))
    if is_symbolic(kh) or is_symbolic(kw):
        raise SpecError("adaptive_avg_pool needs a numeric output size")
    for k, size, axis in ((kh, h, "height"), (kw, w, "width")):
        if not is_symbolic(size) and k > size:
            raise SpecError(f"adaptive_avg_pool output {axis} {k} exceeds the input's {size}")
    out = (n, c, kh, kw)
    cost = Cost(mem_access=numel(x) + numel(out),
                elementwise=n * c * _window_sum(h, int(kh)) * _window_sum(w, int(kw)), fragments=1)
    return OpResult([out], cost)


@register_op(ConvTranspose2d, categories=("contraction",))
def conv_transpose2d(layer: ConvTranspose2d, x: Shape) -> OpResult:
    """params = k_h·k_w·C_in·C_out/g (+C_out); maccs = N·H·W·k_h·k_w·C_in·C_out/g;
    mem_access = |x| + |y| + params; elementwise = |y| if bias."""
    n, c_in, h, w = require_4d(x, "conv_transpose2d")
    c_out = require_int(c_in if layer.out is None else layer.out, "output channels")
    groups = require_int(layer.groups, "groups")
    if not (is_symbolic(c_in) or is_symbolic(groups)) and (c_in % groups or c_out % groups):
        bad, count = ("input", c_in) if c_in % groups else ("output", c_out)
        raise SpecError(f"{count} {bad} channels not divisible by groups={groups}")
    kh, kw = (require_int(k, "kernel size") for k in pair(layer.kernel))
    sh, sw = (require_int(s, "stride") for s in pair(layer.stride))
    ph, pw = (require_int(p, "padding", minimum=0) for p in pair(layer.padding))
    oh, ow = (require_int(p, "output_padding", minimum=0) for p in pair(layer.output_padding))
    dh, dw = (require_int(d, "dilation") for d in pair(layer.dilation))
    for extra, stride, dilation in ((oh, sh, dh), (ow, sw, dw)):
        if not any(is_symbolic(v) for v in (extra, stride, dilation)) and extra >= max(stride, dilation):
            raise SpecError(f"output_padding {extra} must be below the stride or the dilation "
                            "(PyTorch's rule)")
    h_out = _positive((h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1, "height", "conv_transpose2d")
    w_out = _positive((w - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1, "width", "conv_transpose2d")
    weights = kh * kw * c_in * (c_out // groups)
    bias = c_out if layer.bias else 0
    out = (n, c_out, h_out, w_out)
    cost = Cost(params=weights + bias, maccs=n * h * w * weights,
                mem_access=numel(x) + numel(out) + weights + bias,
                elementwise=numel(out) if layer.bias else 0, fragments=1)
    return OpResult([out], cost)
