"""The cost of one op, or of many added together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
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
        return Cost(*(getattr(self, name) + getattr(other, name) for name in _FIELDS))

    @classmethod
    def sum(cls, costs: Iterable[Cost]) -> Cost:
        """The sum of ``costs`` (``Cost()`` when there are none), added field by field: the
        same values as ``c₁ + c₂ + …``, without a Cost per partial sum."""
        costs = list(costs)
        return cls(*(sum(map(attrgetter(name), costs)) for name in _FIELDS))

    def as_dict(self) -> dict[str, Any]:
        """Metric name → value, ``buffers`` last."""
        return {name: getattr(self, name) for name in (*METRICS, "buffers")}


_FIELDS = ("params", "buffers", "maccs", "mem_access", "elementwise", "fragments")
"""Cost's fields in declaration order (what ``Cost(*values)`` takes)."""
