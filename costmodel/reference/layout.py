"""Reference kernels that move data: padding, channel slices, reshapes, layout changes.

A view (`channel_slice`, `reshape`) executes nothing and counts nothing; every other
kernel reads its input once and writes a new tensor once.
"""

from __future__ import annotations

import numpy as np

from costmodel.reference.meter import Meter

__all__ = ["channel_axis", "channel_slice", "fold_patches", "image", "merge_heads", "pad",
           "pad_sides", "permute", "reshape", "split_heads", "tokens", "unfold_patches"]


def channel_axis(x: np.ndarray) -> int:
    """1 for [N, C, H, W]; the last axis for tokens [N, L, C] and features [N, F]."""
    return 1 if x.ndim == 4 else x.ndim - 1


def pad_sides(values: list[int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from [p], [p_h, p_w] or [top, bottom, left, right]."""
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return values[0], values[0], values[1], values[1]
    top, bottom, left, right = values
    return top, bottom, left, right


def pad(meter: Meter, x: np.ndarray, pads: tuple[int, int, int, int], mode: str = "constant",
        value: float = 0.0) -> np.ndarray:
    """[N, C, H, W] padded by (top, bottom, left, right): ``constant`` (`value`), ``reflect``
    or ``replicate`` (PyTorch's `F.pad` modes)."""
    top, bottom, left, right = pads
    widths = ((0, 0), (0, 0), (top, bottom), (left, right))
    x = meter.load(x)
    if mode == "constant":
        return meter.store(np.pad(x, widths, constant_values=value))
    if mode == "reflect":
        return meter.store(np.pad(x, widths, mode="reflect"))
    if mode == "replicate":
        return meter.store(np.pad(x, widths, mode="edge"))
    raise ValueError(f"pad: unknown mode {mode!r}")


def channel_slice(meter: Meter, x: np.ndarray, start: int, stop: int, step: int = 1) -> np.ndarray:
    """Channels start … stop−1, every step-th, as a view; nothing is executed or counted."""
    index = [slice(None)] * x.ndim
    index[channel_axis(x)] = slice(start, stop, step)
    return x[tuple(index)]


def reshape(meter: Meter, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A view with another shape (-1 allowed once); nothing is executed or counted."""
    return x.reshape(shape)


def _copy(meter: Meter, view: np.ndarray) -> np.ndarray:
    """Materialize a view of a loaded tensor: the new tensor written once."""
    return meter.store(np.ascontiguousarray(view))


def permute(meter: Meter, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    """The axes of x reordered (`np.transpose`), written as a new tensor."""
    return _copy(meter, meter.load(x).transpose(dims))


def tokens(meter: Meter, x: np.ndarray) -> np.ndarray:
    """[N, C, H, W] → [N, H·W, C]."""
    n, c, h, w = x.shape
    return _copy(meter, meter.load(x).reshape(n, c, h * w).transpose(0, 2, 1))


def image(meter: Meter, x: np.ndarray, height: int, width: int) -> np.ndarray:
    """[N, H·W, C] → [N, C, H, W]."""
    n, _, c = x.shape
    return _copy(meter, meter.load(x).transpose(0, 2, 1).reshape(n, c, height, width))


def unfold_patches(meter: Meter, x: np.ndarray, patch: tuple[int, int]) -> np.ndarray:
    """[N, C, H, W] → [N·p_h·p_w, (H/p_h)·(W/p_w), C]: sequence (i, j) holds pixel (i, j) of
    every patch, patches in row-major order (timm's MobileViT ``unfold``)."""
    n, c, h, w = x.shape
    ph, pw = patch
    grid = meter.load(x).reshape(n, c, h // ph, ph, w // pw, pw)
    return _copy(meter, grid.transpose(0, 3, 5, 2, 4, 1).reshape(n * ph * pw, -1, c))


def fold_patches(meter: Meter, x: np.ndarray, patch: tuple[int, int], height: int, width: int,
                 ) -> np.ndarray:
    """The inverse of `unfold_patches`: [N·p_h·p_w, L, C] → [N, C, height, width]."""
    sequences, _, c = x.shape
    ph, pw = patch
    grid = meter.load(x).reshape(sequences // (ph * pw), ph, pw, height // ph, width // pw, c)
    return _copy(meter, grid.transpose(0, 5, 3, 1, 4, 2).reshape(-1, c, height, width))


def split_heads(meter: Meter, x: np.ndarray, heads: int) -> np.ndarray:
    """[N, L, h·d] → [N, h, L, d]."""
    n, length, c = x.shape
    return _copy(meter, meter.load(x).reshape(n, length, heads, c // heads).transpose(0, 2, 1, 3))


def merge_heads(meter: Meter, x: np.ndarray) -> np.ndarray:
    """[N, h, L, d] → [N, L, h·d]."""
    n, heads, length, d = x.shape
    return _copy(meter, meter.load(x).transpose(0, 2, 1, 3).reshape(n, length, heads * d))
