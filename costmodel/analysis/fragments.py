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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from costmodel.cost import Cost
from costmodel.graph import Network, Node

__all__ = ["Fragmentation", "ModelStructure", "top_block_fragmentation", "model_structure"]


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


def _depths(network: Network, costs: Mapping[str, Cost],
            group: Callable[[Node], str | None]) -> dict[str, int]:
    """Depth of every kernel whose ``group`` is not None: 1 + the largest depth among the
    nearest kernels of its group it reads through views (its topological generation, 1 for
    the first, in the graph of kernels). One pass in execution order, which is topological;
    linear in nodes and edges where views do not fan in."""
    groups = {node.name: key for node in network.ops
              if costs[node.name].fragments and (key := group(node)) is not None}
    # node → the kernels of ``groups`` a reader of it reaches: itself if one of them, none
    # if a kernel outside them (a wall), else (a view) what its inputs reach
    nearest: dict[str, tuple[str, ...]] = {}
    depth: dict[str, int] = {}
    for node in network.nodes.values():
        name = node.name
        sources = [kernel for source, _ in node.inputs for kernel in nearest[source]]
        if name in groups:
            key = groups[name]
            depth[name] = 1 + max((depth[s] for s in sources if groups[s] == key), default=0)
            nearest[name] = (name,)
        elif costs[name].fragments:
            nearest[name] = ()
        else:
            nearest[name] = tuple(dict.fromkeys(sources)) if len(sources) > 1 else tuple(sources)
    return depth


def top_block_fragmentation(network: Network,
                            costs: Mapping[str, Cost] | None = None) -> dict[str, Fragmentation]:
    """Fragmentation of every top-level block instance, in spec order (views such as
    flatten are not kernels); linear in the nodes."""
    depth = _depths(network, costs or _own_costs(network),
                    lambda node: node.block[0] if node.block else None)
    members: dict[str, list[int]] = {name: [] for name, block in network.blocks.items()
                                     if not block.parents}
    for name, level in depth.items():
        members[network.nodes[name].block[0]].append(level)
    return {block: _shape(depths) for block, depths in members.items()}


def _shape(depths: list[int]) -> Fragmentation:
    if not depths:
        return Fragmentation(0, 0, 0)
    return Fragmentation(len(depths), max(depths), max(Counter(depths).values()))


def model_structure(network: Network, costs: Mapping[str, Cost] | None = None) -> ModelStructure:
    """Kernel count, MACCs per kernel and the widest level of the whole network."""
    costs = costs or _own_costs(network)
    depth = _depths(network, costs, lambda node: "")
    maccs = sum(costs[name].maccs for name in depth)
    widest = max(Counter(depth.values()).values(), default=0)
    return ModelStructure(len(depth), Fraction(maccs, len(depth)) if depth else Fraction(0), widest)


def _own_costs(network: Network) -> dict[str, Cost]:
    return {name: node.cost for name, node in network.nodes.items()}
