"""Execution models: the paper's per-op view, or a mobile runtime's fused kernels.

``none``         every op is its own kernel (ShuffleNetV2's accounting; the default).
``conv-bn-act``  a conv2d's batchnorm and then its activation are folded into the conv when
                 each reads only the previous one's output and nothing else reads that output,
                 as TFLite's converter and XNNPACK do. Only activations the runtime fuses as a
                 clamp are folded (category ``clamp``: TFLite's ``ActivationFunctionType``
                 has RELU and RELU6, not swish or hard-swish). "conv" is an op of category
                 ``convolution``; "batchnorm" one that is ``normalization`` and
                 ``reparameterizable`` (an affine map at inference, unlike layernorm).

Under folding, params and maccs are unchanged (γ, β are still learned; counting them as a
bias is a deployment detail). For the folded ops:

- batchnorm: its scale goes into the weights offline and its shift becomes the conv's bias:
  mem_access = C (the bias read, 0 when the conv already had a bias), elementwise = the bias
  add N·C·H·W (0 when merged into an existing bias), fragments = 0;
- activation: applied in registers before the conv writes: mem_access = 0, elementwise
  unchanged (the clamp still runs per element), fragments = 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from costmodel.cost import Cost

if TYPE_CHECKING:  # the CLI reads FUSIONS' names without building anything
    from costmodel.graph import Network, Node

__all__ = ["ExecutionView", "FUSIONS", "execution_view"]

@dataclass(frozen=True)
class ExecutionView:
    """Per-node costs under one execution model, and which node each folded op joined."""

    mode: str
    costs: dict[str, Cost]
    folded_into: dict[str, str]

    @property
    def total(self) -> Cost:
        return Cost.sum(self.costs.values())


def _no_fusion(network: Network) -> ExecutionView:
    return ExecutionView("none", {name: node.cost for name, node in network.nodes.items()}, {})


def _sole_reader(network: Network, node: Node) -> Node | None:
    """The only node reading ``node``'s (single) output, if it reads nothing else."""
    names = network.readers[node.name]
    if len(node.outputs) != 1 or len(names) != 1:
        return None
    reader = network.nodes[names[0]]
    return reader if len(reader.inputs) == 1 else None


def _conv_bn_act(network: Network) -> ExecutionView:
    costs = {name: node.cost for name, node in network.nodes.items()}
    folded: dict[str, str] = {}
    for conv in network.nodes.values():
        if not conv.has("convolution") or conv.geometry is None:
            continue
        tail = conv
        follower = _sole_reader(network, tail)
        if follower is not None and follower.has("normalization") and follower.has("reparameterizable"):
            merged = conv.geometry.bias
            channels = follower.outputs[0][1]
            costs[follower.name] = replace(
                follower.cost, mem_access=0 if merged else channels,
                elementwise=0 if merged else follower.cost.elementwise, fragments=0)
            folded[follower.name] = conv.name
            tail = follower
            follower = _sole_reader(network, tail)
        if follower is not None and follower.has("clamp"):
            costs[follower.name] = replace(follower.cost, mem_access=0, fragments=0)
            folded[follower.name] = conv.name
    return ExecutionView("conv-bn-act", costs, folded)


FUSIONS: dict[str, Callable[[Network], ExecutionView]] = {
    "none": _no_fusion,
    "conv-bn-act": _conv_bn_act,
}
"""Execution model name (``--fuse``) → the function computing its view."""


def execution_view(network: Network, mode: str = "none") -> ExecutionView:
    """Costs of ``network`` under execution model ``mode`` (a key of :data:`FUSIONS`)."""
    return FUSIONS[mode](network)
