"""Ops that move data without arithmetic: padding, channel slices, reshapes and layout
changes between N×C×H×W images and N×L×C tokens.

Conventions (docs/glossary.md): a view (``slice``, ``reshape``) is free — no kernel, no
memory access; anything that writes a new tensor (``pad``, ``permute``, ``tokens``,
``image``, ``unfold_patches``, ``fold_patches``) is a copy: mem_access = |x| + |y|, one
fragment, no element-wise work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from costmodel.arith import Value, is_symbolic
from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import (
    OpResult,
    Shape,
    channel_axis,
    numel,
    pair,
    register_op,
    require_4d,
    require_int,
)
from costmodel.spec.layers import (
    FoldPatches,
    Image,
    MergeHeads,
    Pad,
    Permute,
    Reshape,
    Slice,
    SplitHeads,
    Tokens,
    UnfoldPatches,
)

__all__ = ["pad", "channel_slice", "reshape", "permute", "tokens", "image", "unfold_patches", "fold_patches", "split_heads", "merge_heads", "copy_cost", "TRANSPOSITIONS", "Transposition", "register_transposition"]

Transposition = tuple[tuple[int, ...], tuple[int, ...]]
"""The tensor shape a transposing op permutes and the permutation (ONNX Transpose's ``perm``)."""

TRANSPOSITIONS: dict[str, Callable[[Any, Shape], Transposition]] = {}
"""Op → the one Transpose it moves its data with, as costmodel's export writes it (between
views): (shape, perm) from the layer and its input shape. A runtime's cost for it depends on
the permutation, not only on the bytes (costmodel/latency/kernels.py)."""


def register_transposition(op: str) -> Callable[[Callable[[Any, Shape], Transposition]],
                                                Callable[[Any, Shape], Transposition]]:
    """``@register_transposition(op)``: the function giving ``op``'s (shape, perm)."""
    def register(function: Callable[[Any, Shape], Transposition]) -> Callable[[Any, Shape], Transposition]:
        TRANSPOSITIONS[op] = function
        return function
    return register


def _ints(*values: Value) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


register_transposition("permute")(lambda layer, x: (_ints(*x), tuple(layer.dims)))
register_transposition("tokens")(lambda layer, x: (_ints(x[0], x[1], numel(x[2:])), (0, 2, 1)))
register_transposition("image")(lambda layer, x: (_ints(*x), (0, 2, 1)))
register_transposition("split_heads")(lambda layer, x: (_ints(x[0], x[1], int(layer.heads), x[2] // int(layer.heads)),
                                             (0, 2, 1, 3)))
register_transposition("merge_heads")(lambda layer, x: (_ints(*x), (0, 2, 1, 3)))


@register_transposition("unfold_patches")
def _unfold_grid(layer: UnfoldPatches, x: Shape) -> Transposition:
    n, c, h, w = _ints(*x)
    ph, pw = _ints(*pair(layer.patch))
    return (n, c, h // ph, ph, w // pw, pw), (0, 3, 5, 2, 4, 1)


@register_transposition("fold_patches")
def _fold_grid(layer: FoldPatches, x: Shape) -> Transposition:
    sequences, _, c = _ints(*x)
    ph, pw = _ints(*pair(layer.patch))
    height, width = _ints(layer.height, layer.width)
    return (sequences // (ph * pw), ph, pw, height // ph, width // pw, c), (0, 5, 3, 1, 4, 2)


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


@register_op(Slice, categories=("view", "runtime_copy"))
def channel_slice(layer: Slice, x: Shape) -> OpResult:
    """A view: free. Output channels = ⌈(stop − start)/step⌉."""
    axis = channel_axis(x)
    channels = x[axis]
    start = require_int(layer.start, "slice start", minimum=0)
    stop = channels if layer.stop is None else require_int(layer.stop, "slice stop")
    step = require_int(layer.step, "slice step", minimum=1)
    if not any(is_symbolic(v) for v in (start, stop, channels)) and not start < stop <= channels:
        raise SpecError(f"slice {start}:{stop} is not a non-empty range of the input's "
                        f"{channels} channels")
    kept = stop - start if step == 1 else -((start - stop) // step)
    return OpResult([x[:axis] + (kept,) + x[axis + 1:]], Cost())


def _divides(part: Value, whole: Value, what: str) -> Value:
    """whole / part, which must be whole."""
    if not require(whole % part, "==", 0, f"{what} divisible"):
        raise SpecError(f"{what}: {whole} is not divisible by {part}")
    return whole // part


@register_op(Reshape, categories=("view",))
def reshape(layer: Reshape, x: Shape) -> OpResult:
    """A view: free. The element count must stay the same."""
    sizes = [require_int(s, "shape entry", minimum=-1) for s in layer.shape]
    if sum(1 for s in sizes if s == -1) > 1 or any(s == 0 for s in sizes):
        raise SpecError("reshape: at most one entry may be -1 and none may be 0")
    known = numel([s for s in sizes if s != -1])
    total = numel(x)
    if -1 in sizes:
        rest = _divides(known, total, f"reshape of {_show(x)} to {sizes}")
        sizes = [rest if s == -1 else s for s in sizes]
    elif not (is_symbolic(known) or is_symbolic(total)) and known != total:
        raise SpecError(f"reshape of {_show(x)} ({total} elements) to {sizes} ({known})")
    return OpResult([tuple(sizes)], Cost())


@register_op(Permute, categories=("copy",))
def permute(layer: Permute, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    if sorted(layer.dims) != list(range(len(x))):
        raise SpecError(f"permute dims {layer.dims} are not a permutation of 0…{len(x) - 1}")
    out = tuple(x[d] for d in layer.dims)
    return OpResult([out], copy_cost(x, out))


@register_op(Tokens, categories=("copy",))
def tokens(layer: Tokens, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    n, c, h, w = require_4d(x, "tokens")
    out = (n, h * w, c)
    return OpResult([out], copy_cost(x, out))


def _require_tokens(x: Shape, op: str) -> Shape:
    if len(x) != 3:
        raise SpecError(f"{op} needs tokens N×L×C, got shape {_show(x)}")
    return x


@register_op(Image, categories=("copy",))
def image(layer: Image, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    n, length, c = _require_tokens(x, "image")
    height = require_int(layer.height, "height")
    width = (_divides(height, length, "image: tokens per row") if layer.width is None
             else require_int(layer.width, "width"))
    if not require(height * width, "==", length, "image: height·width = tokens"):
        raise SpecError(f"image: {height}×{width} pixels from {length} tokens")
    out = (n, c, height, width)
    return OpResult([out], copy_cost(x, out))


@register_op(UnfoldPatches, categories=("copy",))
def unfold_patches(layer: UnfoldPatches, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    n, c, h, w = require_4d(x, "unfold_patches")
    ph, pw = (require_int(p, "patch size") for p in pair(layer.patch))
    rows, cols = _divides(ph, h, "unfold_patches height"), _divides(pw, w, "unfold_patches width")
    out = (n * ph * pw, rows * cols, c)
    return OpResult([out], copy_cost(x, out))


@register_op(FoldPatches, categories=("copy",))
def fold_patches(layer: FoldPatches, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    sequences, length, c = _require_tokens(x, "fold_patches")
    ph, pw = (require_int(p, "patch size") for p in pair(layer.patch))
    height, width = require_int(layer.height, "height"), require_int(layer.width, "width")
    patches = _divides(ph, height, "fold_patches height") * _divides(pw, width, "fold_patches width")
    if not require(patches, "==", length, "fold_patches: patches = tokens"):
        raise SpecError(f"fold_patches: {height}×{width} in {ph}×{pw} patches needs {patches} "
                        f"tokens, got {length}")
    out = (_divides(ph * pw, sequences, "fold_patches sequences"), c, height, width)
    return OpResult([out], copy_cost(x, out))


@register_op(SplitHeads, categories=("copy",))
def split_heads(layer: SplitHeads, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    n, length, c = _require_tokens(x, "split_heads")
    heads = require_int(layer.heads, "heads")
    out = (n, heads, length, _divides(heads, c, "split_heads channels"))
    return OpResult([out], copy_cost(x, out))


@register_op(MergeHeads, categories=("copy",))
def merge_heads(layer: MergeHeads, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    if len(x) != 4:
        raise SpecError(f"merge_heads needs N×heads×L×d, got shape {_show(x)}")
    n, heads, length, d = x
    out = (n, length, heads * d)
    return OpResult([out], copy_cost(x, out))


def _show(shape: Shape) -> str:
    return "×".join(str(size) for size in shape)
