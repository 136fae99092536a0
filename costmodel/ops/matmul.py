"""Batched matrix product, as attention uses it (Q·Kᵀ, A·V)."""

from __future__ import annotations

from typing import Any

from costmodel.arith import is_symbolic
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, numel, register_op
from costmodel.spec.layers import MatMul

__all__ = ["matmul"]


@register_op(MatMul, arity=2, categories=("contraction", "tensor_product"))
def matmul(layer: MatMul, a: Shape, b: Shape) -> OpResult:
    """maccs = |batch|·M·K·N; mem_access = |a| + |b| + |y|; elementwise = 0."""
    if len(a) < 2 or len(a) != len(b):
        raise SpecError(f"matmul needs two operands of the same rank ≥ 2, got ranks {len(a)} and {len(b)}")
    m, k = a[-2:]
    k_b, n = (b[-1], b[-2]) if layer.transpose_b else b[-2:]
    if not (is_symbolic(k) or is_symbolic(k_b)) and k != k_b:
        raise SpecError(f"matmul inner sizes differ: {k} vs {k_b}")
    batch: list[Any] = []
    for x, y in zip(a[:-2], b[:-2]):
        if is_symbolic(x) or is_symbolic(y):
            batch.append(y if x == 1 else x)
        elif x == y or 1 in (x, y):
            batch.append(max(x, y))
        else:
            raise SpecError(f"matmul batch sizes {x} and {y} do not broadcast")
    out = (*batch, m, n)
    cost = Cost(maccs=numel(batch) * m * k * n, mem_access=numel(a) + numel(b) + numel(out),
                fragments=1)
    return OpResult([out], cost)
