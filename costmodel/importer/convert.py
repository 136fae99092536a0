"""ONNX graph → costmodel spec (a plain dict, validated by the spec schema).

Each ONNX node (or recognized group of nodes) becomes one layer of the op the exporter
(costmodel/export/table.py) writes as that ONNX, so an exported spec imports to the same
costs: Sigmoid→Mul(x, ·) is silu, Reshape→Transpose(g ↔ C/g)→Reshape is a channel shuffle,
Clip(0, 6) is relu6, Gemm is linear. Only initializer *shapes* are read, so a model whose
weights are stripped or external reports the same. Shapes of activations are left to
costmodel's own inference when the spec is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from costmodel.errors import SpecError
from costmodel.importer.read import read_model

__all__ = ["SUPPORTED", "import_onnx", "load_onnx", "parse_input_shape"]

MAX_DIM = 1 << 31


@dataclass
class _Graph:
    """What the mapping reads: constant values/shapes, producers and readers of tensors."""

    path: str
    shapes: dict[str, tuple[int, ...]]
    values: dict[str, np.ndarray]
    readers: dict[str, list[Any]]
    refs: dict[str, str] = field(default_factory=dict)
    layers: list[dict[str, Any]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    done: set[int] = field(default_factory=set)

    def const(self, node: Any, tensor: str) -> np.ndarray:
        if tensor not in self.values:
            raise self.error(node, f"input '{tensor}' must be a constant")
        return self.values[tensor]

    def ref(self, node: Any, tensor: str) -> str:
        if tensor not in self.refs:
            raise self.error(node, f"input '{tensor}' is not produced by an earlier node "
                                   "(graph not topologically sorted, or a cycle)")
        return self.refs[tensor]

    def error(self, node: Any, message: str) -> SpecError:
        return SpecError(message, path=self.path, layer=node.name or node.output[0], op=node.op_type)

    def add(self, node: Any, op: str, inputs: list[str], outputs: list[str], **fields: Any) -> None:
        """Append a layer named after ``node`` reading ONNX tensors ``inputs``."""
        name = (node.name or node.output[0] or node.op_type).replace(":", "_") or node.op_type
        base, k = name, 1
        while name in self.names or name == "input":
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        refs = [self.ref(node, tensor) for tensor in inputs]
        self.layers.append({"name": name, "op": op, "inputs": refs,
                            **{key: value for key, value in fields.items() if value is not None}})
        for port, tensor in enumerate(outputs):
            self.refs[tensor] = name if len(outputs) == 1 else f"{name}:{port}"


def _attrs(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _pair(values: Any) -> Any:
    return values[0] if len(set(values)) == 1 else list(values)


def _padding(graph: _Graph, node: Any, pads: list[int] | None, rank: int = 2) -> Any:
    """ONNX [begin…, end…] → a symmetric pad (number/pair) or TensorFlow's ``same``
    (end = begin or begin + 1, as ⌈H/s⌉ gives)."""
    pads = list(pads or [0] * (2 * rank))
    begin, end = pads[:rank], pads[rank:]
    if begin == end:
        return _pair(begin)
    if all(e - b in (0, 1) for b, e in zip(begin, end, strict=True)):
        return "same"
    raise graph.error(node, f"asymmetric padding {pads} is not supported")


def _conv(graph: _Graph, node: Any) -> None:
    a = _attrs(node)
    weight = graph.shapes.get(node.input[1])
    if weight is None or len(weight) != 4:
        raise graph.error(node, "needs a 4-D weight initializer (2-D convolution)")
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise graph.error(node, "auto_pad is not supported; use explicit pads")
    graph.add(node, "conv2d", [node.input[0]], list(node.output), out=weight[0], kernel=_pair(weight[2:]),
              stride=_pair(a.get("strides", [1, 1])), padding=_padding(graph, node, a.get("pads")),
              dilation=_pair(a.get("dilations", [1, 1])), groups=a.get("group", 1),
              bias=len(node.input) > 2 and bool(node.input[2]))


def _gemm(graph: _Graph, node: Any) -> None:
    a = _attrs(node)
    weight = graph.shapes.get(node.input[1])
    if weight is None or a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
        raise graph.error(node, "only Gemm(x, W[, b]) with a constant W is a linear layer")
    graph.add(node, "linear", [node.input[0]], list(node.output),
              out=weight[0] if a.get("transB", 0) else weight[1],
              bias=len(node.input) > 2 and bool(node.input[2]))


def _pool(graph: _Graph, node: Any) -> None:
    a = _attrs(node)
    op = "max_pool" if node.op_type == "MaxPool" else "avg_pool"
    padding = _padding(graph, node, a.get("pads"))
    if op == "avg_pool" and padding != 0 and not a.get("count_include_pad", 0):
        padding = "same"  # TensorFlow's average excludes the padding: costmodel's 'same'
    graph.add(node, op, [node.input[0]], list(node.output), kernel=_pair(a["kernel_shape"]),
              stride=_pair(a.get("strides", [1, 1])), padding=padding,
              ceil_mode=bool(a.get("ceil_mode", 0)) or None)


def _split(graph: _Graph, node: Any) -> None:
    a = _attrs(node)
    if a.get("axis", 0) != 1:
        raise graph.error(node, "only a split of the channels (axis 1) is supported")
    sizes = (graph.const(node, node.input[1]).tolist() if len(node.input) > 1 and node.input[1]
             else a.get("split"))
    outputs = list(node.output)
    if not sizes or len(set(sizes)) == 1:
        graph.add(node, "split", [node.input[0]], outputs, parts=len(outputs))
    else:
        graph.add(node, "split", [node.input[0]], outputs, sections=[int(s) for s in sizes])


def _clip(graph: _Graph, node: Any) -> None:
    bounds = [float(graph.const(node, t)) if i < len(node.input) and node.input[i] else None
              for i, t in ((1, node.input[1] if len(node.input) > 1 else ""),
                           (2, node.input[2] if len(node.input) > 2 else ""))]
    if bounds == [0.0, 6.0]:
        graph.add(node, "relu6", [node.input[0]], list(node.output))
    elif bounds == [0.0, None]:
        graph.add(node, "relu", [node.input[0]], list(node.output))
    else:
        raise graph.error(node, f"Clip{tuple(bounds)} has no mapping (only relu6 and relu)")


def _hardsigmoid(graph: _Graph, node: Any) -> None:
    a = _attrs(node)
    if abs(a.get("alpha", 0.2) - 1 / 6) > 1e-6 or abs(a.get("beta", 0.5) - 0.5) > 1e-6:
        raise graph.error(node, "only HardSigmoid(alpha=1/6, beta=1/2) (PyTorch's) is supported")
    graph.add(node, "hardsigmoid", [node.input[0]], list(node.output))


def _sigmoid(graph: _Graph, node: Any) -> None:
    readers = graph.readers.get(node.output[0], [])
    if len(readers) == 1 and readers[0].op_type == "Mul" and node.input[0] in readers[0].input:
        mul = readers[0]  # x · sigmoid(x): silu, named as the Mul (the exporter's layer node)
        graph.done.add(id(mul))
        graph.add(mul, "silu", [node.input[0]], list(mul.output))
        return
    graph.add(node, "sigmoid", [node.input[0]], list(node.output))


def _reshape(graph: _Graph, node: Any) -> None:
    """Reshape [N, g, C/g, …] → Transpose(1 ↔ 2) → Reshape: ShuffleNet's channel shuffle."""
    target = graph.const(node, node.input[1]).tolist()
    readers = graph.readers.get(node.output[0], [])
    if len(target) >= 4 and len(readers) == 1 and readers[0].op_type == "Transpose":
        perm = list(_attrs(readers[0]).get("perm", []))
        after = graph.readers.get(readers[0].output[0], [])
        if perm[:3] == [0, 2, 1] and perm[3:] == list(range(3, len(perm))) \
                and len(after) == 1 and after[0].op_type == "Reshape":
            graph.done.update((id(readers[0]), id(after[0])))
            graph.add(after[0], "shuffle", [node.input[0]], list(after[0].output), groups=int(target[1]))
            return
    raise graph.error(node, "only a Reshape–Transpose–Reshape channel shuffle is supported")


def _simple(op: str, arity: int | None = 1) -> Callable[[_Graph, Any], None]:
    def convert(graph: _Graph, node: Any) -> None:
        inputs = list(node.input) if arity is None else list(node.input[:arity])
        for tensor in inputs:
            if tensor in graph.values:
                raise graph.error(node, f"a constant operand ('{tensor}') is not supported")
        graph.add(node, op, inputs, list(node.output[:1]))
    return convert


def _flatten(graph: _Graph, node: Any) -> None:
    if _attrs(node).get("axis", 1) != 1:
        raise graph.error(node, "only Flatten(axis=1) is supported")
    graph.add(node, "flatten", [node.input[0]], list(node.output))


def _concat(graph: _Graph, node: Any) -> None:
    if _attrs(node).get("axis") != 1:
        raise graph.error(node, "only a concat of the channels (axis 1) is supported")
    _simple("concat", None)(graph, node)


CONVERTERS: dict[str, Callable[[_Graph, Any], None]] = {
    "Conv": _conv, "Gemm": _gemm, "BatchNormalization": _simple("batchnorm"),
    "Relu": _simple("relu"), "Sigmoid": _sigmoid, "HardSwish": _simple("hardswish"),
    "HardSigmoid": _hardsigmoid, "Clip": _clip, "Identity": _simple("identity"),
    "MaxPool": _pool, "AveragePool": _pool, "GlobalAveragePool": _simple("global_avg_pool"),
    "Add": _simple("add", 2), "Sum": _simple("add", None), "Mul": _simple("mul", 2),
    "Concat": _concat, "Split": _split, "Reshape": _reshape, "Flatten": _flatten,
    "Dropout": _simple("dropout"),
}
SUPPORTED = tuple(sorted(CONVERTERS))
"""ONNX op types with a mapping (Transpose only inside a recognized shuffle)."""


def parse_input_shape(text: str) -> tuple[int, ...]:
    """``"1,3,224,224"`` → (1, 3, 224, 224). Raises :class:`SpecError`."""
    try:
        dims = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise SpecError(f"--input-shape '{text}': use N,C,H,W integers") from None
    if len(dims) != 4 or not all(0 < d < MAX_DIM for d in dims):
        raise SpecError(f"--input-shape '{text}': use four positive integers N,C,H,W")
    return dims


def _input_shape(path: str, model: Any, initializers: set[str], bound: tuple[int, ...] | None) -> tuple[str, tuple[int, ...]]:
    inputs = [value for value in model.graph.input if value.name not in initializers]
    if len(inputs) != 1:
        raise SpecError(f"the graph has {len(inputs)} inputs; one image input is supported", path=path)
    value = inputs[0]
    dims = value.type.tensor_type.shape.dim
    if bound is not None:
        if len(dims) not in (0, len(bound)):
            raise SpecError(f"--input-shape has {len(bound)} dims; input '{value.name}' has {len(dims)}", path=path)
        return value.name, bound
    shape = []
    for axis, dim in enumerate(dims):
        if not dim.HasField("dim_value") or dim.dim_value <= 0:
            label = dim.dim_param or "?"
            raise SpecError(f"input '{value.name}' has a dynamic dimension {axis} ('{label}'); "
                            "bind it with --input-shape N,C,H,W", path=path)
        if dim.dim_value >= MAX_DIM:
            raise SpecError(f"input '{value.name}' dimension {axis} is {dim.dim_value}, too large", path=path)
        shape.append(dim.dim_value)
    if len(shape) != 4:
        raise SpecError(f"input '{value.name}' has shape {shape}; an N×C×H×W image is supported", path=path)
    return value.name, tuple(shape)


def import_onnx(path: str, input_shape: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The spec (plain data for :func:`costmodel.spec.load.parse_spec`) of the ONNX model at
    ``path``. Raises :class:`SpecError` naming the node of an op without a mapping."""
    from onnx import numpy_helper

    model = read_model(path)
    g = model.graph
    shapes = {t.name: tuple(t.dims) for t in g.initializer}
    values: dict[str, np.ndarray] = {}
    for t in g.initializer:
        if len(t.dims) <= 1 and (t.raw_data or t.int64_data or t.float_data or t.int32_data):
            values[t.name] = numpy_helper.to_array(t)
    readers: dict[str, list[Any]] = {}
    for node in g.node:
        for tensor in node.input:
            readers.setdefault(tensor, []).append(node)
    graph = _Graph(path, shapes, values, readers)
    name, shape = _input_shape(path, model, set(shapes), input_shape)
    graph.refs[name] = "input"
    for node in g.node:
        if id(node) in graph.done:
            continue
        if node.op_type == "Constant" and not node.domain:
            attribute = node.attribute[0] if node.attribute else None
            if attribute is not None and attribute.name == "value":
                values[node.output[0]] = numpy_helper.to_array(attribute.t)
                shapes[node.output[0]] = tuple(attribute.t.dims)
                continue
        convert = CONVERTERS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        if convert is None:
            raise graph.error(node, f"ONNX op '{node.op_type}' has no mapping (supported: "
                                    f"{', '.join(SUPPORTED)}, Constant)")
        convert(graph, node)
    outputs = [graph.ref(g.node[-1], value.name) for value in g.output]
    n, c, h, w = shape
    spec: dict[str, Any] = {"model": g.name or "onnx_model", "batch": n, "input": [c, h, w],
                            "layers": graph.layers}
    if outputs and outputs[0] != graph.layers[-1]["name"]:
        spec["output"] = outputs[0]
    return spec


def load_onnx(path: str, input_shape: str | None = None) -> Any:
    """The validated :class:`~costmodel.spec.schema.ModelSpec` of the ONNX model at ``path``
    (``input_shape`` as given to ``--input-shape``)."""
    from costmodel.spec.load import parse_spec

    return parse_spec(import_onnx(path, None if input_shape is None else parse_input_shape(input_shape)), path)
