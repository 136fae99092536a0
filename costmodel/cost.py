"""The cost of one op, or of many added together."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["METRICS", "Cost"]

METRICS = ("params", "maccs", "mem_access", "elementwise", "fragments")
"""Metric names, identical in fields, JSON keys, table columns and CLI options."""


@dataclass(frozen=True)
class Cost:
    """Exact counts (ints, or sympy expressions in symbolic mode).

    params       learned weights (BN γ, β included); ``buffers`` holds BN running stats.
    maccs        multiply-accumulates (conv and linear only).
    mem_access   elements read and written (ShuffleNetV2's MAC), weights included.
    elementwise  element-wise operations (activations, BN, adds, bias adds, pooling).
    fragments    kernels launched (0 for views such as flatten and dropout).
    """

    params: Any = 0
    buffers: Any = 0
    maccs: Any = 0
    mem_access: Any = 0
    elementwise: Any = 0
    fragments: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Cost)))

    def as_dict(self) -> dict[str, Any]:
        """Metric name → value, ``buffers`` last."""
        return {name: getattr(self, name) for name in (*METRICS, "buffers")}
