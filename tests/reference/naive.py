"""Naive nested-loop references, written from the definitions, for tiny sizes."""

import math

import numpy as np


def conv2d(x, weight, bias, stride, pads, dilation, groups):
    """out[n,o,y,x] = Σ_{c,i,j} in[n, g·C_in/g + c, y·s − top + i·d, x·s − left + j·d] · w[o,c,i,j].

    Taps that fall in the padding read zero; o belongs to group g = o // (C_out/groups).
    """
    n_, c_in, h, w = x.shape
    c_out, c_group, kh, kw = weight.shape
    (sh, sw), (top, bottom, left, right), (dh, dw) = stride, pads, dilation
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n_, c_out, h_out, w_out))
    per_group = c_out // groups
    for n in range(n_):
        for o in range(c_out):
            g = o // per_group
            for oy in range(h_out):
                for ox in range(w_out):
                    total = 0.0 if bias is None else float(bias[o])
                    for c in range(c_group):
                        for i in range(kh):
                            for j in range(kw):
                                y, xx = oy * sh - top + i * dh, ox * sw - left + j * dw
                                if 0 <= y < h and 0 <= xx < w:
                                    total += x[n, g * c_group + c, y, xx] * weight[o, c, i, j]
                    out[n, o, oy, ox] = total
    return out


def pool2d(x, kernel, stride, pads, out_hw, mode, count_include_pad=True):
    """Max or PyTorch-style average over each window; output extents given."""
    n_, c_, h, w = x.shape
    (kh, kw), (sh, sw), (top, bottom, left, right) = kernel, stride, pads
    out = np.zeros((n_, c_, *out_hw))
    for n in range(n_):
        for c in range(c_):
            for oy in range(out_hw[0]):
                for ox in range(out_hw[1]):
                    y0, x0 = oy * sh - top, ox * sw - left
                    cells = [
                        x[n, c, y, xx]
                        for y in range(y0, y0 + kh)
                        for xx in range(x0, x0 + kw)
                        if 0 <= y < h and 0 <= xx < w
                    ]
                    if mode == "max":
                        out[n, c, oy, ox] = max(cells)
                        continue
                    if count_include_pad:
                        rows = min(y0 + kh, h + bottom) - y0
                        cols = min(x0 + kw, w + right) - x0
                        divisor = rows * cols
                    else:
                        divisor = len(cells)
                    out[n, c, oy, ox] = sum(cells) / divisor
    return out


SCALAR_ACTIVATIONS = {
    "relu": lambda v: max(v, 0.0),
    "relu6": lambda v: min(max(v, 0.0), 6.0),
    "hardsigmoid": lambda v: min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "hardswish": lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
    "silu": lambda v: v / (1.0 + math.exp(-v)),
    "swish": lambda v: v / (1.0 + math.exp(-v)),
    "gelu": lambda v: v * (1.0 + math.erf(v / math.sqrt(2.0))) / 2.0,
    "leaky_relu": lambda v: v if v >= 0 else 0.01 * v,
    "identity": lambda v: v,
}


def apply_scalar(fn, x):
    """fn applied to every element by a Python loop."""
    return np.array([fn(float(v)) for v in x.ravel()]).reshape(x.shape)
