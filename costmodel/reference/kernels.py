"""NumPy kernels of the reference forward, NCHW, counted through a `Meter`.

Each kernel loads its input tensors and weights once, does its arithmetic with
the meter's counted primitives, and stores its output once; padding, window
views and reshapes are free. The counts therefore emerge from the arrays the
kernels execute on; this module contains no cost formula.

Arrays are NCHW by shape; in memory they may be channels-last (N, H, W, C), which
numpy's element-wise loops follow. A conv keeps its input's layout and a depthwise
conv writes channels-last, where its loops run long; values and counts do not depend
on the layout.

Conventions follow PyTorch: `weight[C_out, C_in/groups, kh, kw]`, padding as
(top, bottom, left, right), pooling output sizes with `ceil_mode`, average-pool
divisors with `count_include_pad`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import lru_cache, partial

import numpy as np
from numpy.lib.stride_tricks import as_strided

from costmodel.reference.meter import Meter

__all__ = [
    "ACTIVATIONS",
    "BN_EPS",
    "Padding",
    "Size2",
    "add",
    "avg_pool2d",
    "batchnorm",
    "channel_shuffle",
    "channel_split",
    "concat",
    "concat_shuffle_split",
    "conv2d",
    "div",
    "dropout",
    "flatten",
    "gelu",
    "global_avg_pool",
    "hardsigmoid",
    "hardswish",
    "identity",
    "leaky_relu",
    "linear",
    "max_pool2d",
    "mul",
    "relu",
    "relu6",
    "scale",
    "sigmoid",
    "silu",
    "sub",
]

Size2 = int | tuple[int, int]
"""An extent per spatial axis (h, w), or one int for both."""
Padding = int | tuple[int, int] | tuple[int, int, int, int]
"""One int, (h, w) for both sides of each axis, or (top, bottom, left, right)."""


def _pair(value: Size2) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


def _sides(padding: Padding) -> tuple[int, int, int, int]:
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 2:
        return padding[0], padding[0], padding[1], padding[1]
    return padding


def _channels_last(x: np.ndarray) -> bool:
    """Whether an [N, C, H, W] array is laid out N, H, W, C in memory (C varies fastest)."""
    return x.ndim == 4 and x.strides[1] < x.strides[3]


def _pad(x: np.ndarray, pads: tuple[int, int, int, int], fill: float, channels_last: bool,
         ) -> np.ndarray:
    """x with H and W padded by (top, bottom, left, right) cells of `fill`, in the given layout."""
    if not any(pads):
        return x
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    size = (top + h + bottom, left + w + right)
    new = np.zeros if fill == 0 else np.empty  # zeros: one call instead of four border fills
    if channels_last:
        padded = new((n, *size, c), x.dtype).transpose(0, 3, 1, 2)
    else:
        padded = new((n, c, *size), x.dtype)
    padded[:, :, top : top + h, left : left + w] = x
    if fill != 0:
        for border in (np.s_[:top], np.s_[top + h :]):  # rows above and below, then the sides
            padded[:, :, border] = fill
        for border in (np.s_[:left], np.s_[left + w :]):
            padded[:, :, top : top + h, border] = fill
    return padded


def _windows(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pads: tuple[int, int, int, int],
    dilation: tuple[int, int] = (1, 1),
    fill: float = 0.0,
    channels_last: bool | None = None,
) -> np.ndarray:
    """A read-only view [N, C, H′, W′, kh, kw] of the (padded, dilated) windows of x.

    Padding keeps x's layout unless `channels_last` says otherwise.
    """
    layout = _channels_last(x) if channels_last is None else channels_last
    padded = _pad(x, pads, fill, layout)
    n, c, h, w = padded.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    h_out, w_out = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    if h_out < 1 or w_out < 1:
        raise ValueError(f"a {kh}×{kw} window (dilation {dilation}) does not fit in {h}×{w}")
    if kh == kw == 1:  # the windows are the (strided) pixels themselves: a cheap plain view
        return padded[:, :, ::sh, ::sw, None, None]
    sn, sc, s_h, s_w = padded.strides
    # a padded copy starts where the array _pad allocated starts (itself, or the
    # channels-last array it is a transposed view of)
    start = padded.base if padded is not x and padded.base is not None else padded
    return _strided_view(padded, start, (n, c, h_out, w_out, kh, kw),
                         (sn, sc, s_h * sh, s_w * sw, s_h * dh, s_w * dw))


def _strided_view(array: np.ndarray, start: object, shape: tuple[int, ...],
                  strides: tuple[int, ...]) -> np.ndarray:
    """``as_strided(array, shape, strides, writeable=False)``, built directly on the
    memory when ``start`` — an array that begins where ``array`` begins — owns it
    contiguously: as_strided's generic construction (an ``__array_interface__`` wrapper)
    cost ~5× a plain view, once per conv and pool of a deep network of small tensors."""
    if isinstance(start, np.ndarray) and start.base is None and start.flags.c_contiguous:
        view = np.ndarray(shape, array.dtype, start, 0, strides)
        view.setflags(write=False)
        return view
    return as_strided(array, shape, strides, writeable=False)


def _fold_taps(ufunc: np.ufunc, windows: np.ndarray, axis: tuple[int, int]) -> np.ndarray:
    """`ufunc.reduce` over the (kh, kw) axes of a window view, one output-sized pass per tap.

    Reducing the two short trailing axes directly runs numpy's innermost loop over
    kh·kw strided elements; folding whole taps keeps the loops long.
    """
    if axis != (4, 5):
        raise ValueError(f"window taps are axes (4, 5), got {axis}")
    kh, kw = windows.shape[4:]
    out = np.empty_like(windows[..., 0, 0])
    np.copyto(out, windows[..., 0, 0])
    for i, j in itertools.islice(itertools.product(range(kh), range(kw)), 1, None):
        ufunc(out, windows[..., i, j], out=out)
    return out


# --- convolution and linear -------------------------------------------------


def conv2d(
    meter: Meter,
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: Size2 = 1,
    padding: Padding = 0,
    dilation: Size2 = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, PyTorch `conv2d` semantics with explicit padding.

    Padded zeros are multiplied like any element: every kernel tap counts at
    every output position.

    Raises:
        ValueError: channels not divisible by `groups` or not matching `weight`.
    """
    x, weight = meter.load(x), meter.load(weight)
    c_out, c_in_group, kh, kw = weight.shape
    if x.shape[1] != c_in_group * groups or c_out % groups:
        raise ValueError(
            f"conv2d: input {x.shape} and weight {weight.shape} do not fit groups={groups}"
        )
    # depthwise convs run channels-last, where numpy's inner loops run along channels
    depthwise = c_in_group == 1
    channels_last = depthwise or _channels_last(x)
    windows = _windows(x, (kh, kw), _pair(stride), _sides(padding), _pair(dilation),
                       channels_last=channels_last)
    n, _, h_out, w_out, _, _ = windows.shape
    if depthwise and c_out == groups and _pair(stride)[1] == 1:
        y = _depthwise_taps(meter, windows, weight)
    else:
        grouped = windows.reshape(n, groups, c_in_group, h_out, w_out, kh, kw)
        filters = weight.reshape(groups, c_out // groups, c_in_group, kh, kw)
        if depthwise:  # einsum's inner loop runs over channels: make them fastest in the filters too
            filters = np.ascontiguousarray(filters.transpose(1, 2, 3, 4, 0)).transpose(4, 0, 1, 2, 3)
        y = _contract_windows(meter, grouped, filters, channels_last)
    y = y.reshape(n, c_out, h_out, w_out)
    if bias is not None:
        y = meter.apply(_add_into_first, y, meter.load(bias).reshape(-1, 1, 1))
    return meter.store(y)


def _depthwise_taps(meter: Meter, windows: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Depthwise conv with stride 1 along W, channels-last: one product per tap, summed.

    Each tap's pixels form rows of W′·C contiguous elements; its weights are tiled
    along such a row ([W′, C] instead of [C]) so numpy's inner loop runs over the
    whole row. Returns [N, C, H′, W′], channels-last.
    """
    n, c, h, w, kh, kw = windows.shape
    pixels = windows.transpose(0, 2, 3, 1, 4, 5)
    rows = np.empty((kh, kw, w, c), weight.dtype)
    rows[:] = weight[:, 0].transpose(1, 2, 0)[:, :, None, :]
    out = meter.contract("nhwc,wc->nhwc", pixels[..., 0, 0], rows[0, 0])
    for i, j in itertools.islice(itertools.product(range(kh), range(kw)), 1, None):
        np.add(out, meter.contract("nhwc,wc->nhwc", pixels[..., i, j], rows[i, j]), out=out)
    return out.transpose(0, 3, 1, 2)


def _contract_windows(meter: Meter, windows: np.ndarray, filters: np.ndarray, channels_last: bool,
                      ) -> np.ndarray:
    """One contraction per group over the (channel, tap) axes: [N, g, o, H′, W′].

    The output keeps the windows' layout: channels-last runs
    [N·H′·W′, C·kh·kw] @ [C·kh·kw, o] (a 1×1 stride-1 conv then copies nothing),
    otherwise [o, C·kh·kw] @ [C·kh·kw, N·H′·W′].
    """
    if channels_last:
        return meter.contract("ngchwij,gocij->ngohw", windows, filters)
    return meter.contract("gocij,ngchwij->ngohw", filters, windows)


def linear(
    meter: Meter, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
) -> np.ndarray:
    """y[N, out] = x[N, in] · weight[out, in]ᵀ (+ bias); tokens [N, L, in] → [N, L, out]."""
    x, weight = meter.load(x), meter.load(weight)
    y = meter.contract("nli,oi->nlo" if x.ndim == 3 else "ni,oi->no", x, weight)
    if bias is not None:
        y = meter.apply(_add_into_first, y, meter.load(bias))
    return meter.store(y)


def _add_into_first(y: np.ndarray, b: np.ndarray) -> np.ndarray:
    """y += b in place (y is a kernel's own fresh result)."""
    return np.add(y, b, out=y)


# --- normalisation and activations ------------------------------------------


BN_EPS = 1e-5
"""Batchnorm epsilon (PyTorch's default)."""


def batchnorm(
    meter: Meter,
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    eps: float = BN_EPS,
) -> np.ndarray:
    """Inference batch norm as one scale-and-shift per element.

    The statistics are folded into a per-channel scale and shift before the
    forward (as deployment does), so the kernel reads x, scale and shift.
    """
    scale = gamma / np.sqrt(var + eps)
    shift = beta - mean * scale
    x = meter.load(x)
    scale = meter.load(scale.astype(x.dtype, copy=False))
    shift = meter.load(shift.astype(x.dtype, copy=False))
    return meter.store(meter.apply(_scale_shift, x, scale, shift))


def _scale_shift(x: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """x · scale + shift per channel; the result keeps x's memory layout.

    Channels-last, numpy's innermost loop would run over just C elements per pixel,
    so the per-channel vectors are tiled over rows of several whole pixels.
    """
    pixels = x.transpose(0, *range(2, x.ndim), 1)
    if _channels_last(x) and pixels.flags.c_contiguous:
        channels = x.shape[1]
        tiles = _largest_divisor(pixels.size // channels, _ROW_ELEMENTS // channels)
        rows = pixels.reshape(-1, tiles * channels)
        out = np.multiply(rows, _tile(scale, tiles))
        np.add(out, _tile(shift, tiles), out=out)
        return out.reshape(pixels.shape).transpose(0, 3, 1, 2)
    per_channel = (-1,) + (1,) * (x.ndim - 2)
    out = np.multiply(x, scale.reshape(per_channel))
    return np.add(out, shift.reshape(per_channel), out=out)


_ROW_ELEMENTS = 8192
"""How long a row `_scale_shift` aims for: long enough that loop overhead vanishes."""


def _tile(vector: np.ndarray, times: int) -> np.ndarray:
    """`vector` repeated `times` times end to end (np.tile without its overhead)."""
    tiled = np.empty((times, vector.size), vector.dtype)
    tiled[:] = vector
    return tiled.reshape(-1)


@lru_cache(maxsize=1024)
def _largest_divisor(number: int, cap: int) -> int:
    """The largest divisor of `number` that is at most `cap` (at least 1)."""
    return next(d for d in range(min(number, max(cap, 1)), 0, -1) if number % d == 0)


def _activation(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Meter, np.ndarray], np.ndarray]:
    """A kernel that reads x, applies `fn` to each element, writes the result."""

    def kernel(meter: Meter, x: np.ndarray) -> np.ndarray:
        return meter.store(meter.apply(fn, meter.load(x)))

    kernel.__name__ = kernel.__qualname__ = fn.__name__.lstrip("_")
    kernel.__doc__ = fn.__doc__
    return kernel


def _relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), NaN kept; run as a clip, which numpy vectorises better than `maximum`."""
    return np.clip(x, 0, np.inf)


def _relu6(x: np.ndarray) -> np.ndarray:
    """min(max(x, 0), 6)."""
    return np.clip(x, 0, 6)


def _hardsigmoid(x: np.ndarray) -> np.ndarray:
    """relu6(x + 3) / 6."""
    out = np.add(x, 3)
    np.clip(out, 0, 6, out=out)
    return np.divide(out, 6, out=out)


def _hardswish(x: np.ndarray) -> np.ndarray:
    """x · relu6(x + 3) / 6."""
    out = _hardsigmoid(x)
    return np.multiply(out, x, out=out)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(−x)); exp overflowing to ∞ for x ≪ 0 gives the exact limit 0."""
    out = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    np.add(out, 1, out=out)
    return np.reciprocal(out, out=out)


def _silu(x: np.ndarray) -> np.ndarray:
    """x · sigmoid(x), also called swish."""
    out = _sigmoid(x)
    return np.multiply(out, x, out=out)


def _gelu(x: np.ndarray) -> np.ndarray:
    """x·Φ(x) = x·erfc(−x/√2)/2, the exact GELU (PyTorch's default)."""
    return np.multiply(x, _erfc(-x / np.sqrt(2)) / 2)


def _erfc(z: np.ndarray) -> np.ndarray:
    """The complementary error function to a relative error below 1.2e-7 everywhere
    (Numerical Recipes, 2nd ed., §6.2, ``erfcc``): numpy has no erf."""
    t = 1 / (1 + np.abs(z) / 2)
    poly = np.zeros_like(t)
    for coefficient in (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
                        -0.18628806, 0.09678418, 0.37409196, 1.00002368):
        poly = t * (poly + coefficient)
    tail = t * np.exp(-z * z - 1.26551223 + poly)
    return np.where(z >= 0, tail, 2 - tail).astype(z.dtype, copy=False)


def leaky_relu(meter: Meter, x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """max(x, slope·x) for 0 ≤ slope ≤ 1 (x where x ≥ 0, slope·x below)."""
    return meter.store(meter.apply(partial(_leaky, slope=slope), meter.load(x)))


def _leaky(x: np.ndarray, slope: float) -> np.ndarray:
    return np.where(x >= 0, x, x * np.asarray(slope, x.dtype))


relu = _activation(_relu)
relu6 = _activation(_relu6)
hardsigmoid = _activation(_hardsigmoid)
hardswish = _activation(_hardswish)
sigmoid = _activation(_sigmoid)
silu = _activation(_silu)
gelu = _activation(_gelu)


def identity(meter: Meter, x: np.ndarray) -> np.ndarray:
    """x itself; nothing is executed, nothing is counted."""
    return x


def dropout(meter: Meter, x: np.ndarray) -> np.ndarray:
    """Dropout at inference is the identity."""
    return x


ACTIVATIONS: dict[str, Callable[[Meter, np.ndarray], np.ndarray]] = {
    "relu": relu,
    "relu6": relu6,
    "hardswish": hardswish,
    "hardsigmoid": hardsigmoid,
    "sigmoid": sigmoid,
    "silu": silu,
    "swish": silu,
    "gelu": gelu,
    "leaky_relu": leaky_relu,
    "identity": identity,
}
"""Activation kernels by name; `swish` and `silu` are the same function."""


# --- pooling ----------------------------------------------------------------


def _pooled_extent(size: int, kernel: int, stride: int, before: int, after: int, ceil_mode: bool) -> int:
    """PyTorch's output extent; with ceil_mode the last window must start inside input or left pad."""
    span = size + before + after - kernel
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    return out - 1 if ceil_mode and (out - 1) * stride >= size + before else out


def _pool_geometry(
    x: np.ndarray, kernel: Size2, stride: Size2 | None, padding: Padding, ceil_mode: bool
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int, int, int], tuple[int, int]]:
    """Kernel, stride, padding grown to fit every window, and output extents."""
    kernel = _pair(kernel)
    stride = kernel if stride is None else _pair(stride)
    top, bottom, left, right = _sides(padding)
    h, w = x.shape[2:]
    h_out = _pooled_extent(h, kernel[0], stride[0], top, bottom, ceil_mode)
    w_out = _pooled_extent(w, kernel[1], stride[1], left, right, ceil_mode)
    bottom = max(bottom, (h_out - 1) * stride[0] + kernel[0] - h - top)
    right = max(right, (w_out - 1) * stride[1] + kernel[1] - w - left)
    return kernel, stride, (top, bottom, left, right), (h_out, w_out)


def max_pool2d(
    meter: Meter,
    x: np.ndarray,
    kernel: Size2,
    stride: Size2 | None = None,
    padding: Padding = 0,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Maximum over each window; padding never wins (it is −∞). Stride defaults to kernel."""
    kernel, stride, pads, (h_out, w_out) = _pool_geometry(x, kernel, stride, padding, ceil_mode)
    windows = _windows(meter.load(x), kernel, stride, pads, fill=-np.inf)[:, :, :h_out, :w_out]
    return meter.store(meter.reduce(partial(_fold_taps, np.maximum), windows, axis=(4, 5)))


def avg_pool2d(
    meter: Meter,
    x: np.ndarray,
    kernel: Size2,
    stride: Size2 | None = None,
    padding: Padding = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> np.ndarray:
    """Mean over each window, with PyTorch's divisor.

    The divisor counts the window's cells inside the input plus, when
    `count_include_pad`, inside the declared padding; cells added by
    `ceil_mode` never count. Stride defaults to kernel.
    """
    h, w = x.shape[2:]
    top, bottom, left, right = _sides(padding)
    bounds = ((-top, h + bottom), (-left, w + right)) if count_include_pad else ((0, h), (0, w))
    kernel, stride, pads, (h_out, w_out) = _pool_geometry(x, kernel, stride, padding, ceil_mode)
    rows = _window_cells(h_out, kernel[0], stride[0], top, *bounds[0])
    cols = _window_cells(w_out, kernel[1], stride[1], left, *bounds[1])
    windows = _windows(meter.load(x), kernel, stride, pads)[:, :, :h_out, :w_out]
    mean = partial(_window_mean, divisor=np.outer(rows, cols).astype(x.dtype))
    return meter.store(meter.reduce(mean, windows, axis=(4, 5)))


def _window_cells(count: int, kernel: int, stride: int, before: int, low: int, high: int) -> np.ndarray:
    """How many cells of each window along one axis lie in [low, high)."""
    start = np.arange(count) * stride - before
    return np.minimum(start + kernel, high) - np.maximum(start, low)


def _window_mean(windows: np.ndarray, axis: tuple[int, int], divisor: np.ndarray) -> np.ndarray:
    out = _fold_taps(np.add, windows, axis)
    return np.divide(out, divisor, out=out)


def _mean_keepdims(x: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    return np.asarray(np.mean(x, axis=axis, keepdims=True))


def global_avg_pool(meter: Meter, x: np.ndarray) -> np.ndarray:
    """Mean over H and W: [N, C, H, W] → [N, C, 1, 1]; over tokens: [N, L, C] → [N, C]."""
    if x.ndim == 3:
        return meter.store(meter.reduce(np.mean, meter.load(x), axis=1))
    return meter.store(meter.reduce(_mean_keepdims, meter.load(x), axis=(2, 3)))


# --- element-wise binary ops ---------------------------------------------------


def add(meter: Meter, a: np.ndarray, b: np.ndarray, *rest: np.ndarray) -> np.ndarray:
    """a + b (+ …) with numpy broadcasting; each operand is read once at its own size.

    k operands run k − 1 binary adds, each over the output.
    """
    out = meter.apply(np.add, meter.load(a), meter.load(b))
    for other in rest:
        out = meter.apply(_add_into_first, out, meter.load(other))
    return meter.store(out)


def sub(meter: Meter, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a − b of equal shapes, each read once."""
    return meter.store(meter.apply(np.subtract, meter.load(a), meter.load(b)))


def scale(meter: Meter, x: np.ndarray, factor: float, offset: float = 0.0) -> np.ndarray:
    """factor · x + offset for constants: one affine op per element."""
    a, b = np.asarray(factor, x.dtype), np.asarray(offset, x.dtype)
    return meter.store(meter.apply(lambda v: v * a + b, meter.load(x)))


def mul(meter: Meter, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a · b with numpy broadcasting, e.g. [N, C, H, W] · [N, C, 1, 1] (squeeze-excitation)."""
    return meter.store(meter.apply(np.multiply, meter.load(a), meter.load(b)))


def div(meter: Meter, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with numpy broadcasting, e.g. [N, h, L, d] / [N, h, L, 1] (linear attention)."""
    return meter.store(meter.apply(np.divide, meter.load(a), meter.load(b)))


# --- data movement -------------------------------------------------------------


def concat(meter: Meter, tensors: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate along channels: a copy, each input read and the output written."""
    return meter.store(np.concatenate([meter.load(t) for t in tensors], axis=1))


def channel_split(meter: Meter, x: np.ndarray, sections: int | Sequence[int]) -> list[np.ndarray]:
    """Split channels into `sections` equal parts, or parts of the given sizes.

    Counted as a copy: x read once, every part written.

    Raises:
        ValueError: the parts do not add up to the channel count.
    """
    channels = x.shape[1]
    sizes = [channels // sections] * sections if isinstance(sections, int) else list(sections)
    if sum(sizes) != channels or (isinstance(sections, int) and channels % sections):
        raise ValueError(f"channel_split: {channels} channels cannot be split into {sections}")
    parts = np.split(meter.load(x), np.cumsum(sizes)[:-1], axis=1)
    return [meter.store(part) for part in parts]


def channel_shuffle(meter: Meter, x: np.ndarray, groups: int) -> np.ndarray:
    """ShuffleNet's channel shuffle: view C as [groups, C/groups], transpose, flatten."""
    n, c, h, w = x.shape
    if c % groups:
        raise ValueError(f"channel_shuffle: {c} channels not divisible by groups={groups}")
    grouped = meter.load(x).reshape(n, groups, c // groups, h, w)
    return meter.store(grouped.transpose(0, 2, 1, 3, 4).reshape(n, c, h, w))


def concat_shuffle_split(
    meter: Meter, tensors: Sequence[np.ndarray], groups: int, sections: int | Sequence[int] = 1
) -> list[np.ndarray]:
    """Concatenate channels, shuffle them across `groups`, split into `sections`, as ONE copy.

    ShuffleNetV2's unit boundary fused: each input read once, each part written once;
    the concatenation and shuffle are index arithmetic, never materialised.

    Raises:
        ValueError: channels not divisible by `groups`, or parts that do not add up.
    """
    tensors = [meter.load(t) for t in tensors]
    c = sum(t.shape[1] for t in tensors)
    if c % groups:
        raise ValueError(f"concat_shuffle_split: {c} channels not divisible by groups={groups}")
    sizes = [c // sections] * sections if isinstance(sections, int) else list(sections)
    if sum(sizes) != c or (isinstance(sections, int) and c % sections):
        raise ValueError(f"concat_shuffle_split: {c} channels cannot be split into {sections}")
    # shuffled channel j is concatenated channel (j mod g)·(C/g) + j div g
    source = np.arange(c).reshape(groups, c // groups).T.reshape(-1)
    owner = np.repeat(np.arange(len(tensors)), [t.shape[1] for t in tensors])
    local = source - np.cumsum([0, *(t.shape[1] for t in tensors)])[owner[source]]
    parts = []
    for lo, hi in itertools.pairwise(np.cumsum([0, *sizes])):
        part = np.empty((tensors[0].shape[0], hi - lo, *tensors[0].shape[2:]), tensors[0].dtype)
        for index, tensor in enumerate(tensors):
            mine = np.flatnonzero(owner[source[lo:hi]] == index)
            part[:, mine] = tensor[:, local[lo:hi][mine]]
        parts.append(meter.store(part))
    return parts


def flatten(meter: Meter, x: np.ndarray) -> np.ndarray:
    """[N, …] → [N, ∏…]; a reshape, nothing is counted."""
    return x.reshape(x.shape[0], -1)
