"""The element-wise share of memory access (ShuffleNetV2's G4), defined once.

element-wise mem_access = Σ mem_access of the nodes whose op is of category ``elementwise``
(a pointwise map: activations, batchnorm, add, mul — see docs/glossary.md), under the
chosen execution model; elementwise_share = that sum / total mem_access (an exact Fraction).
Copies (concat, split, shuffle) move data without arithmetic and pooling reduces windows:
neither is element-wise. The zoo table and lint rule G4 both read this.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from costmodel.cost import Cost
from costmodel.graph import Network

__all__ = ["elementwise_mem_access", "elementwise_share"]


def elementwise_mem_access(network: Network, costs: Mapping[str, Cost]) -> Any:
    """mem_access of the element-wise nodes; ``costs``: node name → cost (an execution view)."""
    total: Any = 0
    for node in network.nodes.values():
        if node.has("elementwise"):
            total = total + costs[node.name].mem_access
    return total


def elementwise_share(network: Network, costs: Mapping[str, Cost]) -> Fraction | None:
    """Element-wise mem_access / total mem_access; None when nothing moves memory or a
    count is symbolic."""
    part = elementwise_mem_access(network, costs)
    total: Any = 0
    for cost in costs.values():
        total = total + cost.mem_access
    if not isinstance(part, int) or not isinstance(total, int) or not total:
        return None
    return Fraction(part, total)
