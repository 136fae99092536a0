"""Constant folding: ONNX nodes whose inputs are all known are evaluated in numpy, so
shape arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape, as TorchScript traces
``x.size()``) and exporter helpers (CastLike of a literal, Identity of an initializer)
become constants and are never counted as layers.

A constant derived from an initializer is a *parameter* (``param``); its data may be
stripped (``value`` None): it is then evaluated on zeros of its shape, so its shape is
still known, and the result's value stays unknown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np

from costmodel.errors import SpecError

__all__ = ["Const", "FOLDABLE", "fold", "folded_size", "MAX_FOLDED_ELEMENTS"]

MAX_FOLDED_ELEMENTS = 2**25
"""Most elements a folded constant may have when its size comes from values rather than
from its inputs' sizes (ConstantOfShape, Expand, Tile, Range, a broadcast, a Gather): shape
arithmetic needs a few, and 2²⁵ int64 are 256 MiB. A model asking for more (a
ConstantOfShape of [10⁶, 10⁶], a Range to 10¹²) is refused before numpy allocates it."""


@dataclass(frozen=True)
class Const:
    """A tensor known before the input is: its ``shape``, its ``value`` unless its data is
    stripped or unknown, and whether it is (derived from) an initializer (``param``)."""

    shape: tuple[int, ...]
    value: np.ndarray | None = None
    param: bool = False

    def array(self) -> np.ndarray:
        """The value, or zeros of the shape when the data is unknown (a zero-copy view)."""
        if self.value is not None:
            return self.value
        return np.broadcast_to(np.float32(0), self.shape)

    def scalar(self) -> float | None:
        """The value of a one-element constant with known data, else None."""
        if self.value is None or self.value.size != 1:
            return None
        return float(self.value.reshape(()))


def _axes(node_attrs: dict[str, Any], inputs: Sequence[np.ndarray], index: int) -> list[int] | None:
    """Axes as an attribute (older opsets) or as input ``index`` (newer ones)."""
    if len(inputs) > index:
        return [int(a) for a in np.asarray(inputs[index]).reshape(-1)]
    axes = node_attrs.get("axes")
    return None if axes is None else list(axes)


def _reshape(x: np.ndarray, shape: np.ndarray, allowzero: int = 0) -> np.ndarray:
    target = [int(d) for d in shape]
    if not allowzero:
        target = [x.shape[i] if d == 0 else d for i, d in enumerate(target)]
    return np.reshape(x, target)


def _slice(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, axes: np.ndarray | None = None,
           steps: np.ndarray | None = None) -> np.ndarray:
    index = [slice(None)] * x.ndim
    axes_list = list(range(len(starts))) if axes is None else [int(a) for a in axes]
    for i, axis in enumerate(axes_list):
        step = 1 if steps is None else int(steps[i])
        index[axis] = slice(int(starts[i]), int(ends[i]), step)
    return x[tuple(index)]


def _unsqueeze(x: np.ndarray, axes: list[int]) -> np.ndarray:
    rank = x.ndim + len(axes)
    for axis in sorted(a % rank for a in axes):
        x = np.expand_dims(x, axis)
    return x


def _gather_nd(data: np.ndarray, index: np.ndarray, batch_dims: int) -> np.ndarray:
    if batch_dims:
        raise ValueError("GatherND with batch_dims")
    return data[tuple(np.moveaxis(index, -1, 0))]


def _cumsum(x: np.ndarray, axis: int, exclusive: int, reverse: int) -> np.ndarray:
    y = np.flip(x, axis) if reverse else x
    out = np.cumsum(y, axis=axis, dtype=x.dtype)
    if exclusive:
        out = out - y
    return np.flip(out, axis) if reverse else out


def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.issubdtype(np.result_type(a, b), np.integer):
        return np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))  # ONNX: truncation
    return np.true_divide(a, b)


_ONNX_TO_NUMPY: dict[int, Any] = {1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32,
                                   7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64}

Evaluator = Callable[[dict[str, Any], list[np.ndarray]], list[np.ndarray]]


def _one(function: Callable[..., np.ndarray]) -> Evaluator:
    return lambda attrs, xs: [np.asarray(function(*xs))]


FOLDABLE: dict[str, Evaluator] = {
    "Identity": _one(lambda x: x),
    "Cast": lambda a, xs: [np.asarray(xs[0]).astype(_ONNX_TO_NUMPY.get(a.get("to", 1), np.float32))],
    "CastLike": lambda a, xs: [np.asarray(xs[0]).astype(np.asarray(xs[1]).dtype)],
    "Shape": lambda a, xs: [np.array(np.shape(xs[0])[a.get("start", 0):a.get("end")], np.int64)],
    "Size": lambda a, xs: [np.array(np.size(xs[0]), np.int64)],
    "Gather": lambda a, xs: [np.take(xs[0], np.asarray(xs[1]).astype(np.int64), axis=a.get("axis", 0))],
    "Unsqueeze": lambda a, xs: [_unsqueeze(np.asarray(xs[0]), _axes(a, xs, 1) or [])],
    "Squeeze": lambda a, xs: [np.squeeze(xs[0], axis=tuple(_axes(a, xs, 1) or ()) or None)],
    "Concat": lambda a, xs: [np.concatenate([np.atleast_1d(x) for x in xs], axis=a.get("axis", 0))],
    "Reshape": lambda a, xs: [_reshape(np.asarray(xs[0]), np.asarray(xs[1]), a.get("allowzero", 0))],
    "Flatten": lambda a, xs: [np.reshape(xs[0], (int(np.prod(np.shape(xs[0])[:a.get("axis", 1)])), -1))],
    "Transpose": lambda a, xs: [np.transpose(xs[0], a.get("perm"))],
    "Slice": lambda a, xs: [_slice(np.asarray(xs[0]), *xs[1:]) if len(xs) > 1 else
                            _slice(np.asarray(xs[0]), np.array(a["starts"]), np.array(a["ends"]),
                                   np.array(a["axes"]) if "axes" in a else None)],
    "Expand": lambda a, xs: [np.asarray(xs[0]) * np.ones([int(d) for d in xs[1]], np.asarray(xs[0]).dtype)],
    "ConstantOfShape": lambda a, xs: [np.full([int(d) for d in xs[0]],
                                              a["value"].reshape(()) if "value" in a else np.float32(0))],
    "Range": _one(lambda start, limit, delta: np.arange(start, limit, delta)),
    "Add": _one(np.add), "Sub": _one(np.subtract), "Mul": _one(np.multiply), "Div": _one(_divide),
    "Pow": _one(np.power), "Sqrt": _one(np.sqrt), "Neg": _one(np.negative), "Abs": _one(np.abs),
    "Floor": _one(np.floor), "Ceil": _one(np.ceil), "Reciprocal": _one(np.reciprocal),
    "Sin": _one(np.sin), "Cos": _one(np.cos), "Exp": _one(np.exp), "Log": _one(np.log),
    "Tanh": _one(np.tanh), "Round": _one(np.round),
    "Mod": lambda a, xs: [(np.fmod if a.get("fmod", 0) else np.mod)(xs[0], xs[1])],
    "Min": _one(lambda *xs: np.minimum.reduce(np.broadcast_arrays(*xs))),
    "Max": _one(lambda *xs: np.maximum.reduce(np.broadcast_arrays(*xs))),
    "GatherND": lambda a, xs: [_gather_nd(np.asarray(xs[0]), np.asarray(xs[1]).astype(np.int64),
                                          a.get("batch_dims", 0))], "Equal": _one(np.equal), "Less": _one(np.less),
    "Greater": _one(np.greater), "Not": _one(np.logical_not), "Where": _one(np.where),
    "Clip": _one(lambda x, low=None, high=None: np.clip(x, low, high)),
    "Relu": _one(lambda x: np.maximum(x, 0)),
    "Tile": _one(lambda x, reps: np.tile(x, [int(r) for r in reps])),
    "CumSum": lambda a, xs: [_cumsum(np.asarray(xs[0]), int(np.asarray(xs[1]).reshape(())),
                                     a.get("exclusive", 0), a.get("reverse", 0))],
    "ReduceProd": lambda a, xs: [np.prod(xs[0], axis=tuple(_axes(a, xs, 1) or range(np.ndim(xs[0]))),
                                         keepdims=bool(a.get("keepdims", 1)))],
    "Split": lambda a, xs: np.split(xs[0], np.cumsum(np.asarray(xs[1]))[:-1] if len(xs) > 1 else
                                    (np.cumsum(a["split"])[:-1] if "split" in a else a["num_outputs"]),
                                    axis=a.get("axis", 0)),
}
"""ONNX op → numpy evaluation on constant inputs (shape arithmetic and exporter helpers)."""


_BROADCAST = {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Min", "Max", "Equal", "Less", "Greater",
              "Where", "Clip"}


def folded_size(op_type: str, attrs: dict[str, Any], xs: list[np.ndarray]) -> int:
    """Elements of the output of ``op_type`` on ``xs`` for the ops whose output may be far
    larger than their inputs (0 for the others, bounded by their inputs). Raises ValueError
    on inputs numpy would refuse too (a Range of step 0, shapes that do not broadcast)."""
    def count(dims: Any) -> int:
        return prod(max(int(d), 0) for d in np.asarray(dims).reshape(-1))

    if op_type == "ConstantOfShape":
        return count(xs[0])
    if op_type == "Expand":
        return count(np.broadcast_shapes(np.shape(xs[0]), tuple(int(d) for d in np.asarray(xs[1]).reshape(-1))))
    if op_type == "Tile":
        return count(np.shape(xs[0])) * count(xs[1])
    if op_type == "Range":
        start, limit, delta = (float(np.asarray(x).reshape(-1)[0]) for x in xs[:3])
        if delta == 0 or not all(map(math.isfinite, (start, limit, delta))):
            raise ValueError("Range with a step of 0 or a bound that is not finite")
        return max(0, math.ceil((limit - start) / delta))
    if op_type in _BROADCAST:
        return count(np.broadcast_shapes(*(np.shape(x) for x in xs)))
    if op_type == "Gather":
        axis = attrs.get("axis", 0)
        rest = [d for i, d in enumerate(np.shape(xs[0])) if i != axis % max(np.ndim(xs[0]), 1)]
        return count(np.shape(xs[1])) * count(rest)
    return 0


def fold(op_type: str, attrs: dict[str, Any], inputs: list[Const]) -> list[Const] | None:
    """The constant outputs of a node of ``op_type`` with constant ``inputs`` (None when the
    op is not foldable). Outputs of parameters are parameters; their values stay unknown
    when an input's data is unknown (``Shape`` of anything is known). Raises
    :class:`SpecError` for a constant of more than :data:`MAX_FOLDED_ELEMENTS` elements."""
    evaluate = FOLDABLE.get(op_type)
    if evaluate is None:
        return None
    needed = {"Shape": [], "Size": [], "CastLike": inputs[:1]}.get(op_type, inputs)
    known = all(c.value is not None for c in needed)
    param = any(c.param for c in inputs) and op_type not in ("Shape", "Size")
    arrays = [c.array() for c in inputs]
    try:
        size = folded_size(op_type, attrs, arrays)
    except (ValueError, IndexError, TypeError, OverflowError):
        return None
    if size > MAX_FOLDED_ELEMENTS:
        raise SpecError(f"folding this {op_type} of constants would make a tensor of {size:,} elements, "
                        f"more than {MAX_FOLDED_ELEMENTS:,} (MAX_FOLDED_ELEMENTS)")
    try:
        with np.errstate(all="ignore"):
            results = evaluate(attrs, arrays)
    except (ValueError, IndexError, TypeError, KeyError, ZeroDivisionError, OverflowError):
        return None
    return [Const(tuple(np.shape(r)), np.asarray(r) if known else None, param) for r in results]
