"""Reference kernels that change the spatial size: nearest and bilinear resize (PyTorch's
`F.interpolate` source coordinates), adaptive average pooling (PyTorch's windows) and the
transposed convolution (each input pixel scattered through the kernel, tap by tap)."""

from __future__ import annotations

import itertools
from functools import partial

import numpy as np

from costmodel.reference.meter import Meter

__all__ = ["adaptive_avg_pool", "conv_transpose2d", "resize_bilinear", "resize_nearest"]


def resize_nearest(meter: Meter, x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Output pixel (i, j) copies input ⌊i·H/H′⌋, ⌊j·W/W′⌋ (PyTorch's ``nearest``)."""
    (h, w), (h_out, w_out) = x.shape[2:], size
    rows = np.arange(h_out) * h // h_out
    cols = np.arange(w_out) * w // w_out
    return meter.store(meter.load(x)[:, :, rows][:, :, :, cols])


def _taps(size: int, out: int, align_corners: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper source index and upper weight of each output position on one axis."""
    position = np.arange(out, dtype=np.float64)
    if align_corners:
        source = position * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        source = np.maximum((position + 0.5) * size / out - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), size - 1)
    return low, np.minimum(low + 1, size - 1), source - low


def resize_bilinear(meter: Meter, x: np.ndarray, size: tuple[int, int],
                    align_corners: bool = False) -> np.ndarray:
    """Each output element a weighted sum of its 4 neighbours: one counted 4-tap reduction."""
    (h, w), (h_out, w_out) = x.shape[2:], size
    r0, r1, dr = _taps(h, h_out, align_corners)
    c0, c1, dc = _taps(w, w_out, align_corners)
    x = meter.load(x)
    taps = np.stack([x[:, :, r][:, :, :, c] for r in (r0, r1) for c in (c0, c1)])
    weights = np.stack([np.outer(wr, wc) for wr in (1 - dr, dr) for wc in (1 - dc, dc)])
    return meter.store(meter.reduce(partial(_weighted, weights=weights.astype(x.dtype)), taps, axis=0))


def _weighted(taps: np.ndarray, axis: int, weights: np.ndarray) -> np.ndarray:
    return np.einsum("knchw,khw->nchw", taps, weights)


def adaptive_avg_pool(meter: Meter, x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Mean over window ⌊iH/k⌋ … ⌈(i+1)H/k⌉ − 1 (rows) × the same for columns."""
    (h, w), (kh, kw) = x.shape[2:], size
    x = meter.load(x)
    out = np.empty((*x.shape[:2], kh, kw), x.dtype)
    for i, j in itertools.product(range(kh), range(kw)):
        window = x[:, :, i * h // kh : -(-(i + 1) * h // kh), j * w // kw : -(-(j + 1) * w // kw)]
        out[:, :, i, j] = meter.reduce(np.mean, window, axis=(2, 3))
    return meter.store(out)


def conv_transpose2d(
    meter: Meter,
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: tuple[int, int],
    padding: tuple[int, int],
    output_padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> np.ndarray:
    """PyTorch ``conv_transpose2d``, ``weight[C_in, C_out/groups, kh, kw]``.

    Tap (i, j) multiplies every input pixel by its C_in/g × C_out/g matrix and adds the
    product at output (s·y + d·i − p, s·x + d·j − p): N·H·W·C_in·C_out/g maccs per tap.
    """
    x, weight = meter.load(x), meter.load(weight)
    n, c_in, h, w = x.shape
    _, c_out_group, kh, kw = weight.shape
    (sh, sw), (ph, pw), (oh, ow), (dh, dw) = stride, padding, output_padding, dilation
    full = np.zeros((n, groups, c_out_group, (h - 1) * sh + dh * (kh - 1) + 1 + oh,
                     (w - 1) * sw + dw * (kw - 1) + 1 + ow), x.dtype)
    grouped = x.reshape(n, groups, c_in // groups, h, w)
    filters = weight.reshape(groups, c_in // groups, c_out_group, kh, kw)
    for i, j in itertools.product(range(kh), range(kw)):
        product = meter.contract("ngchw,gco->ngohw", grouped, filters[:, :, :, i, j])
        full[:, :, :, dh * i : dh * i + (h - 1) * sh + 1 : sh,
             dw * j : dw * j + (w - 1) * sw + 1 : sw] += product
    h_out = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1
    w_out = (w - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1
    y = full.reshape(n, groups * c_out_group, *full.shape[3:])[:, :, ph : ph + h_out, pw : pw + w_out]
    y = np.ascontiguousarray(y)
    if bias is not None:
        y = meter.apply(np.add, y, meter.load(bias).reshape(-1, 1, 1))
    return meter.store(y)
