"""Fully connected layer on a flattened input."""

from __future__ import annotations

from typing import Literal

from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, register_op, require_int
from costmodel.spec.base import Expr, LayerSpec

__all__ = ["Linear", "linear"]


class Linear(LayerSpec):
    """in → ``out`` features; ``bias`` defaults to true (as in PyTorch)."""

    op: Literal["linear"]
    out: Expr
    bias: bool = True


@register_op(Linear, categories=("contraction",))
def linear(layer: Linear, x: Shape) -> OpResult:
    """params = in·out (+out); maccs = N·in·out; mem_access = N·in + N·out + params;
    elementwise = N·out if bias."""
    if len(x) != 2:
        raise SpecError("linear needs a flattened N×F input; add a 'flatten' layer before it")
    n, features = x
    out = require_int(layer.out, "output features")
    weights = features * out
    bias = out if layer.bias else 0
    cost = Cost(
        params=weights + bias,
        maccs=n * weights,
        mem_access=n * features + n * out + weights + bias,
        elementwise=n * out if layer.bias else 0,
        fragments=1,
    )
    return OpResult([(n, out)], cost)
