"""A built network as a flat list of primitive layers, and back to spec data.

Transforms rewrite this list; :func:`to_spec_data` turns it into a spec of primitive ops
(one layer per node, named as the node, explicit ``inputs`` unless it is the previous
layer's output) at the bindings the network was built with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from costmodel.arith import as_int
from costmodel.errors import SpecError
from costmodel.graph import INPUT, Network
from costmodel.ops import Shape
from costmodel.ops.base import Geometry
from costmodel.spec.base import LayerSpec

__all__ = ["FlatLayer", "FlatNet", "flatten_network", "to_spec_data"]

Ref = tuple[str, int]

_STRUCTURE = {"op", "name", "inputs", "repeat", "first"}


@dataclass(frozen=True)
class FlatLayer:
    """One primitive layer: its evaluated spec, its inputs and its output shapes."""

    name: str
    layer: LayerSpec
    inputs: tuple[Ref, ...]
    outputs: tuple[Shape, ...]
    geometry: Geometry | None = None
    """A conv's resolved geometry (from its formula, or set by the transform that made it)."""

    @property
    def op(self) -> str:
        return self.layer.op


@dataclass(frozen=True)
class FlatNet:
    """Primitive layers in execution order; the last one is the output."""

    model: str
    description: str
    input: Shape
    layers: tuple[FlatLayer, ...]
    applied: tuple[str, ...] = field(default=())

    def by_name(self) -> dict[str, FlatLayer]:
        return {layer.name: layer for layer in self.layers}

    def shape(self, ref: Ref) -> Shape:
        """The shape of an output (``("input", 0)``: the network input)."""
        if ref == (INPUT, 0):
            return self.input
        return self.by_name()[ref[0]].outputs[ref[1]]

    def consumers(self) -> dict[Ref, list[str]]:
        """Each output → the layers reading it (a layer reading it twice is listed twice)."""
        readers: dict[Ref, list[str]] = {}
        for layer in self.layers:
            for ref in layer.inputs:
                readers.setdefault(ref, []).append(layer.name)
        return readers

    def rewritten(self, replaced: dict[str, FlatLayer | None], renamed: dict[Ref, Ref],
                  step: str) -> FlatNet:
        """Layers replaced (``None``: removed) and inputs redirected through ``renamed``."""
        layers = []
        for layer in self.layers:
            new = replaced.get(layer.name, layer)
            if new is not None:
                layers.append(replace(new, inputs=tuple(renamed.get(r, r) for r in new.inputs)))
        return replace(self, layers=tuple(layers), applied=self.applied + (step,))


def flatten_network(network: Network) -> FlatNet:
    """The network's primitive nodes (built with numeric bindings) as a :class:`FlatNet`."""
    nodes = network.ops
    if not nodes or (nodes[-1].name, 0) != tuple(network.output):
        raise SpecError("transform needs the network's output to be its last layer",
                        path=network.path)
    layers = tuple(FlatLayer(node.name, node.layer, tuple((source, port) for source, port in node.inputs),
                             tuple(tuple(as_int(s) for s in shape) for shape in node.outputs),
                             node.geometry)
                   for node in nodes)
    where = ", ".join(f"{name}={value}" for name, value in network.bindings.items())
    description = f"{network.spec.model} ({where}), primitive ops"
    shape = tuple(as_int(s) for s in network.input_shape)
    return FlatNet(network.spec.model, description, shape, layers)


def to_spec_data(net: FlatNet) -> dict[str, Any]:
    """Plain data of a valid spec (``model``, ``description``, ``input``, ``batch``, ``layers``)."""
    layers, previous = [], (INPUT, 0)
    for layer in net.layers:
        data: dict[str, Any] = {"name": layer.name, "op": layer.op}
        if list(layer.inputs) != [previous]:
            data["inputs"] = [name if port == 0 else f"{name}:{port}" for name, port in layer.inputs]
        fields = layer.layer.model_dump(exclude_defaults=True, exclude=_STRUCTURE)
        data.update({key: _plain(value) for key, value in fields.items()})
        layers.append(data)
        previous = (layer.name, 0)
    steps = f" after {', '.join(net.applied)}" if net.applied else ""
    batch, *chw = net.input
    return {"model": net.model, "description": net.description + steps,
            "input": list(chw), "batch": batch, "layers": layers}


def _plain(value: Any) -> Any:
    """An exact value as YAML-safe data: a non-integral Fraction becomes text ``"p/q"``."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    value = as_int(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return int(value)
