"""Network → ONNX graph: walk the nodes in execution order, let each op's exporter emit
ONNX nodes, and collect initializers and metadata.

Weights are not drawn here: the numpy reference forward (:func:`costmodel.reference.forward.forward`)
is run once on a seeded input and its recorded weights become the initializers, so the
exported model and the reference compute with the very same numbers, and the reference's
output on that input is the answer the exported model must give. Input shapes of every
node come from that run too.

Naming: the ONNX node that produces a layer's output is named exactly as the layer; any
helper node of the same layer is ``layer/step``; initializers are ``layer/field``; a
layer's output tensor is its name (``name:k`` for output k of a multi-output layer). Every
node carries ``costmodel.layer``, ``costmodel.op`` and ``costmodel.block`` (the JSON list
of enclosing blocks, outermost first) in its ``metadata_props``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import helper

from costmodel import __version__
from costmodel.arith import is_symbolic
from costmodel.check import require_memory
from costmodel.errors import SpecError
from costmodel.graph import Network
from costmodel.reference.forward import forward, random_input
from costmodel.reference.registry import op_registrar

__all__ = ["EXPORTERS", "IR_VERSION", "MAX_EXPORT_OPS", "OPSET", "Exported", "LayerContext", "export_network",
           "register_exporter", "tensor_name"]

OPSET = 17
IR_VERSION = 10
"""Node ``metadata_props`` (the layer and block of each node) exist from IR version 10 on."""

ROLE_KEY = "costmodel.layer"

MAX_EXPORT_OPS = 50_000
"""Most ops ``export`` writes (half of MAX_NETWORK_NODES): at 100,000 ops the export took
10 s of CPU and 1.3 GiB on the benchmarks' machine — the reference forward drawing the
weights ~2.7 s, the ONNX graph ~2.8 s, ONNX's full checker ~2.9 s and 0.7 GiB of its own
(benchmarks/bench_scaling.py --commands export) — over the 10 s every input must be
answered in (issue 9)."""


@dataclass(frozen=True)
class Exported:
    """An exported model with the seeded input and the reference forward's output on it."""

    model: onnx.ModelProto
    input: np.ndarray
    output: np.ndarray


@dataclass
class LayerContext:
    """What an exporter sees of one layer and how it emits ONNX.

    ``inputs`` are the ONNX tensor names of the layer's inputs and ``shapes`` their concrete
    shapes; ``outputs`` are the tensor names the exporter must produce; ``weights`` are the
    reference forward's arrays for this layer (``weight``, ``bias``, ``gamma``, …).
    """

    name: str
    layer: Any
    inputs: list[str]
    shapes: list[tuple[int, ...]]
    outputs: list[str]
    weights: dict[str, np.ndarray]
    graph: onnx.GraphProto
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    constants: int = 0
    out_shapes: list[tuple[int, ...]] = field(default_factory=list)
    """The concrete shapes of the layer's outputs."""

    def weight(self, key: str) -> str:
        """The reference's array ``key`` of this layer as an initializer; its name."""
        return self.const(key, self.weights[key])

    def const(self, key: str, value: Any, dtype: Any = None) -> str:
        """An initializer ``layer/key`` holding ``value``; its name."""
        array = np.asarray(value, dtype=dtype)
        name = f"{self.name}/{key}"
        # written in place: numpy_helper.from_array plus make_graph/make_model would copy
        # every weight three times (~1 s for ResNet-50's 25 M)
        self.constants += 1
        tensor = self.graph.initializer.add()
        tensor.name = name
        tensor.data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
        tensor.dims.extend(array.shape)
        tensor.raw_data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        return name

    def node(self, op_type: str, inputs: list[str], *, step: str | None = None,
             outputs: list[str] | None = None, **attributes: Any) -> str:
        """Emit an ONNX node. Without ``step`` it is the layer's own node: named as the layer
        and producing ``outputs`` (default: the layer's outputs). With ``step`` it is a helper
        named ``layer/step`` producing one tensor of that name. Returns its first output."""
        name = self.name if step is None else f"{self.name}/{step}"
        if outputs is None:
            outputs = self.outputs if step is None else [name]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=name, **attributes))
        return outputs[0]


Exporter = Callable[[LayerContext], None]

EXPORTERS: dict[str, Exporter] = {}
"""Op name → how it is written as ONNX (costmodel/export/table.py fills it)."""


register_exporter = op_registrar(EXPORTERS, "an exporter")
"""``@register_exporter(*ops)``: register an exporter for ``ops``; a second one for the same op
is refused."""


def tensor_name(node: str, port: int, ports: int) -> str:
    """The ONNX tensor of output ``port`` of a node with ``ports`` outputs."""
    return node if ports == 1 else f"{node}:{port}"


def export_network(network: Network, *, seed: int = 0) -> Exported:
    """The ONNX model of ``network`` with the reference forward's seeded weights.

    Raises:
        SpecError: a symbolic parameter, or a layer whose op has no ONNX mapping (naming
            the layer), checked before anything runs.
    """
    symbolic = sorted(name for name, value in network.bindings.items() if is_symbolic(value))
    if symbolic:
        raise SpecError(f"export needs a number for every parameter (symbolic: {', '.join(symbolic)})",
                        path=network.path)
    if len(network.ops) > MAX_EXPORT_OPS:
        first = network.ops[MAX_EXPORT_OPS]
        raise SpecError(f"export writes at most {MAX_EXPORT_OPS:,} ops (MAX_EXPORT_OPS) and this "
                        f"network has {len(network.ops):,}; this op is the first beyond", path=network.path,
                        line=first.line or None, layer=first.name, op=first.op)
    for node in network.ops:
        if node.op not in EXPORTERS:
            raise SpecError(f"op '{node.op}' has no ONNX mapping; it cannot be exported",
                            path=network.path, line=node.line or None, layer=node.name, op=node.op)
    require_memory(network, "export")  # its weights and shapes come from a run
    x = random_input(tuple(int(size) for size in network.input_shape), seed)
    run = forward(network, x, seed=seed)
    model = helper.make_model(helper.make_graph([], network.spec.model, [], []),
                              opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=IR_VERSION, producer_name="costmodel",
                              producer_version=__version__)
    graph = model.graph
    for node in network.ops:
        name = node.name
        ports = len(run.nodes[name].shapes)
        context = LayerContext(
            name, node.layer,
            [tensor_name(source, port, len(run.nodes[source].shapes)) for source, port in node.inputs],
            [run.nodes[source].shapes[port] for source, port in node.inputs],
            [tensor_name(name, port, ports) for port in range(ports)],
            run.weights.get(name, {}), graph, out_shapes=list(run.nodes[name].shapes))
        EXPORTERS[node.op](context)
        _check_emitted(context)
        block = json.dumps(list(node.block))
        for emitted in context.nodes:
            helper.set_metadata_props(emitted, {ROLE_KEY: name, "costmodel.op": node.op,
                                                "costmodel.block": block})
        graph.node.extend(context.nodes)
    source, port = network.output
    output = tensor_name(source, port, len(run.nodes[source].shapes))
    graph.input.append(helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, list(x.shape)))
    graph.output.append(helper.make_tensor_value_info(output, onnx.TensorProto.FLOAT,
                                                      list(run.output.shape)))
    helper.set_metadata_props(model, {
        # a path from a non-UTF-8 file name holds surrogates (os.fsdecode), which protobuf
        # cannot store: kept escaped (``\udcff``; measure then finds no spec, and no costs)
        "costmodel.spec": network.path.encode("utf-8", "backslashreplace").decode("utf-8"),
        "costmodel.bindings": json.dumps({k: str(v) for k, v in network.bindings.items()}),
        "costmodel.seed": str(seed),
    })
    return Exported(model, x, run.output)


def _check_emitted(context: LayerContext) -> None:
    """The layer's own node is there once, its outputs are all produced, and no tensor or
    initializer name is defined twice (a step and a constant of one name would clash)."""
    own = [node for node in context.nodes if node.name == context.name]
    defined = [tensor for node in context.nodes for tensor in node.output]
    initializers = context.graph.initializer
    defined += [tensor.name for tensor in initializers[len(initializers) - context.constants:]]
    missing = [tensor for tensor in context.outputs if tensor not in defined]
    if len(own) != 1 or missing or len(set(defined)) != len(defined):
        raise AssertionError(f"exporter of '{context.name}' emitted {len(own)} node(s) named "
                             f"after the layer, missing outputs {missing}, names {defined}")
