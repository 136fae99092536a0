"""Per-block roll-up to a depth, as torchinfo's ``depth``: one row per block instance (or
layer) at each level 1 … depth, parents before their children, each row the sum of the
layers below it. The rows at one level add up to the totals."""

from __future__ import annotations

from dataclasses import dataclass

from costmodel.analysis.result import Analysis
from costmodel.cost import Cost
from costmodel.ops import Shape

__all__ = ["RollupRow", "rollup"]


@dataclass(frozen=True)
class RollupRow:
    """A block instance or a layer: its level (1: top), op (block type or op), the output of
    its last layer and the summed cost."""

    name: str
    level: int
    op: str
    output_shape: Shape
    cost: Cost
    parent: str = ""

    @property
    def label(self) -> str:
        """The name below its parent's (``conv`` under ``features.0``), indented by level."""
        short = self.name[len(self.parent) + 1:] if self.name.startswith(self.parent + ".") else self.name
        return "  " * (self.level - 1) + short


def rollup(analysis: Analysis, depth: int) -> list[RollupRow]:
    """Rows for every block instance and layer at levels 1 … ``depth`` in execution order."""
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    blocks = analysis.network.blocks
    order: list[str] = []
    level: dict[str, int] = {}
    op: dict[str, str] = {}
    cost: dict[str, Cost] = {}
    output: dict[str, Shape] = {}
    parent: dict[str, str] = {}
    for row in analysis.layers:
        keys = list(row.block_path[:depth])
        if len(row.block_path) < depth:
            keys.append(row.name)
        for index, key in enumerate(keys, start=1):
            if key not in cost:
                order.append(key)
                level[key], cost[key] = index, Cost()
                op[key] = blocks[key].op if key in blocks else row.op
                parent[key] = keys[index - 2] if index > 1 else ""
            cost[key] = cost[key] + row.cost
            output[key] = row.output_shape
    return [RollupRow(key, level[key], op[key], output[key], cost[key], parent[key]) for key in order]
