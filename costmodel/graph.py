"""Spec → network: block expansion, name resolution, shape inference and per-op costs.

Layers are expanded in the order written (which is also the execution order): every
layer's inputs must be defined before it, so blocks can look at their input shapes (an
inverted residual needs C_in). A cycle among a layer list's ``inputs`` is reported as one.
The result is a :class:`Network`: its nodes in execution order plus a networkx DiGraph
(built on first use, so a numeric report never imports networkx).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from costmodel.arith import Value, as_int, is_symbolic, is_whole
from costmodel.assumptions import Assumption, Recorder, recording
from costmodel.blocks import BLOCKS
from costmodel.budget import OpBudget
from costmodel.cost import Cost
from costmodel.errors import SpecError, SpecWarning
from costmodel.ops import OPS, Shape
from costmodel.ops.base import Category, Geometry, OpDef, OpResult, Traffic, has
from costmodel.spec.base import (
    MAX_BLOCK_DEPTH,
    MAX_NETWORK_NODES,
    LayerSpec,
    evaluated,
    first_copy,
    override,
)
from costmodel.spec.expr import evaluate, truth
from costmodel.spec.layers import BlockCall
from costmodel.spec.schema import ModelSpec, UserBlock, resolve_bindings

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Node", "BlockInstance", "Network", "INPUT", "build", "override", "resolve_bindings", "unread_message",
           "MAX_BLOCK_DEPTH", "MAX_NETWORK_NODES"]


INPUT = "input"
"""The name of the network's input: the source node every build starts from, and how a
layer refers to it (``inputs: [input]``)."""

Ref = tuple[str, int]
"""An output of a node: (node name, output index)."""

T = TypeVar("T")


@dataclass
class Node:
    """One primitive op of the network, with what its formula resolved."""

    name: str
    op: str
    layer: LayerSpec
    inputs: list[Ref]
    outputs: list[Shape]
    cost: Cost
    block: tuple[str, ...]
    line: int
    geometry: Geometry | None = None
    """Kernel, stride, padding, dilation, groups and bias of a sliding-window op."""
    traffic: Traffic | None = None
    """What the op's mem_access is made of, where its formula says."""

    def has(self, category: Category) -> bool:
        """Whether the node's op declared ``category`` (costmodel.ops.base.CATEGORIES)."""
        return has(self.op, category)


@dataclass(frozen=True)
class BlockInstance:
    """One expanded block: its full name, op (block type), line and enclosing blocks."""

    name: str
    op: str
    line: int
    parents: tuple[str, ...]


@dataclass
class Network:
    """A built network: nodes in execution order, blocks, graph and the bindings used."""

    spec: ModelSpec
    path: str
    bindings: dict[str, Value]
    nodes: dict[str, Node]
    blocks: dict[str, BlockInstance]
    output: Ref
    assumptions: tuple[Assumption, ...] = ()
    """Decisions a symbolic build could not settle (:mod:`costmodel.assumptions`): the
    totals hold where each holds. Empty for a numeric build."""

    @property
    def input(self) -> Node:
        """The network's input tensor: the source node (op ``input``, no cost), first in
        :attr:`nodes`."""
        return self.nodes[INPUT]

    @property
    def input_shape(self) -> Shape:
        """The input tensor's shape N×C×H×W."""
        return self.input.outputs[0]

    @cached_property
    def ops(self) -> list[Node]:
        """Every primitive op in execution order: the nodes but the input."""
        return [node for node in self.nodes.values() if node.name != INPUT]

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Nodes (by name) and data-flow edges, in execution order."""
        import networkx as nx

        graph = nx.DiGraph()
        for node in self.nodes.values():
            graph.add_node(node.name)
            graph.add_edges_from((source, node.name) for source, _ in node.inputs)
        return graph

    @cached_property
    def readers(self) -> dict[str, list[str]]:
        """Node name → the nodes reading any of its outputs, in execution order (once per
        input they take; every node has an entry)."""
        readers: dict[str, list[str]] = {name: [] for name in self.nodes}
        for node in self.nodes.values():
            for source, _ in node.inputs:
                readers[source].append(node.name)
        return readers

    def unread(self) -> list[Node]:
        """Nodes none of whose outputs any node reads (the network's output aside), in
        execution order: work that is counted but feeds nothing. A split read in part is
        read (ghost modules slice their concat this way). Linear in nodes and edges."""
        return [node for node in self.nodes.values()
                if not self.readers[node.name] and node.name != self.output[0]]

    @property
    def total(self) -> Cost:
        """The sum of every node's cost."""
        return Cost.sum(node.cost for node in self.nodes.values())


def build(spec: ModelSpec, path: str = "<spec>", bindings: Mapping[str, Any] | None = None,
          symbolic: tuple[str, ...] = (), at_reference: bool = False) -> Network:
    """Expand ``spec`` at ``bindings`` (defaults otherwise; ``symbolic`` names stay symbols).

    Undecidable orderings are settled at the defaults; with ``at_reference``, undecidable
    = and ≠ too (costmodel.assumptions).
    """
    try:
        scope = resolve_bindings(spec, bindings or {}, symbolic)
        recorder = Recorder(equalities_at_reference=at_reference)
        if symbolic:
            defaults = resolve_bindings(spec, bindings or {})
            recorder.reference = {name: defaults[name] for name in symbolic}
        with recording(recorder):
            network = _Builder(spec, path, scope, recorder).run()
        network.assumptions = tuple(recorder.records)
        return network
    except SpecError as error:
        raise error.located(path=path) from None


class _Builder:
    def __init__(self, spec: ModelSpec, path: str, scope: dict[str, Value], recorder: Recorder) -> None:
        self.spec, self.path, self.scope, self.recorder = spec, path, scope, recorder
        self.nodes: dict[str, Node] = {}
        self.blocks: dict[str, BlockInstance] = {}
        self.budget = OpBudget(spec.blocks)
        self.memo: dict[tuple[Any, ...], tuple[LayerSpec, Any]] = {}

    def run(self) -> Network:
        channels, height, width = (evaluate(v, self.scope) for v in self.spec.input)
        batch = evaluate(self.spec.batch, self.scope)
        for value, what in ((batch, "batch"), (channels, "input channels"),
                            (height, "input height"), (width, "input width")):
            _require_size(value, what)
        for layers in (self.spec.layers, *(block.layers for block in self.spec.blocks.values())):
            _check_cycles(layers)
        self._reserve_layers()
        self.nodes[INPUT] = Node(INPUT, INPUT, LayerSpec(op=INPUT), [],
                                 [(batch, channels, height, width)], Cost(), (), 0)
        output = self._expand_list(self.spec.layers, _Scope.of(self.scope), "", (), [(INPUT, 0)], 0)
        if len(self.nodes) == 1:  # as `layers: []` is refused: an all-zero report of nothing
            raise SpecError("no layer is left: every layer's `when` is false at these parameter values")
        network = Network(self.spec, self.path, self.scope, self.nodes, self.blocks, output)
        for node in network.unread():
            warnings.warn(SpecWarning(unread_message(network, node)), stacklevel=4)
        return network

    def _ops(self) -> int:
        """Ops expanded so far (the input is a node, not an op)."""
        return len(self.nodes) - 1

    def _reserve_layers(self) -> None:
        """Refuse, before expanding anything, at the top-level layer whose lower bound takes
        the running total past the limit."""
        total = 0
        for position, layer in enumerate(self.spec.layers):
            total += self.budget.layer(layer)
            try:
                self.budget.reserve(0, total, "the layers up to this one" if position else "this layer")
            except SpecError as error:
                raise error.located(line=layer.line or None, layer=layer.name or str(position),
                                    op=layer.op) from None

    # -- layer lists ---------------------------------------------------------------------
    def _expand_list(self, layers: list[Any], scope: _Scope, prefix: str,
                     block: tuple[str, ...], inputs: list[Ref], depth: int,
                     output: str | None = None) -> Ref:
        """Expand ``layers`` in order; returns the output of the last (or ``output``)."""
        local: dict[str, Ref] = {}
        previous = inputs[0]
        for position, layer in enumerate(layers):
            base = layer.name or str(position)
            before = self._ops()
            try:
                count = self._repeat_count(layer, scope)
                if count > 1 or layer.op in self.spec.blocks:
                    what = f"repeat: {count}" if count > 1 else f"block '{layer.op}'"
                    self.budget.reserve(before, self.budget.layer(layer, copies=count), what)
            except SpecError as error:
                raise error.located(line=layer.line or None, layer=prefix + base, op=layer.op) from None
            for index in range(count):
                copy, name = layer, base
                if layer.repeat is not None:
                    name = f"{base}.{index}"
                    copy = self._first_copy(layer) if index == 0 and layer.first else layer
                full = prefix + name
                try:
                    if index == 1:  # the first copy's exact size times the remaining copies
                        self.budget.reserve(self._ops(), (self._ops() - before) * (count - 1),
                                            f"repeat: {count}")
                    if full in self.nodes or full in self.blocks:
                        raise SpecError(f"name '{full}' is used twice")
                    refs = ([self._lookup(text, local, inputs, layers) for text in _as_list(copy.inputs)]
                            if copy.inputs is not None else [previous])
                    # left out as if not written: its name refers to the layer before it
                    if copy.when is None or truth(evaluate(copy.when, scope.values), str(copy.when)):
                        previous = self._expand_layer(copy, full, scope, block, refs, depth)
                except SpecError as error:
                    raise error.located(line=copy.line or None, layer=full, op=copy.op) from None
                local[name] = previous
            local[base] = previous
        if output is not None:
            return self._lookup(output, local, inputs, layers)
        return previous

    def _repeat_count(self, layer: LayerSpec, scope: _Scope) -> int:
        if layer.repeat is None:
            return 1
        count = as_int(evaluate(layer.repeat, scope.values))
        if is_symbolic(count):
            symbols = ", ".join(sorted(str(s) for s in getattr(count, "free_symbols", ())))
            raise SpecError(f"cannot decide how many copies (repeat: {count}) with {symbols} "
                            "symbolic: give a number for it (e.g. --set NAME=VALUE and leave "
                            "only sizes symbolic)")
        if not is_whole(count) or count < 1:
            raise SpecError(f"repeat must be a whole number ≥ 1, got {count}")
        return int(count)  # lanes with several counts: the sweep splits them

    def _lookup(self, text: str, local: dict[str, Ref], inputs: list[Ref],
                layers: list[Any]) -> Ref:
        name, _, port_text = text.partition(":")
        port = 0
        if port_text:
            if not port_text.isdigit():
                raise SpecError(f"bad input reference '{text}' (use 'name' or 'name:k')")
            port = int(port_text)
        if name == INPUT:
            if port >= len(inputs):
                raise SpecError(f"'{text}': the block has only {len(inputs)} input(s)")
            return inputs[port]
        ref = local.get(name)
        if ref is None and name in self.nodes:
            ref = (name, 0)
        if ref is None:
            later = {layer.name for layer in layers}
            if name in later:
                raise SpecError(f"input '{name}' is defined after this layer; list layers in "
                                "execution order")
            known = ", ".join(list(local)[-8:]) or "none"
            raise SpecError(f"unknown input '{name}' (defined before this layer: {known})")
        node, base_port = ref
        available = len(self.nodes[node].outputs)
        if base_port + port >= available:
            raise SpecError(f"'{text}': '{name}' has {available} output(s)")
        return node, base_port + port

    # -- one layer ----------------------------------------------------------------------
    def _expand_layer(self, layer: LayerSpec, name: str, scope: _Scope,
                      block: tuple[str, ...], refs: list[Ref], depth: int) -> Ref:
        if depth > MAX_BLOCK_DEPTH:
            raise SpecError(f"blocks nested more than {MAX_BLOCK_DEPTH} deep (does a block call itself?)")
        # decisions made meanwhile are attributed to this layer (set here, not by a context
        # manager: a generator per node was ~20 % of a deep network's build)
        recorder = self.recorder
        outer, recorder.where = recorder.where, name
        try:
            return self._expand_at(layer, name, scope, block, refs, depth)
        finally:
            recorder.where = outer

    def _expand_at(self, layer: LayerSpec, name: str, scope: _Scope,
                   block: tuple[str, ...], refs: list[Ref], depth: int) -> Ref:
        if not refs:  # `inputs: []`: every op and block reads at least one tensor
            raise SpecError(f"{layer.op} needs at least one input; `inputs: []` names none")
        shapes = [self.nodes[node].outputs[port] for node, port in refs]
        if isinstance(layer, BlockCall):
            definition = self.spec.blocks[layer.op]
            inner = self._remembered("scope", layer, scope, shapes, lambda: _Scope.of(
                _block_scope(definition, layer, {**scope.values, **_shape_names(shapes[0])})))
            return self._enter_block(layer, name, block, refs, definition.layers, inner, depth,
                                     definition.output)
        if layer.op in BLOCKS:
            children = self._remembered("block", layer, scope, shapes,
                                        lambda: self._block_children(layer, scope, shapes))
            return self._enter_block(layer, name, block, refs, children, scope, depth)
        op = OPS[layer.op]
        if op.arity is not None and len(refs) != op.arity:
            raise SpecError(f"{layer.op} takes {op.arity} input(s), got {len(refs)}")
        value, result = self._remembered("op", layer, scope, shapes,
                                         lambda: _costed(op, layer, scope, shapes))
        self.budget.reserve(self._ops(), 1, "this op")
        self.nodes[name] = Node(name, layer.op, value, refs, result.outputs, result.cost, block,
                                layer.line, result.geometry, result.traffic)
        return name, 0

    def _remembered(self, kind: str, layer: LayerSpec, scope: _Scope, shapes: list[Shape],
                    compute: Callable[[], T]) -> T:
        """``compute()``, or what it returned when ``layer`` (or a layer written alike) was
        met before in an equal exact scope with equal input shapes (see :class:`_Scope`); a
        failure is not kept."""
        if scope.key is None:
            return compute()
        key = (kind, self._content(layer), scope.key, tuple(shapes))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = (layer, compute())
        result: T = found[1]
        return result

    def _content(self, layer: LayerSpec) -> Any:
        """What ``layer`` says, hashable: its class and every field (its line aside), so that
        layers written alike (a layer written out many times) share one costing; the layer
        itself when a value cannot be hashed. Made once per layer object."""
        found = self.memo.get(("content", id(layer)))
        if found is None:  # the layer is kept with its key, so its id is not reused
            key = _content_key(layer)
            try:
                hash(key)
            except TypeError:
                key = layer
            found = self.memo["content", id(layer)] = (layer, key)
        return found[1]

    def _block_children(self, layer: LayerSpec, scope: _Scope, shapes: list[Shape]) -> list[Any]:
        """A built-in block's layers, refused before expanding when over the op budget."""
        value = evaluated(layer, scope.values)
        self.budget.reserve(self._ops(), self.budget.layer(value), f"block {layer.op}")
        with _structure_decided(value, shapes):
            children: list[Any] = BLOCKS[layer.op].expand(value, shapes)
        return children

    def _first_copy(self, layer: LayerSpec) -> LayerSpec:
        """:func:`first_copy`, made once per layer (so every expansion of the list that
        holds it meets the same copy, which :meth:`_remembered` then recognises)."""
        found = self.memo.get(("first", id(layer)))
        if found is None:
            found = self.memo["first", id(layer)] = (layer, first_copy(layer))
        copy: LayerSpec = found[1]
        return copy

    def _enter_block(self, layer: LayerSpec, name: str, block: tuple[str, ...], refs: list[Ref],
                     children: list[Any], scope: _Scope, depth: int,
                     output: str | None = None) -> Ref:
        self.blocks[name] = BlockInstance(name, layer.op, layer.line, block)
        return self._expand_list(children, scope, name + ".", block + (name,), refs, depth + 1,
                                 output)


@dataclass(frozen=True)
class _Scope:
    """The names a layer list sees → their values, and ``key``: the same pairs as a
    hashable tuple when every value is an exact number (None when one is a symbol, lanes of
    a sweep or a flag). A layer's evaluated fields, cost and expansion depend only on the
    layer, these values and its input shapes: a layer met again under an equal key with
    equal shapes (every copy of a repeated block after the first) reuses them."""

    values: Mapping[str, Value]
    key: tuple[tuple[str, Value], ...] | None

    @classmethod
    def of(cls, values: Mapping[str, Value]) -> _Scope:
        exact = all(type(value) in (int, Fraction) for value in values.values())
        return cls(values, tuple(values.items()) if exact else None)


_ATOMS = frozenset({int, Fraction, str, bool, type(None)})
"""Types of field values hashed as they are (beside their type) in a layer's content."""


def _content_key(layer: LayerSpec) -> Any:
    """The class, the field values and their types when every value is an atom (the common
    case: a class lists its fields in one order, so the values name them); else every field
    by name, :func:`_frozen`. Equal keys, equal layers (but their lines)."""
    values = tuple(layer.__dict__.values())
    types = tuple(map(type, values))
    if not layer.__pydantic_extra__ and _ATOMS.issuperset(types):
        return type(layer), values, types
    fields = (*layer.__dict__.items(), *(layer.__pydantic_extra__ or {}).items())
    return type(layer), tuple((name, _frozen(value)) for name, value in fields)


def _frozen(value: Any) -> Any:
    """Lists as tuples and mappings as sorted pairs, recursively, each leaf with its type
    (``1``, ``True`` and ``Fraction(1)`` are equal in Python, not as written)."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    return type(value), value


def _costed(op: OpDef, layer: LayerSpec, scope: _Scope, shapes: list[Shape]) -> tuple[LayerSpec, OpResult]:
    """The layer with its fields evaluated, and its op's formula applied to ``shapes``."""
    value = evaluated(layer, scope.values)
    with _structure_decided(value, shapes):
        return value, op.formula(value, *shapes)


def _shape_names(shape: Shape) -> dict[str, Value]:
    """The block input's shape by name (schema.SHAPE_NAMES): ``in_channels`` always,
    ``in_height``/``in_width`` of an image, ``in_tokens`` of tokens."""
    if len(shape) == 4:
        return {"in_channels": shape[1], "in_height": shape[2], "in_width": shape[3]}
    if len(shape) == 3:
        return {"in_channels": shape[2], "in_tokens": shape[1]}
    return {"in_channels": shape[-1]}


def _block_scope(definition: UserBlock, call: BlockCall, scope: Mapping[str, Value]) -> dict[str, Value]:
    """Model parameters, then the block's defaults, overridden by the call's arguments."""
    args = call.args
    unknown = sorted(set(args) - set(definition.params))
    if unknown:
        raise SpecError(f"block '{call.op}' has no parameter '{unknown[0]}' "
                        f"(parameters: {', '.join(definition.params) or 'none'})")
    inner = dict(scope)
    for param, default in definition.params.items():
        if param in args:
            inner[param] = evaluate(args[param], scope)
        elif default is None:
            raise SpecError(f"block '{call.op}' needs parameter '{param}'")
        else:
            inner[param] = evaluate(default, inner)
    return inner


@contextmanager
def _structure_decided(layer: LayerSpec, shapes: list[Any]) -> Iterator[None]:
    """A formula or expansion that must branch on a value left symbolic (sympy refuses to
    decide ``se >= 1`` or ``int(...)`` of a symbol) fails as one line naming the symbols."""
    try:
        yield
    except TypeError:
        values = [getattr(layer, name) for name in type(layer).model_fields] + [s for shape in shapes for s in shape]
        symbols = sorted({str(symbol) for value in values for item in (value if isinstance(value, list) else [value])
                          for symbol in getattr(item, "free_symbols", ())})
        if not symbols:
            raise
        raise SpecError(f"cannot decide this layer's structure with {', '.join(symbols)} symbolic: "
                        "give a number for what decides the structure (e.g. --set NAME=VALUE "
                        "and leave only sizes symbolic)") from None


def unread_message(network: Network, node: Node) -> str:
    """The located line for a node whose output nothing reads."""
    return str(SpecError("its output is never read (counted, but feeds nothing)", network.path,
                         node.line or None, node.name, node.op))


def _as_list(inputs: list[str] | str) -> list[str]:
    return [inputs] if isinstance(inputs, str) else list(inputs)


def _check_cycles(layers: list[Any]) -> None:
    """A cycle among the explicit ``inputs`` of one layer list is an error naming it.

    Only lists written in the spec are checked: built-in blocks chain by construction. A
    cycle needs a reference to the layer itself or a later one, so networkx searches for it
    only when such a reference exists (linear otherwise; a numeric report never imports it).
    """
    position = {layer.name: index for index, layer in enumerate(layers) if layer.name is not None}
    edges = [(source, layer.name)
             for layer in layers if layer.name is not None and layer.inputs is not None
             for source in (text.partition(":")[0] for text in _as_list(layer.inputs))
             if source in position]
    if all(position[source] < position[target] for source, target in edges):
        return
    import networkx as nx

    try:
        cycle = nx.find_cycle(nx.DiGraph(edges))
    except nx.NetworkXNoCycle:
        return
    path = " → ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    first = next(layer for layer in layers if layer.name == cycle[0][1])
    raise SpecError(f"cycle in inputs: {path}", line=first.line or None, layer=first.name, op=first.op)


def _require_size(value: Value, what: str) -> None:
    if is_symbolic(value):
        return
    if not is_whole(as_int(value)) or value < 1:
        raise SpecError(f"{what} must be a whole number ≥ 1, got {value}")
