"""Ops that combine, split, reorder or reshape tensors."""

from __future__ import annotations

from typing import Any

from costmodel.arith import is_symbolic
from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import (
    OpResult,
    Shape,
    numel,
    register_op,
    require_count,
    require_int,
    require_shapes_equal,
)
from costmodel.ops.layout import Transposition, register_transposition
from costmodel.spec.layers import Add, Concat, Div, Dropout, Flatten, Mul, Shuffle, Split, Sub

__all__ = []


@register_op(Add, arity=None, categories=("elementwise", "sum", "in_place"))
def add(layer: Add, *xs: Shape) -> OpResult:
    """mem_access = Σ|xᵢ| + |y|; elementwise = (inputs − 1)·|y|."""
    if len(xs) < 2:
        raise SpecError("add needs at least two inputs")
    return _combined(xs, "add")


@register_op(Sub, arity=2, categories=("elementwise", "in_place"))
def sub(layer: Sub, a: Shape, b: Shape) -> OpResult:
    """mem_access = |a| + |b| + |y|; elementwise = |y|."""
    return _combined((a, b), "sub")


def _combined(xs: tuple[Shape, ...], op: str) -> OpResult:
    """Equal-shaped inputs combined element by element: k − 1 binary ops per element."""
    out = require_shapes_equal(xs, op)
    size = numel(out)
    return OpResult([out], Cost(mem_access=(len(xs) + 1) * size,
                                elementwise=(len(xs) - 1) * size, fragments=1))


def _broadcast(a: Shape, b: Shape, op: str) -> Shape:
    if len(a) != len(b):
        raise SpecError(f"{op} inputs have different ranks: {a} vs {b}")
    out: list[Any] = []
    for x, y in zip(a, b):
        if is_symbolic(x) or is_symbolic(y):
            if not (x == 1 or y == 1 or require(x, "==", y, f"{op} input sizes equal or 1")):
                raise SpecError(f"{op} inputs do not broadcast")
            out.append(y if x == 1 else x)
        elif x == y or y == 1 or x == 1:
            out.append(max(x, y))
        else:
            raise SpecError(f"{op} inputs do not broadcast: "
                            + "×".join(map(str, a)) + " vs " + "×".join(map(str, b)))
    return tuple(out)


@register_op(Mul, arity=2, categories=("elementwise", "product", "mul_output"))
def mul(layer: Mul, a: Shape, b: Shape) -> OpResult:
    """mem_access = |a| + |b| + |y| (operands at their own sizes); elementwise = |y|."""
    return _broadcast_binary(a, b, "mul")


@register_op(Div, arity=2, categories=("elementwise", "product"))
def div(layer: Div, a: Shape, b: Shape) -> OpResult:
    """mem_access = |a| + |b| + |y| (operands at their own sizes); elementwise = |y|."""
    return _broadcast_binary(a, b, "div")


def _broadcast_binary(a: Shape, b: Shape, op: str) -> OpResult:
    out = _broadcast(a, b, op)
    size = numel(out)
    return OpResult([out], Cost(mem_access=numel(a) + numel(b) + size, elementwise=size,
                                fragments=1))


@register_op(Concat, arity=None, categories=("copy",))
def concat(layer: Concat, *xs: Shape) -> OpResult:
    """A copy: mem_access = Σ|xᵢ| + |y|."""
    rest = [x[:1] + x[2:] for x in xs]
    require_shapes_equal(rest, "concat (outside the channel axis)")
    channels = sum(x[1] for x in xs[1:]) + xs[0][1]
    out = (xs[0][0], channels, *xs[0][2:])
    return OpResult([out], Cost(mem_access=2 * numel(out), fragments=1))


@register_op(Split, categories=("copy",))
def split(layer: Split, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    channels = x[1]
    if layer.sections is not None:
        sections = [require_int(s, "split section") for s in layer.sections]
        total = sum(sections[1:], sections[0])
        if not require(total, "==", channels, "split sections add up to the channels"):
            raise SpecError(f"split sections add up to {total}, but the input has {channels} channels")
    elif layer.parts is not None:
        parts = require_count(layer.parts, "parts")
        if not require(channels % parts, "==", 0, "channels divisible into the parts"):
            raise SpecError(f"{channels} channels cannot be split into {parts} equal parts")
        sections = [channels // parts] * parts
    else:
        raise SpecError("split needs 'parts' or 'sections'")
    outputs = [(x[0], s, *x[2:]) for s in sections]
    return OpResult(outputs, Cost(mem_access=2 * numel(x), fragments=1))


@register_transposition("shuffle")
def _shuffle_grid(layer: Shuffle, x: Shape) -> Transposition:
    n, c, *rest = (int(v) for v in x)
    groups = int(layer.groups)
    return (n, groups, c // groups, *rest), (0, 2, 1, *range(3, len(x) + 1))


@register_op(Shuffle, categories=("copy",))
def shuffle(layer: Shuffle, x: Shape) -> OpResult:
    """A copy: mem_access = 2·|x|."""
    groups = require_int(layer.groups, "groups")
    if not (is_symbolic(x[1]) or is_symbolic(groups)) and x[1] % groups:
        raise SpecError(f"{x[1]} channels not divisible by groups={groups}")
    return OpResult([x], Cost(mem_access=2 * numel(x), fragments=1))


@register_op(Flatten, categories=("view",))
def flatten(layer: Flatten, x: Shape) -> OpResult:
    """A view: free."""
    return OpResult([(x[0], numel(x[1:]))], Cost())


@register_op(Dropout, categories=("view", "inference_noop"))
def dropout(layer: Dropout, x: Shape) -> OpResult:
    """Identity at inference: free."""
    return OpResult([x], Cost())
