"""What a rule sees: the built network, its costs under the execution model, resolved
thresholds, and small structural queries shared by the rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from costmodel.analysis.fusion import ExecutionView
from costmodel.analysis.peak_memory import PeakMemory, analyze_peak_memory
from costmodel.cost import Cost
from costmodel.graph import Network, Node
from costmodel.lint.registry import Finding
from costmodel.ops.base import Category

__all__ = ["LintContext"]


@dataclass
class LintContext:
    """One network being linted. ``thresholds`` maps rule code → name → value."""

    network: Network
    view: ExecutionView
    thresholds: Mapping[str, Mapping[str, Any]]
    dtype_bytes: int = 4

    @property
    def costs(self) -> dict[str, Cost]:
        """Node name → cost under the execution model."""
        return self.view.costs

    def threshold(self, code: str, name: str) -> Any:
        return self.thresholds[code][name]

    def nodes(self, category: Category | None = None) -> Iterator[Node]:
        """Nodes (input excluded) in execution order, only of ops of ``category`` when given."""
        for node in self.network.nodes.values():
            if node.op != "input" and (category is None or node.has(category)):
                yield node

    def input_shape(self, node: Node, index: int = 0) -> tuple:
        """Shape of the ``index``-th input of ``node``."""
        source, port = node.inputs[index]
        return self.network.nodes[source].outputs[port]

    @cached_property
    def peak(self) -> PeakMemory:
        return analyze_peak_memory(self.network)

    def line(self, node: Node) -> int:
        """The node's spec line, or that of the nearest enclosing block written in the spec."""
        if node.line:
            return node.line
        for block in reversed(node.block):
            if self.network.blocks[block].line:
                return self.network.blocks[block].line
        return 1

    def source(self, node: Node, through: Category) -> Node:
        """The node producing ``node``'s first input, skipping single-input ops of ``through``."""
        source = self.network.nodes[node.inputs[0][0]]
        while source.has(through) and len(source.inputs) == 1:
            source = self.network.nodes[source.inputs[0][0]]
        return source

    def top_blocks(self) -> list[str]:
        """Top-level block instances in spec order."""
        return [name for name, block in self.network.blocks.items() if not block.parents]

    @cached_property
    def block_channels(self) -> dict[str, tuple[Any, Any]]:
        """Block name → (widest tensor entering it, widest tensor leaving it), in channels."""
        entering: dict[str, Any] = {}
        leaving: dict[str, Any] = {}
        for node in self.nodes():
            for source, port in node.inputs:
                outer = self.network.nodes[source]
                size = outer.outputs[port][1]
                for block in set(node.block) - set(outer.block):
                    entering[block] = max(entering.get(block, size), size)
                for block in set(outer.block) - set(node.block):
                    leaving[block] = max(leaving.get(block, size), size)
        output = self.network.nodes[self.network.output[0]]
        for block in output.block:
            size = output.outputs[self.network.output[1]][1]
            leaving[block] = max(leaving.get(block, size), size)
        return {block: (entering.get(block, 0), leaving.get(block, 0)) for block in self.network.blocks}

    def finding(self, code: str, node: Node | None, message: str, value: Any, threshold: Any,
                *, layer: str | None = None, line: int | None = None) -> Finding:
        """A finding located at ``node`` (or at ``layer``/``line`` given explicitly)."""
        if node is not None:
            layer, line = layer or node.name, line or self.line(node)
        return Finding(self.network.path, line or 1, layer or self.network.spec.model, code,
                       message, value, threshold)
