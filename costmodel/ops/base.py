"""The op registry: each op is one spec class plus one formula function.

A formula receives the layer (its expression fields already evaluated to exact values)
and the shapes of its inputs, and returns the output shapes and the :class:`Cost`. It is
written once as ordinary arithmetic and serves numbers and sympy expressions alike.
Shapes are tuples ``(N, C, H, W)``, tokens ``(N, L, C)`` or features ``(N, F)``; attention
works on ``(N, heads, L, d)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from costmodel.arith import Value, as_int, is_symbolic
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.spec.base import LayerSpec, op_names

__all__ = [
    "Shape", "OpResult", "OpDef", "OPS", "register_op", "numel", "pair",
    "require_int", "require_4d", "require_shapes_equal", "channel_axis",
]

Shape = tuple[Any, ...]


@dataclass(frozen=True)
class OpResult:
    """What a formula returns: one shape per output, and the cost."""

    outputs: list[Shape]
    cost: Cost


Formula = Callable[..., OpResult]


@dataclass(frozen=True)
class OpDef:
    """A registered op: its spec class, its formula and how many inputs it takes."""

    name: str
    spec: type[LayerSpec]
    formula: Formula
    arity: int | None  # None: one or more


OPS: dict[str, OpDef] = {}


def register_op(spec: type[LayerSpec], *, arity: int | None = 1) -> Callable[[Formula], Formula]:
    """Register ``formula`` for every op name the ``spec`` class's ``op`` literal allows."""

    def decorate(formula: Formula) -> Formula:
        for name in op_names(spec):
            if name in OPS:
                raise ValueError(f"op '{name}' is registered twice")
            OPS[name] = OpDef(name, spec, formula, arity)
        return formula

    return decorate


def numel(shape: Shape) -> Value:
    """Number of elements of a tensor of ``shape``."""
    total: Value = 1
    for size in shape:
        total = total * size
    return total


def pair(value: Value | Sequence[Value]) -> tuple[Value, Value]:
    """``k`` → ``(k, k)``; ``[kh, kw]`` → ``(kh, kw)``."""
    if isinstance(value, (list, tuple)):
        return value[0], value[1]
    return value, value


def require_int(value: Value, what: str, *, minimum: int = 1) -> Value:
    """An integral value ≥ ``minimum`` (checked when numeric), as ``int``."""
    value = as_int(value)
    if is_symbolic(value):
        return value
    if not isinstance(value, int):
        raise SpecError(f"{what} is {value}, not a whole number (round it, e.g. make_divisible(...))")
    if value < minimum:
        raise SpecError(f"{what} is {value}; it must be at least {minimum}")
    return value


def require_4d(shape: Shape, op: str) -> Shape:
    """Check that ``shape`` is N×C×H×W."""
    if len(shape) != 4:
        raise SpecError(f"{op} needs an N×C×H×W input, got shape {_show(shape)}")
    return shape


def require_shapes_equal(shapes: Sequence[Shape], op: str) -> Shape:
    """All ``shapes`` equal (where numeric); returns the first."""
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first) or any(
            a != b for a, b in zip(first, other) if not (is_symbolic(a) or is_symbolic(b))
        ):
            raise SpecError(f"{op} inputs have different shapes: "
                            + " vs ".join(_show(s) for s in shapes))
    return first


def channel_axis(shape: Shape) -> int:
    """The channel axis: 1 of N×C×H×W, the last of tokens N×L×C and features N×F."""
    return 1 if len(shape) == 4 else len(shape) - 1


def _show(shape: Shape) -> str:
    return "×".join(str(size) for size in shape)
