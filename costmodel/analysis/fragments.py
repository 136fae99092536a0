"""Fragmentation (ShuffleNetV2 G3): how many kernels a block launches and how they are
arranged — in series (longest chain of kernels) and in parallel (widest level).

A kernel is a node whose cost has ``fragments`` > 0 under the chosen execution model
(:mod:`costmodel.analysis.fusion`; ``costs`` maps node name → cost, default the per-op
view). Depth of a kernel = 1 + the largest depth among the kernels it reads from (looking
through views), so series = max depth and parallel = the most kernels sharing one depth:
a 4-fragment parallel structure of the paper's Appendix Fig. 1 has parallel = 4.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from costmodel.cost import Cost
from costmodel.graph import Network

__all__ = ["Fragmentation", "ModelStructure", "block_fragmentation", "model_structure"]


@dataclass(frozen=True)
class Fragmentation:
    """kernels: kernels launched; series: kernels on the longest chain; parallel: the
    largest number of kernels at one depth."""

    kernels: int
    series: int
    parallel: int


@dataclass(frozen=True)
class ModelStructure:
    """Model-level view: kernels, average MACCs per kernel (exact), widest graph level."""

    kernels: int
    maccs_per_kernel: Fraction
    widest_level: int


def _depths(network: Network, costs: Mapping[str, Cost], block: str | None) -> dict[str, int]:
    """Depth of every kernel (of ``block`` only, when given), in execution order."""
    depth: dict[str, int] = {}
    for node in network.nodes.values():
        if (block is not None and block not in node.block) or not costs[node.name].fragments:
            continue
        sources = _kernel_sources(network, costs, node.name, depth)
        depth[node.name] = 1 + max((depth[source] for source in sources), default=0)
    return depth


def block_fragmentation(network: Network, block: str,
                        costs: Mapping[str, Cost] | None = None) -> Fragmentation:
    """Fragmentation of one block instance (views such as flatten are not kernels)."""
    depth = _depths(network, costs or _own_costs(network), block)
    if not depth:
        return Fragmentation(0, 0, 0)
    widths = Counter(depth.values())
    return Fragmentation(len(depth), max(depth.values()), max(widths.values()))


def model_structure(network: Network, costs: Mapping[str, Cost] | None = None) -> ModelStructure:
    """Kernel count, MACCs per kernel and the widest level of the whole network."""
    costs = costs or _own_costs(network)
    depth = _depths(network, costs, None)
    maccs = sum(costs[name].maccs for name in depth)
    widest = max(Counter(depth.values()).values(), default=0)
    return ModelStructure(len(depth), Fraction(maccs, len(depth)) if depth else Fraction(0), widest)


def _own_costs(network: Network) -> dict[str, Cost]:
    return {name: node.cost for name, node in network.nodes.items()}


def _kernel_sources(network: Network, costs: Mapping[str, Cost], name: str,
                    depth: dict[str, int]) -> list[str]:
    """Nearest kernel ancestors of ``name`` already given a depth (looking through views)."""
    found: list[str] = []
    stack = [source for source, _ in network.nodes[name].inputs]
    seen: set[str] = set()
    while stack:
        source = stack.pop()
        if source in seen:
            continue
        seen.add(source)
        if source in depth:
            found.append(source)
        elif not costs[source].fragments and source != "input":
            stack.extend(s for s, _ in network.nodes[source].inputs)
    return found
