"""Fragmentation (ShuffleNetV2 G3): how many kernels a block launches and how they are
arranged — in series (longest chain of kernels) and in parallel (widest level)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from costmodel.graph import Network

__all__ = ["Fragmentation", "block_fragmentation"]


@dataclass(frozen=True)
class Fragmentation:
    """kernels: kernels launched; series: kernels on the longest chain; parallel: the
    largest number of kernels at one depth (a 4-fragment parallel structure has 4)."""

    kernels: int
    series: int
    parallel: int


def block_fragmentation(network: Network, block: str) -> Fragmentation:
    """Fragmentation of one block instance (views such as flatten are not kernels).

    Depth of a kernel = 1 + the largest depth among the kernels of the block it reads from,
    so series = max depth and parallel = the most kernels sharing one depth.
    """
    depth: dict[str, int] = {}
    for node in network.nodes.values():
        if block not in node.block or not node.cost.fragments:
            continue
        depth[node.name] = 1 + max((depth.get(source, 0) for source in _kernel_sources(network, node.name, depth)),
                                   default=0)
    if not depth:
        return Fragmentation(0, 0, 0)
    widths = Counter(depth.values())
    return Fragmentation(len(depth), max(depth.values()), max(widths.values()))


def _kernel_sources(network: Network, name: str, depth: dict[str, int]) -> list[str]:
    """Nearest kernel ancestors of ``name`` inside the block (looking through views)."""
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
        elif not network.nodes[source].cost.fragments and source != "input":
            stack.extend(s for s, _ in network.nodes[source].inputs)
    return found
