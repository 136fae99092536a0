"""Ops that move data without arithmetic: padding, channel slices, reshapes and layout
changes between N×C×H×W images and N×L×C tokens.

Conventions (docs/glossary.md): a view (``slice``, ``reshape``) is free — no kernel, no
memory access; anything that writes a new tensor (``pad``, ``permute``, ``tokens``,
``image``, ``unfold_patches``, ``fold_patches``) is a copy: mem_access = |x| + |y|, one
fragment, no element-wise work.
"""

from __future__ import annotations

from typing import Literal

from costmodel.arith import is_symbolic
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import (
    OpResult,
    Shape,
    channel_axis,
    numel,
    register_op,
    require_4d,
    require_int,
)
from costmodel.spec.base import Expr, LayerSpec

__all__ = ["Pad", "Slice", "pad", "channel_slice", "copy_cost"]


class Pad(LayerSpec):
    """Pad H and W: ``padding`` is p, [p_h, p_w] or [top, bottom, left, right]; ``mode``
    ``constant`` (with ``value``), ``reflect`` or ``replicate`` (as ``F.pad``)."""

    op: Literal["pad"]
    padding: list[Expr] | Expr
    mode: Literal["constant", "reflect", "replicate"] = "constant"
    value: Expr = 0


class Slice(LayerSpec):
    """Channels ``start`` … ``stop``−1 (``stop`` defaults to all) of the input, as a free view
    (``x[:, start:stop]``; on tokens N×L×C the last axis)."""

    op: Literal["slice"]
    start: Expr = 0
    stop: Expr | None = None


def copy_cost(x: Shape, y: Shape) -> Cost:
    """A copy: x read once, y written once, one kernel."""
    return Cost(mem_access=numel(x) + numel(y), fragments=1)


def _sides(padding: object) -> tuple[object, object, object, object]:
    values = padding if isinstance(padding, list) else [padding]
    if len(values) == 1:
        return values[0], values[0], values[0], values[0]
    if len(values) == 2:
        return values[0], values[0], values[1], values[1]
    if len(values) == 4:
        return values[0], values[1], values[2], values[3]
    raise SpecError(f"padding needs 1, 2 or 4 values, got {len(values)}")


@register_op(Pad, categories=("copy",))
def pad(layer: Pad, x: Shape) -> OpResult:
    """A copy into the larger tensor: mem_access = |x| + |y|; y is N×C×(H+t+b)×(W+l+r)."""
    n, c, h, w = require_4d(x, "pad")
    top, bottom, left, right = (require_int(p, "padding", minimum=0) for p in _sides(layer.padding))
    if layer.mode == "reflect":
        for before, after, size, axis in ((top, bottom, h, "height"), (left, right, w, "width")):
            if not any(is_symbolic(v) for v in (before, after, size)) and max(before, after) >= size:
                raise SpecError(f"reflect padding {max(before, after)} needs an input {axis} "
                                f"above it, got {size}")
    out = (n, c, h + top + bottom, w + left + right)
    return OpResult([out], copy_cost(x, out))


@register_op(Slice, categories=("view",))
def channel_slice(layer: Slice, x: Shape) -> OpResult:
    """A view: free. Output channels = stop − start."""
    axis = channel_axis(x)
    channels = x[axis]
    start = require_int(layer.start, "slice start", minimum=0)
    stop = channels if layer.stop is None else require_int(layer.stop, "slice stop")
    if not any(is_symbolic(v) for v in (start, stop, channels)) and not start < stop <= channels:
        raise SpecError(f"slice {start}:{stop} is not a non-empty range of the input's "
                        f"{channels} channels")
    return OpResult([x[:axis] + (stop - start,) + x[axis + 1:]], Cost())
