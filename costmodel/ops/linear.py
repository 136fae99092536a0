"""Fully connected layer on a flattened input."""

from __future__ import annotations

from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, Traffic, numel, register_op, require_int
from costmodel.spec.layers import Linear

__all__ = ["linear"]


@register_op(Linear, categories=("contraction",))
def linear(layer: Linear, x: Shape) -> OpResult:
    """params = in·out (+out); maccs = n·in·out; mem_access = n·in + n·out + params;
    elementwise = n·out if bias (n = N, or N·L for tokens)."""
    if len(x) not in (2, 3):
        raise SpecError("linear needs features N×F or tokens N×L×C; add a 'flatten' layer before it")
    *rows, features = x
    n = numel(rows)
    out = require_int(layer.out, "output features")
    weights = features * out
    bias = out if layer.bias else 0
    traffic = Traffic(reads=n * features, writes=n * out, weights=weights, bias=bias)
    cost = Cost(
        params=weights + bias,
        maccs=n * weights,
        mem_access=traffic.total,
        elementwise=n * out if layer.bias else 0,
        fragments=1,
    )
    return OpResult([(*rows, out)], cost, traffic=traffic)
