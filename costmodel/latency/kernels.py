"""The kernels a runtime executes for a network, their kind and their exact features.

onnxruntime with optimizations on (``all``) folds a conv's batchnorm into its weights and
fuses a following activation it implements in the conv's epilogue (MLAS activations:
Relu, Clip, Sigmoid, Tanh, LeakyRelu, HardSigmoid — onnxruntime/core/optimizer/
conv_activation_fusion.cc), and drops views (Identity, Dropout, Flatten/Reshape are
aliases). Fused activations are the ``clamp`` category (Relu, Clip); a sigmoid after a conv
(an SE gate on a 1×1 map) is left as its own small kernel. With optimizations off (``none``) every op is its own kernel.

A kernel's features are its maccs and its bytes moved (fp32 ``mem_access`` × 4) under that
execution model: a folded batchnorm adds its C-element bias read, a fused activation nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costmodel.graph import Network, Node

__all__ = ["KINDS", "Kernel", "kernel_kind", "kernels"]

KINDS = ("conv_dense", "conv_pointwise", "conv_depthwise", "conv_grouped", "fully_connected",
         "pool", "global_pool", "norm", "activation", "binary", "copy", "other")
"""Kernel kinds, each with its own fitted roofline."""

DTYPE_BYTES = 4


@dataclass(frozen=True)
class Kernel:
    """One executed kernel: the spec layers it runs, its kind, maccs and bytes moved."""

    layers: tuple[str, ...]
    kind: str
    maccs: int
    bytes: int


def kernel_kind(node: Node, c_in: int) -> str:
    """The kind of the kernel ``node`` (reading ``c_in`` channels) starts: a conv by its
    geometry (depthwise: one group per input or output channel), else by category."""
    geometry = node.geometry
    if node.has("convolution") and geometry is not None:
        c_out = node.outputs[0][1]
        if geometry.groups == 1:
            return "conv_pointwise" if tuple(geometry.kernel) == (1, 1) else "conv_dense"
        if geometry.groups == c_out or geometry.groups == c_in:
            return "conv_depthwise"
        return "conv_grouped"
    if node.has("contraction"):
        return "fully_connected"
    if node.has("global_pooling"):
        return "global_pool"
    if node.has("pooling"):
        return "pool"
    if node.has("normalization"):
        return "norm"
    if node.has("sum") or node.has("product"):
        return "binary"
    if node.has("copy"):
        return "copy"
    if node.has("nonlinearity"):
        return "activation"
    return "other"


def kernels(network: Network, optimize: str = "all") -> list[Kernel]:
    """The kernels executing ``network`` under onnxruntime's ``optimize`` level, in order."""
    readers: dict[str, list[str]] = {}
    for node in network.nodes.values():
        for source, _ in node.inputs:
            readers.setdefault(source, []).append(node.name)
    absorbed: set[str] = set()
    result = []
    for node in network.nodes.values():
        if node.name in absorbed or not node.inputs or node.has("view"):  # input, aliases
            continue
        layers, bytes_ = [node.name], node.cost.mem_access
        if optimize == "all" and node.has("convolution"):
            follower = _sole_reader(network, node, readers)
            if follower is not None and follower.has("normalization") and \
                    follower.has("reparameterizable"):
                layers.append(follower.name)
                bytes_ += follower.outputs[0][1]  # the folded shift, now the conv's bias
                follower = _sole_reader(network, follower, readers)
            if follower is not None and follower.has("clamp"):
                layers.append(follower.name)
            absorbed.update(layers)
        source, index = node.inputs[0]
        c_in = network.nodes[source].outputs[index][1]
        result.append(Kernel(tuple(layers), kernel_kind(node, c_in), int(node.cost.maccs),
                             int(bytes_) * DTYPE_BYTES))
    return result


def _sole_reader(network: Network, node: Node, readers: dict[str, list[str]]) -> Node | None:
    """The only node reading ``node``'s single output, if it reads nothing else."""
    names = readers.get(node.name, [])
    if len(node.outputs) != 1 or len(names) != 1:
        return None
    reader = network.nodes[names[0]]
    return reader if len(reader.inputs) == 1 else None
