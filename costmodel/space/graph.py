"""A search space as a layered graph of choices: the input of every dynamic program.

A spec with choices (``choices:`` of a declared parameter, ``choices:`` of a layer) defines
a set of subnets. Its top-level layers are cut into *slots*: a run of fixed layers, or one
copy of a layer with choices. For one binding of the parameter choices the space is a DAG
whose nodes are (slot, shape entering it) and whose edges are the choices at a slot — an
option (the copy with those field values) or, for a stage with a depth choice, ending the
stage there. Each subnet is exactly one path from the start to a terminal node, and the
cost of an edge is the analysis (``costmodel.graph.build`` + ``Analysis``) of its layers
alone on that input shape, so every number is the one ``costmodel report`` computes.

Additive metrics add along a path, and the peak activation memory of a chain of slots (in
the spec's order, the ``peak_memory`` of ``costmodel report --format json``) is the largest
peak of its edges: only the tensor at a slot boundary is live across it.

A space is bounded before it costs time: at most :data:`MAX_SPACE_GRAPHS` bindings of the
parameter choices, :data:`MAX_SPACE_COSTINGS` distinct slot analyses (~2.5 ms each on the
development machine) and :data:`MAX_SPACE_EDGES` edges; beyond, one line says which limit
and how to stay under it (fix a parameter with ``--set``, list fewer choices).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from math import prod
from typing import Any

from costmodel.analysis.peak_memory import peak_memory
from costmodel.analysis.result import Analysis
from costmodel.arith import as_int, integer
from costmodel.cost import METRICS
from costmodel.errors import SpecError
from costmodel.graph import build, override, resolve_bindings
from costmodel.ops import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.expr import evaluate
from costmodel.spec.schema import ModelSpec

__all__ = ["ADDITIVE_METRICS", "register_metric", "Choice", "Edge", "SpaceGraph", "Space",
           "build_space", "MAX_SPACE_GRAPHS", "MAX_SPACE_COSTINGS", "MAX_SPACE_EDGES"]

MAX_SPACE_GRAPHS = 1_000
"""Most bindings of the parameter choices (one graph each): 25 resolutions of Once-for-All."""
MAX_SPACE_COSTINGS = 2_000
"""Most distinct slot analyses (a build and an analysis each, ~2.5 ms: 5 s). The shipped
spaces need 68 (ProxylessNAS) to 1,401 (MCUNet's 15 width × resolution graphs)."""
MAX_SPACE_EDGES = 30_000
"""Most edges of all graphs together (the dynamic programs visit each; the Pareto front in
peak memory once per distinct peak). Once-for-All MobileNetV3 has 4,800."""

MetricFn = Callable[[Analysis], int]

def _total(name: str) -> MetricFn:
    return lambda analysis: getattr(analysis.totals, name)


ADDITIVE_METRICS: dict[str, MetricFn] = {name: _total(name) for name in METRICS}
"""Metric name → its integer value on the analysis of a slot's layers. A metric belongs here
only if it adds over layers (a network's value is the sum of its layers' values)."""


def register_metric(name: str, metric: MetricFn) -> None:
    """Add an additive per-layer metric (e.g. a predicted latency in integer nanoseconds)."""
    if name in ADDITIVE_METRICS or name == "peak_memory":
        raise ValueError(f"metric '{name}' is already registered")
    ADDITIVE_METRICS[name] = metric


@dataclass(frozen=True)
class Choice:
    """What an edge chose at a slot of layer ``layer``: copy ``copy``'s field ``values``, or
    (``depth`` set) ending the stage with that many copies. Fixed runs choose nothing."""

    layer: str
    copy: int = 0
    values: tuple[tuple[str, Any], ...] = ()
    depth: int | None = None


@dataclass(frozen=True)
class Edge:
    """One choice: the node it leads to, additive metric values, peak activation memory
    (elements) and multiplicity (how many sampler settings it stands for)."""

    target: int
    choice: Choice | None
    values: Mapping[str, int]
    peak: int
    multiplicity: int = 1


@dataclass
class SpaceGraph:
    """The DAG of one binding of the parameter choices; node 0 is the start, nodes are in
    topological order, ``terminal[n]`` marks the ends of paths."""

    bindings: dict[str, Any]
    edges: list[list[Edge]]
    terminal: list[bool]


@dataclass
class Space:
    """Every subnet of a spec: one graph per binding of its parameter choices."""

    spec: ModelSpec
    path: str
    metrics: tuple[str, ...]
    bindings: dict[str, Any] = field(default_factory=dict)
    """Parameters bound by the caller (fixed in every subnet)."""
    graphs: list[SpaceGraph] = field(default_factory=list)
    costs: dict[tuple[Any, ...], tuple[dict[str, int], int, Shape]] = field(default_factory=dict)
    """Slot costs by (slot, input shape, bindings of the parameters the layers use)."""
    edge_count: int = 0
    """Edges of all graphs so far (bounded by MAX_SPACE_EDGES)."""

    @property
    def choices(self) -> dict[str, list[Any]]:
        """Each parameter the subnets choose → its values."""
        names = list(self.graphs[0].bindings) if self.graphs else []
        return {name: sorted({graph.bindings[name] for graph in self.graphs}) for name in names}

    def layer(self, name: str) -> LayerSpec:
        """The top-level layer called ``name``."""
        return next(layer for position, layer in enumerate(self.spec.layers)
                    if (layer.name or str(position)) == name)


@dataclass(frozen=True)
class _Slot:
    """A run of fixed layers (``layer`` None) or copy ``copy`` of a choice layer."""

    layers: tuple[LayerSpec, ...]
    layer: LayerSpec | None = None
    name: str = ""
    copy: int = 0
    options: tuple[tuple[tuple[str, Any], ...], ...] = ((),)
    ends: int | None = None
    """Where the stage's remaining slots end (index of the next stage's first slot)."""
    settings_after: tuple[int, ...] = ()
    """Number of option settings of this and each later copy of the stage."""
    depths: frozenset[int] = frozenset()
    skip: bool = False
    """Whether the copy may be left out (offered where it keeps the shape)."""


def build_space(spec: ModelSpec, path: str = "<spec>", bindings: Mapping[str, Any] | None = None,
                settings: bool = False) -> Space:
    """The space of ``spec`` (with ``bindings`` fixing other parameters).

    A parameter with choices that ``bindings`` binds is fixed to that value.
    ``settings``: weigh each subnet by the number of sampler settings that produce it when
    every copy draws its choices even if the stage's depth leaves it out (Once-for-All's
    ``sample_active_subnet``), so uniform over settings = per-stage-uniform sampling.
    """
    bindings = dict(bindings or {})
    space = Space(spec, path, tuple(ADDITIVE_METRICS), bindings)
    names = [name for name in spec.choices if name not in bindings]
    graphs = prod(len(spec.choices[name]) for name in names)
    if graphs > MAX_SPACE_GRAPHS:
        raise SpecError(f"the parameter choices ({', '.join(names)}) make {graphs:,} combinations, each "
                        f"a space of its own; at most {MAX_SPACE_GRAPHS:,} (MAX_SPACE_GRAPHS): fix some "
                        "with --set or list fewer values", path=path)
    used = _used_names(spec)
    for values in itertools.product(*(spec.choices[name] for name in names)):
        binding = dict(zip(names, values, strict=True))
        try:
            scope = resolve_bindings(spec, {**bindings, **binding})
        except SpecError as error:
            raise error.located(path=path) from None
        slots = _slots(spec, scope, path)
        relevant = tuple(sorted((name, str(value)) for name, value in binding.items() if name in used))
        graph = _Builder(space, {**bindings, **binding}, scope, slots, settings, relevant).run()
        graph.bindings = {name: scope[name] for name in names}
        space.graphs.append(graph)
    return space


def _too_large(space: Space, what: str) -> SpecError:
    return SpecError(f"the space needs more than {what}: fix some parameter choices with --set "
                     "or list fewer choices", path=space.path)


def _slots(spec: ModelSpec, scope: Mapping[str, Any], path: str) -> list[_Slot]:
    slots: list[_Slot] = []
    run: list[LayerSpec] = []
    for position, layer in enumerate(spec.layers):
        if not layer.choices:
            run.append(layer)
            continue
        if run:
            slots.append(_Slot(tuple(run)))
            run = []
        name = layer.name or str(position)
        try:
            slots += _choice_slots(layer, name, scope, len(slots))
        except SpecError as error:
            raise error.located(path=path, line=layer.line or None, layer=name, op=layer.op) from None
    if run:
        slots.append(_Slot(tuple(run)))
    return slots


def _choice_slots(layer: LayerSpec, name: str, scope: Mapping[str, Any], start: int) -> list[_Slot]:
    choices = dict(layer.choices or {})
    if layer.inputs is not None:
        raise SpecError("a layer with choices reads the previous layer (no 'inputs')")
    depth_values = choices.pop("repeat", None)
    if depth_values is None:
        depth_values = [layer.repeat if layer.repeat is not None else 1]
    depths = frozenset(_whole(evaluate(value, scope), "a depth", minimum=0) for value in depth_values)
    copies = max(depths)
    if copies == 0:
        raise SpecError("choices: repeat needs a depth ≥ 1")
    skips = choices.pop("skip", [False])
    fields = list(choices)
    options = tuple(tuple(zip(fields, combo, strict=True)) for combo in
                    itertools.product(*([evaluate(v, scope) for v in choices[f]] for f in fields))
                    ) if False in skips else ()
    settings = len(options) + (True in skips)
    return [_Slot((), layer, name, copy, options, start + copies, (settings,) * (copies - copy),
                  depths, True in skips) for copy in range(copies)]


def _used_names(spec: ModelSpec) -> set[str]:
    """Every identifier in the layers and blocks: the parameters their costs may depend on
    (a parameter used only in ``input`` acts through the input shape alone)."""
    text = repr([spec.layers, spec.blocks, spec.batch])
    return set(re.findall(r"[A-Za-z_]\w*", text))


def _whole(value: Any, what: str, minimum: int) -> int:
    value = as_int(value)
    if not isinstance(value, int) or value < minimum:
        raise SpecError(f"choices: {what} must be a whole number ≥ {minimum}, got {value}")
    return value


class _Builder:
    def __init__(self, space: Space, bindings: dict[str, Any], scope: Mapping[str, Any],
                 slots: list[_Slot], settings: bool, relevant: tuple[Any, ...]) -> None:
        self.space, self.bindings, self.scope = space, bindings, scope
        self.slots, self.settings, self.relevant = slots, settings, relevant

    def run(self) -> SpaceGraph:
        spec = self.space.spec
        shape = tuple(as_int(evaluate(v, self.scope)) for v in (spec.batch, *spec.input))
        pending: list[dict[Shape, list[tuple[int, Shape, Choice | None, dict[str, int], int, int]]]] = [
            {} for _ in range(len(self.slots) + 1)]
        pending[0][shape] = []
        ids: dict[tuple[int, Shape], int] = {}
        raw: list[list[tuple[int, Shape, Choice | None, dict[str, int], int, int]]] = []
        terminal: list[bool] = []
        for index in range(len(self.slots) + 1):
            for node_shape in pending[index]:
                ids[index, node_shape] = len(raw)
                terminal.append(index == len(self.slots))
                out = [] if index == len(self.slots) else list(self._edges(index, node_shape))
                for target, target_shape, *_ in out:
                    pending[target].setdefault(target_shape, [])
                raw.append(out)
                self.space.edge_count += len(out)
                if self.space.edge_count > MAX_SPACE_EDGES:
                    raise _too_large(self.space, f"{MAX_SPACE_EDGES:,} edges (MAX_SPACE_EDGES: one a "
                                     "choice at a copy and an input shape)")
        edges = [[Edge(ids[target, target_shape], choice, values, peak, multiplicity)
                  for target, target_shape, choice, values, peak, multiplicity in node]
                 for node in raw]
        return SpaceGraph({}, edges, terminal)

    def _edges(self, index: int, shape: Shape) -> Iterator[tuple[int, Shape, Choice | None,
                                                                dict[str, int], int, int]]:
        slot = self.slots[index]
        if slot.layer is None:
            values, peak, out = self._cost(("run", *map(id, slot.layers)), slot.layers, shape)
            yield index + 1, out, None, values, peak, 1
            return
        assert slot.ends is not None
        if slot.copy in slot.depths:
            skipped = prod(slot.settings_after) if self.settings else 1
            yield (slot.ends, shape, Choice(slot.name, slot.copy, (), slot.copy),
                   dict.fromkeys(self.space.metrics, 0), 0, skipped)
        outputs = set()
        for option in slot.options:
            layer = concrete_layer(slot.layer, slot.name, slot.copy, dict(option))
            key = (slot.name, slot.copy == 0, option)
            values, peak, out = self._cost(key, (layer,), shape)
            outputs.add(out)
            yield index + 1, out, Choice(slot.name, slot.copy, option), values, peak, 1
        if slot.skip and outputs <= {shape}:  # ProxylessNAS: 'Zero' where stride 1 and C_in = C_out
            yield (index + 1, shape, Choice(slot.name, slot.copy, (("skip", True),)),
                   dict.fromkeys(self.space.metrics, 0), 0, 1)

    def _cost(self, key: tuple[Any, ...], layers: tuple[LayerSpec, ...],
              shape: Shape) -> tuple[dict[str, int], int, Shape]:
        key = (*key, shape, self.relevant)
        if key not in self.space.costs:
            if len(self.space.costs) >= MAX_SPACE_COSTINGS:
                raise _too_large(self.space, f"{MAX_SPACE_COSTINGS:,} analyses of a choice on an input "
                                 "shape (MAX_SPACE_COSTINGS)")
            self.space.costs[key] = cost_layers(self.space, self.bindings, layers, shape)
        return self.space.costs[key]


def cost_layers(space: Space, bindings: Mapping[str, Any], layers: tuple[LayerSpec, ...],
                shape: Shape) -> tuple[dict[str, int], int, Shape]:
    """Additive metrics, peak activation memory and output shape of ``layers`` alone, run
    on a tensor of ``shape``: the ordinary build and analysis of a spec holding just them."""
    if len(shape) != 4:
        raise SpecError(f"choices need an N×C×H×W input; the layers before give {shape}",
                        path=space.path, line=layers[0].line or None, layer=layers[0].name)
    sub = space.spec.model_copy(update={"input": list(shape[1:]), "layers": list(layers),
                                        "choices": {}, "variants": []})
    network = build(sub, space.path, bindings)
    analysis = Analysis(network)
    values = {name: integer(ADDITIVE_METRICS[name](analysis)) for name in space.metrics}
    node, port = network.output
    return values, peak_memory(network).elements, network.nodes[node].outputs[port]


def concrete_layer(layer: LayerSpec, name: str, copy: int, values: Mapping[str, Any]) -> LayerSpec:
    """Copy ``copy`` of a choice layer as a plain layer: ``first`` applied to copy 0, the
    chosen field ``values`` set, no repeat and no choices."""
    first = layer.first if copy == 0 and layer.first else {}
    name = f"{name}.{copy}" if _repeats(layer) else name
    return override(layer, {**first, **values, "name": name}, {"first", "repeat", "choices", "name"},
                    f"choice {dict(values)}")


def _repeats(layer: LayerSpec) -> bool:
    return layer.repeat is not None or "repeat" in (layer.choices or {})
