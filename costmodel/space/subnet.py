"""One subnet of a space: its choices as bindings, and as a plain spec.

Bindings are what a NAS tool stores: the parameter choices and, per choice layer, its depth
and each copy's field values (``{resolution: 224, stage1: {depth: 2, kernel: [3, 5],
expansion: [4, 6]}}``, Once-for-All's ``ks``/``e``/``d`` by layer). The plain spec has the
chosen copies as layers of their own (``stage1.0``, ``stage1.1``, named as ``repeat`` names
them) and the parameter choices as defaults, so ``costmodel report`` costs exactly that
subnet.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from costmodel.space.graph import Edge, Space, SpaceGraph, concrete_layer

__all__ = ["Subnet", "subnet", "subnet_spec", "plain"]

Subnet = dict[str, Any]


def subnet(space: Space, graph: SpaceGraph, edges: Iterable[Edge]) -> Subnet:
    """The bindings of the subnet that ``edges`` (a path of ``graph``) chooses."""
    result: Subnet = {name: plain(value) for name, value in graph.bindings.items()}
    for edge in edges:
        choice = edge.choice
        if choice is None:
            continue
        entry = result.setdefault(choice.layer, {})
        if choice.depth is not None:
            entry["depth"] = choice.depth
            continue
        if "repeat" in (space.layer(choice.layer).choices or {}):
            entry["depth"] = choice.copy + 1
        skipped = dict(choice.values).get("skip", False)
        fields = [f for f in space.layer(choice.layer).choices or {} if f not in ("repeat", "skip")]
        if "skip" in (space.layer(choice.layer).choices or {}):
            entry.setdefault("skip", []).append(skipped)
        for name in fields:
            entry.setdefault(name, []).append(None if skipped else plain(dict(choice.values)[name]))
    return result


def subnet_spec(space: Space, chosen: Subnet) -> dict[str, Any]:
    """A plain spec (YAML-ready data) of the subnet with bindings ``chosen``."""
    spec = space.spec
    data = plain(spec.model_dump(exclude_unset=True, exclude={"choices", "variants", "layers"}))
    data["model"] = f"{spec.model}_subnet"
    data["params"] = {**data.get("params", {}), **plain(space.bindings),
                      **{name: chosen[name] for name in spec.choices if name in chosen}}
    layers = []
    for position, layer in enumerate(spec.layers):
        name = layer.name or str(position)
        if not layer.choices:
            layers.append(plain(layer.model_dump(exclude_unset=True)))
            continue
        entry = chosen.get(name, {})
        fields = [field for field in layer.choices if field not in ("repeat", "skip")]
        depth = entry["depth"] if "depth" in entry else len(entry[fields[0]]) if fields else 1
        for copy in range(depth):
            if entry.get("skip", [False] * depth)[copy]:
                continue
            values = {field: entry[field][copy] for field in fields}
            layers.append(plain(concrete_layer(layer, name, copy, values).model_dump(exclude_unset=True)))
    data["layers"] = layers
    return data


def plain(value: Any) -> Any:
    """``value`` with Fractions as exact text ("3/4") or ints, tuples as lists: YAML-safe."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
