"""What a rule sees: the built network, its costs under the execution model, resolved
thresholds, an optional latency profile's prediction, and small structural queries shared
by the rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from costmodel.analysis.fusion import ExecutionView
from costmodel.analysis.peak_memory import PeakMemory, analyze_peak_memory
from costmodel.cost import Cost
from costmodel.graph import Network, Node
from costmodel.lint.registry import Finding
from costmodel.ops.base import Category

if TYPE_CHECKING:
    from costmodel.latency.model import DeviceProfile, KernelTime

__all__ = ["LintContext"]


@dataclass
class LintContext:
    """One network being linted. ``thresholds`` maps rule code → name → value."""

    network: Network
    view: ExecutionView
    thresholds: Mapping[str, Mapping[str, Any]]
    dtype_bytes: int = 4
    profile: DeviceProfile | None = None

    @cached_property
    def kernel_times(self) -> list[KernelTime] | None:
        """The profile's predicted kernels and times (None without a profile)."""
        if self.profile is None:
            return None
        from costmodel.latency.model import predict

        return predict(self.network, self.profile)[0]

    @cached_property
    def layer_times(self) -> dict[str, float]:
        """Layer → predicted µs of the kernel it heads (a fused follower runs free: 0)."""
        times = {layer: 0.0 for t in self.kernel_times or () for layer in t.kernel.layers}
        times.update({t.kernel.layers[0]: t.time_us for t in self.kernel_times or ()})
        return times

    def time_at_stake(self, layer: str) -> float | None:
        """Predicted µs of the kernels of ``layer`` (a layer, or every layer of a block);
        None without a profile or for the model as a whole."""
        if self.kernel_times is None:
            return None
        if layer in self.layer_times:
            return self.layer_times[layer]
        if layer in self.network.blocks:
            return sum(self.layer_times.get(node.name, 0.0) for node in self.network.nodes.values()
                       if layer in node.block)
        return None

    def timed(self, finding: Finding) -> Finding:
        """``finding`` with its predicted time at stake (unchanged without a profile)."""
        if finding.time_us is not None or self.kernel_times is None:
            return finding
        return replace(finding, time_us=self.time_at_stake(finding.layer))

    @property
    def costs(self) -> dict[str, Cost]:
        """Node name → cost under the execution model."""
        return self.view.costs

    def threshold(self, code: str, name: str) -> Any:
        return self.thresholds[code][name]

    def nodes(self, category: Category | None = None) -> Iterator[Node]:
        """Ops (the input excluded) in execution order, only of ``category`` when given."""
        for node in self.network.ops:
            if category is None or node.has(category):
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
                if outer.block == node.block:  # the common case: no block boundary crossed
                    continue
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
                *, layer: str | None = None, line: int | None = None,
                at_stake: Iterable[str] | None = None) -> Finding:
        """A finding located at ``node`` (or at ``layer``/``line`` given explicitly); with a
        profile, ``at_stake`` names the layers whose predicted time it is about (default:
        the finding's layer or block)."""
        if node is not None:
            layer, line = layer or node.name, line or self.line(node)
        time_us = None
        if at_stake is not None and self.kernel_times is not None:
            time_us = sum(self.layer_times.get(name, 0.0) for name in at_stake)
        return Finding(self.network.path, line or 1, layer or self.network.spec.model, code,
                       message, value, threshold, time_us=time_us)
