"""Which imported layer each ONNX node's work is counted in, so a runtime's profile of the
ONNX model (`costmodel measure model.onnx`) joins to the imported layers' exact costs.

A node whose output is a layer's output belongs to that layer (an alias such as Identity
to the layer it passes on); a node inside a recognized group (the Sigmoid of x·σ(x), the
ReduceMeans of a written-out layer norm) to the first layer downstream of it; a folded
constant to none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["node_layers"]


def node_layers(nodes: list[Any], refs: Mapping[str, str], readers: Mapping[str, list[Any]],
                moved: Mapping[str, str]) -> list[str | None]:
    """Per ONNX node (in graph order) the (grouped) layer that counts its work, or None."""
    def layer(ref: str) -> str:
        name = ref.partition(":")[0]
        return moved.get(name, name)

    found: list[str | None] = []
    for node in nodes:
        frontier, seen, owner = list(node.output), set(), None
        while frontier and owner is None:
            tensor = frontier.pop(0)
            if tensor in refs and refs[tensor] != "input":
                owner = layer(refs[tensor])
                continue
            if tensor in seen:
                continue
            seen.add(tensor)
            frontier += [t for reader in readers.get(tensor, []) for t in reader.output]
        found.append(owner)
    return found
