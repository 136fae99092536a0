"""Map a runtime's profile back to the model's layers: which layers each executed node
contains, and rows of layers and nodes that are timed together.

A runtime rewrites the graph it is given (conv + BN + activation into one kernel, layout
reorders around blocked convs, identities removed), so an executed node may contain
several layers and a layer may run in several nodes. The join works on tensors:

1. Owners. A tensor is owned by the executed node that writes it, or that is named after
   the original node that wrote it (so named plus ``_…`` or ``/…``, as onnxruntime names
   rewritten nodes: ``x_nchwc``, ``x/QuickGeluFusion/``), even when a reorder now writes
   it. Going through the model in order, a vanished node is absorbed upstream when an
   executed node owning its input reports the node's op as its fused activation
   (onnxruntime names a conv+BN+HardSwish after the BN), or, for a node of several data
   inputs (a residual add), when an executed node owning one input reads what the owners
   of all the others wrote (onnxruntime's NCHWc conv with a "Sum" input).
   Every other original node's work ends up in the owner of the first owned tensor
   downstream of it: a conv whose output vanished inside a fused conv+BN+ReLU belongs to
   the node that now produces the ReLU's output.
2. An executed node with no original work (a layout reorder) joins the neighbour it serves
   (``Profile.leans``).
3. Rows are the connected groups of layers and executed nodes; a row's time is the sum of
   its nodes' median times, so the rows' shares add up to 100 %.

Original nodes map to layers through their ``costmodel.layer`` metadata (costmodel's
export), or are their own layer when a model has none.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import onnx

from costmodel.runtime.base import Profile, RuntimeNode

__all__ = ["Row", "join", "layer_of"]


@dataclass(frozen=True)
class Row:
    """Layers (in model order) timed together, the executed nodes that ran them, and the
    sum of those nodes' median times (µs)."""

    layers: tuple[str, ...]
    nodes: tuple[RuntimeNode, ...]
    time_us: float


def layer_of(node: onnx.NodeProto) -> str:
    """The spec layer an exported node belongs to (its own name for foreign models)."""
    return next((p.value for p in node.metadata_props if p.key == "costmodel.layer"), node.name)


class _Groups:
    """Union-find over layer and node keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def join(graph: onnx.GraphProto, profile: Profile) -> list[Row]:
    """Rows covering every layer of ``graph`` and every node of ``profile``, in execution order."""
    originals = {node.name: node for node in graph.node}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for tensor in node.input:
            consumers.setdefault(tensor, []).append(node)
    owner = _owners(profile, originals)
    groups = _Groups()
    contains: dict[str, set[str]] = {node.name: set() for node in profile.nodes}
    for node in graph.node:
        executed = _downstream_owner(node, owner, consumers)
        groups.find("L" + layer_of(node))
        if executed is not None:
            groups.union("L" + layer_of(node), "N" + executed)
            contains[executed].add(node.name)
    producers = {tensor: node.name for node in profile.nodes for tensor in node.outputs}
    readers: dict[str, list[int]] = {}
    for position, node in enumerate(profile.nodes):
        for tensor in dict.fromkeys(node.inputs):
            readers.setdefault(tensor, []).append(position)
    for node in profile.nodes:
        groups.find("N" + node.name)
        if not contains[node.name]:
            neighbour = _served(node, profile, producers, readers)
            if neighbour is not None:
                groups.union("N" + node.name, "N" + neighbour)
    return _rows(graph, profile, groups)


def _owners(profile: Profile, originals: dict[str, onnx.NodeProto]) -> dict[str, str]:
    """Tensor → the executed node that produces it, is named after its producer, or
    absorbed its producer (a residual add or a fused activation after such a node)."""
    # a layout reorder writes tensors but does none of their work: it owns only what
    # nothing else claims
    owner = {tensor: node.name for node in profile.nodes if node.op_type not in profile.leans
             for tensor in node.outputs}
    for node in profile.nodes:
        name = _named_after(node.name, originals)
        if name is not None:
            owner.update((tensor, node.name) for tensor in originals[name].output)
    executed = {node.name: node for node in profile.nodes}
    producers = {tensor: node.name for node in profile.nodes for tensor in node.outputs}
    reads = {node.name: {producers.get(t, t) for t in node.inputs} for node in profile.nodes}
    activated: set[str] = set()
    for node in originals.values():  # in model (topological) order, so absorptions chain
        data = [t for t in node.input if t and t not in profile.initializers]
        if any(t in owner for t in node.output) or not data or not all(t in owner for t in data):
            continue
        absorber = None
        if len(data) == 1 and owner[data[0]] not in activated:
            candidate = executed[owner[data[0]]]
            if candidate.activation == node.op_type:
                absorber = candidate.name
                activated.add(absorber)
        for tensor in data if len(data) > 1 else []:
            candidate_name = owner[tensor]
            if all(owner[other] in reads[candidate_name] for other in data if other != tensor):
                absorber = candidate_name
                break
        if absorber is not None:
            owner.update((tensor, absorber) for tensor in node.output)
    for node in profile.nodes:
        for tensor in node.outputs:
            owner.setdefault(tensor, node.name)
    return owner


def _named_after(name: str, originals: dict[str, onnx.NodeProto]) -> str | None:
    """The longest original node name that ``name`` is, or starts with before ``_`` or ``/``."""
    cuts = [len(name)] + [i for i, char in enumerate(name) if char in "_/"]
    return next((name[:cut] for cut in sorted(cuts, reverse=True) if name[:cut] in originals), None)


def _downstream_owner(node: onnx.NodeProto, owner: dict[str, str],
                      consumers: dict[str, list[onnx.NodeProto]]) -> str | None:
    """The executed node owning the first surviving tensor at or after ``node``'s outputs."""
    frontier, seen = list(node.output), set()
    while frontier:
        tensor = frontier.pop(0)
        if tensor in owner:
            return owner[tensor]
        if tensor in seen:
            continue
        seen.add(tensor)
        for consumer in consumers.get(tensor, []):
            frontier += consumer.output
    return None


def _served(node: RuntimeNode, profile: Profile, producers: dict[str, str],
            readers: dict[str, list[int]]) -> str | None:
    """The neighbour an executed node without original work serves (``Profile.leans``):
    ``producers`` maps a tensor to the (last) executed node writing it, ``readers`` to the
    positions of those reading it, made once per profile (a search of every node per
    reorder made the join quadratic: 36 s of CPU for a 10,000-op chain of NCHWc convs)."""
    upstream = [producers[t] for t in node.inputs if t in producers]
    positions = sorted({position for t in node.outputs for position in readers.get(t, ())})
    downstream = [profile.nodes[position].name for position in positions]
    order = downstream + upstream if profile.leans.get(node.op_type) == "consumer" else upstream + downstream
    return order[0] if order else None


def _rows(graph: onnx.GraphProto, profile: Profile, groups: _Groups) -> list[Row]:
    members: dict[str, tuple[list[str], list[RuntimeNode]]] = {}
    order: list[str] = []
    for node in profile.nodes:
        root = groups.find("N" + node.name)
        if root not in members:
            members[root] = ([], [])
            order.append(root)
        members[root][1].append(node)
    for node in graph.node:
        layer = layer_of(node)
        root = groups.find("L" + layer)
        if root not in members:  # layers no executed node ran: a row of their own
            members[root] = ([], [])
            order.append(root)
        if layer not in members[root][0]:
            members[root][0].append(layer)
    rows = []
    for root in order:
        layers, nodes = members[root]
        time = sum(statistics.median(profile.times[n.name]) for n in nodes if n.name in profile.times)
        rows.append(Row(tuple(layers), tuple(nodes), time))
    return rows
