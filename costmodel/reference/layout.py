"""Reference kernels that move data: padding, channel slices, reshapes, layout changes.

A view (`channel_slice`, `reshape`) executes nothing and counts nothing; every other
kernel reads its input once and writes a new tensor once.
"""

from __future__ import annotations

import numpy as np

from costmodel.reference.meter import Meter

__all__ = ["channel_axis", "channel_slice", "pad", "pad_sides"]


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


def channel_slice(meter: Meter, x: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Channels start … stop−1 as a view; nothing is executed or counted."""
    index = [slice(None)] * x.ndim
    index[channel_axis(x)] = slice(start, stop)
    return x[tuple(index)]
