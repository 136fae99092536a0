"""The analysis of a network: per-layer costs, totals and per-block and per-op views.

Computing is kept apart from rendering (costmodel.report turns this into text).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from costmodel.analysis.fragments import Fragmentation, top_block_fragmentation
from costmodel.analysis.fusion import ExecutionView, execution_view
from costmodel.analysis.peak_memory import PeakMemory, analyze_peak_memory
from costmodel.analysis.shares import elementwise_mem_access, elementwise_share
from costmodel.arith import is_symbolic
from costmodel.cost import Cost
from costmodel.graph import Network, Node
from costmodel.ops import Shape

__all__ = ["Analysis", "LayerCost"]


@dataclass(frozen=True)
class LayerCost:
    """One primitive op's row: where it sits, what it produces, what it costs."""

    name: str
    op: str
    block_path: tuple[str, ...]
    """Enclosing block instances, outermost first."""
    output_shape: Shape
    cost: Cost
    line: int

    @property
    def block(self) -> str:
        """The top-level block the op belongs to ("" outside any block)."""
        return self.block_path[0] if self.block_path else ""


@dataclass
class Analysis:
    """Costs of a built :class:`Network`.

    >>> result.totals.maccs, result.by_block()["features.3"].params  # doctest: +SKIP
    """

    network: Network
    fuse: str = "none"
    """Execution model (costmodel.analysis.fusion): ``none`` or ``conv-bn-act``."""

    def __repr__(self) -> str:
        """``<Analysis mobilenet_v2 (alpha=1, …): params 3,504,872, maccs 300,774,272, …>``."""
        bindings = ", ".join(f"{k}={v}" for k, v in self.bindings.items())
        totals = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                           for k, v in self.totals.as_dict().items() if k != "buffers")
        fuse = "" if self.fuse == "none" else f", fuse={self.fuse}"
        return f"<Analysis {self.model} ({bindings}{fuse}): {totals}>"

    @cached_property
    def view(self) -> ExecutionView:
        """Per-node costs under the execution model."""
        return execution_view(self.network, self.fuse)

    @cached_property
    def peak_memory(self) -> PeakMemory | None:
        """Peak activation memory (spec order and best order found); None when symbolic."""
        if any(type(size) is not int and is_symbolic(size) for node in self.network.nodes.values()
               for shape in node.outputs for size in shape):
            return None
        return analyze_peak_memory(self.network)

    @cached_property
    def elementwise_mem_access(self) -> Any:
        """mem_access of the element-wise ops (costmodel.analysis.shares)."""
        return elementwise_mem_access(self.network, self.view.costs)

    @cached_property
    def elementwise_share(self) -> Fraction | None:
        """Element-wise mem_access / total mem_access (costmodel.analysis.shares)."""
        return elementwise_share(self.network, self.view.costs)

    @property
    def model(self) -> str:
        return self.network.spec.model

    @property
    def bindings(self) -> dict[str, Any]:
        """Every declared parameter's value (numbers, or symbols where left symbolic)."""
        return dict(self.network.bindings)

    @cached_property
    def layers(self) -> list[LayerCost]:
        """Every primitive op in execution order (the input placeholder excluded)."""
        return [_row(node, self.view.costs[node.name]) for node in self.network.ops]

    @cached_property
    def totals(self) -> Cost:
        """Sum over all layers."""
        return self.view.total

    def by_block(self, depth: int = 1) -> dict[str, Cost]:
        """Cost summed per block instance ``depth`` levels down (1: top-level blocks).

        Layers outside any block at that depth are listed under their own name.
        """
        result: dict[str, Cost] = {}
        for row in self.layers:
            key = row.block_path[depth - 1] if len(row.block_path) >= depth else row.name
            result[key] = result.get(key, Cost()) + row.cost
        return result

    def by_op(self) -> dict[str, Cost]:
        """Cost summed per op type (conv2d, batchnorm, relu6, …)."""
        result: dict[str, Cost] = {}
        for row in self.layers:
            result[row.op] = result.get(row.op, Cost()) + row.cost
        return result

    def fragmentation(self) -> dict[str, Fragmentation]:
        """Kernels in series and in parallel for every top-level block."""
        return top_block_fragmentation(self.network, self.view.costs)


def _row(node: Node, cost: Cost) -> LayerCost:
    return LayerCost(node.name, node.op, node.block,
                     node.outputs[0] if len(node.outputs) == 1 else tuple(node.outputs),
                     cost, node.line)
