"""The importer's working state: ONNX tensors known as constants or as costmodel layer
outputs (with the shapes costmodel's own formulas give them), readers of each tensor, and
the layers emitted so far."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from costmodel.errors import SpecError, printable
from costmodel.importer.consts import Const

__all__ = ["State", "attrs", "layer_name"]

_LAYOUT_OPS = frozenset({"matmul", "reshape", "flatten", "permute", "tokens", "image"})
"""Layers whose output is not the token grid of their N×H×W×C input."""


def attrs(node: Any) -> dict[str, Any]:
    """A node's attributes as plain Python values (tensors as numpy arrays)."""
    from onnx import AttributeProto, helper, numpy_helper

    values: dict[str, Any] = {}
    for a in node.attribute:
        if a.type == AttributeProto.TENSOR:
            values[a.name] = numpy_helper.to_array(a.t) if _has_data(a.t) else None
        else:
            values[a.name] = helper.get_attribute_value(a)
    return values


def _has_data(tensor: Any) -> bool:
    numel = 1
    for d in tensor.dims:
        numel *= d
    return numel == 0 or any(tensor.HasField(f) if f == "raw_data" else len(getattr(tensor, f)) > 0
                             for f in ("raw_data", "float_data", "int64_data", "int32_data",
                                       "double_data", "uint64_data"))


def _module_path(parts: list[str]) -> str:
    """PyTorch's module path from scopes that repeat their parent's path (``features``,
    ``features.0``) or give only the attribute (``layer1.0``, ``conv1``)."""
    path, previous = "", ""
    for part in parts:
        if previous and part.startswith(previous + "."):  # the parent's own path again
            path = path[: len(path) - len(previous)] + part
        else:
            path = f"{path}.{part}" if path else part
        previous = part
    return path


def layer_name(node: Any) -> str:
    """A readable layer name for ``node``: costmodel's own layer (an export of a spec), the
    PyTorch module path (the dynamo exporter's name scopes, the TorchScript exporter's
    ``/layer1/layer1.0/conv1/Conv`` names), else the node's name or first output — with
    control characters escaped (``\\x0a``), as a spec's names may hold none."""
    return printable(_readable_name(node))


def _readable_name(node: Any) -> str:
    meta = {p.key: p.value for p in node.metadata_props}
    if "costmodel.layer" in meta:
        return meta["costmodel.layer"]
    scopes = meta.get("pkg.torch.onnx.name_scopes")
    if scopes:
        try:
            path = [s for s in json.loads(scopes.replace("'", '"')) if s]
        except ValueError:
            path = []
        if len(path) >= 2:
            return _module_path(path[:-1])
    parts = [p for p in node.name.split("/") if p]
    if len(parts) >= 2:
        return _module_path(parts[:-1])
    return node.name or (node.output[0] if node.output else "") or node.op_type


@dataclass
class State:
    """What the mapping reads and writes while walking the graph in order."""

    path: str
    consts: dict[str, Const]
    readers: dict[str, list[Any]]
    producers: dict[str, Any] = field(default_factory=dict)
    opset: int = 13
    refs: dict[str, str] = field(default_factory=dict)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    layers: list[dict[str, Any]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    done: set[int] = field(default_factory=set)
    deferred: dict[str, tuple[str, bool, float]] = field(default_factory=dict)
    """A tensor that is another one transposed (last two axes) and/or scaled, kept out of
    the layers until a MatMul takes it as ``transpose_b`` / ``scale``."""
    nhwc: set[str] = field(default_factory=set)
    """Tensors ONNX holds as N×H×W×C and costmodel as tokens N×(H·W)×C."""
    nhwc_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    sequences: dict[str, list[str]] = field(default_factory=dict)
    """A SplitToSequence's output → the tensors of its parts (SequenceAt picks one)."""
    weights: dict[str, dict[str, np.ndarray | None]] = field(default_factory=dict)
    """Layer → the reference forward's weight field → the ONNX model's array (None when
    the data is stripped), so `costmodel check` runs the model's own weights."""

    def error(self, node: Any, message: str) -> SpecError:
        return SpecError(message, path=self.path, layer=node.name or (node.output[0] if node.output else ""),
                         op=node.op_type)

    def axis(self, node: Any, value: Any, rank: int) -> int:
        """``value`` as an axis of a rank-``rank`` tensor, 0 … rank − 1: ONNX allows −rank …
        rank − 1 (an axis 99 on rank 4 is refused, not read as 99 mod 4)."""
        axis = int(value)
        if not -rank <= axis < rank:
            raise self.error(node, f"axis {axis} is outside {-rank} … {rank - 1}")
        return axis % rank

    def const(self, tensor: str) -> Const | None:
        return self.consts.get(tensor) if tensor else None

    def value(self, node: Any, tensor: str) -> Any:
        """The known value of constant input ``tensor`` (an error if not constant/stripped)."""
        c = self.const(tensor)
        if c is None or c.value is None:
            raise self.error(node, f"input '{tensor}' must be a constant with known data")
        return c.value

    def scalar(self, tensor: str) -> float | None:
        c = self.const(tensor)
        return None if c is None else c.scalar()

    def is_act(self, tensor: str) -> bool:
        return tensor in self.refs

    def shape(self, node: Any, tensor: str) -> tuple[int, ...]:
        if tensor not in self.shapes:
            self._missing(node, tensor)
        return self.shapes[tensor]

    def only_reader(self, tensor: str, op_type: str | None = None) -> Any | None:
        """The single node reading ``tensor``'s data (of ``op_type`` if given), else None;
        nodes reading only its shape or type (Shape, Size, CastLike's second input) aside."""
        readers = [r for r in self.readers.get(tensor, []) if r.op_type not in ("Shape", "Size")
                   and not (r.op_type == "CastLike" and list(r.input[:1]) != [tensor])]
        if len(readers) != 1 or (op_type is not None and readers[0].op_type != op_type):
            return None
        return readers[0]

    def alias(self, out: str, tensor: str) -> None:
        """``out`` is the same data as activation ``tensor`` (no layer)."""
        self.refs[out] = self.refs[tensor]
        self.shapes[out] = self.shapes[tensor]
        if tensor in self.nhwc:
            self.nhwc.add(out)
            self.nhwc_shapes[out] = self.nhwc_shapes[tensor]

    def add(self, node: Any, op: str, inputs: list[str], outputs: list[str], suffix: str = "",
            weights: dict[str, Any] | None = None, **fields: Any) -> None:
        """Append a layer named after ``node`` (plus ``suffix``) reading activations
        ``inputs``; its output shapes come from costmodel's formula for ``op``."""
        from costmodel.ops.base import OPS
        from costmodel.spec.base import evaluated
        from costmodel.spec.layers import LAYER_CLASSES

        name = (layer_name(node) + suffix).replace(":", "_").strip() or node.op_type
        base, k = name, 1
        while name in self.names or name == "input":
            name, k = f"{base}_{k}", k + 1
        refs = [self.refs[t] if t in self.refs else self._missing(node, t) for t in inputs]
        spec_class = LAYER_CLASSES[op]
        given = {key: value for key, value in fields.items()
                 if value is not None and value != spec_class.model_fields[key].default}
        data = {"name": name, "op": op, "inputs": refs, **given}
        try:
            layer = evaluated(spec_class.model_validate({"name": name, "op": op, **given}), {})
            result = OPS[op].formula(layer, *(self.shapes[t] for t in inputs))
        except SpecError as error:
            raise self.error(node, f"as {op}: {error.message}") from None
        except ValueError as error:  # pydantic: a field the mapping got wrong
            raise self.error(node, f"as {op}: {str(error).splitlines()[0]}") from None
        self.names.add(name)
        self.layers.append(data)
        if weights:
            self.weights[name] = {key: self._array(value) for key, value in weights.items()}
        for port, tensor in enumerate(outputs):
            self.refs[tensor] = name if len(outputs) == 1 else f"{name}:{port}"
            self.shapes[tensor] = tuple(result.outputs[port])
        grid = next((self.nhwc_shapes[t] for t in inputs if t in self.nhwc), None)
        if grid is not None and op not in _LAYOUT_OPS:
            self._keep_nhwc(grid, outputs)

    def _keep_nhwc(self, grid: tuple[int, ...], outputs: list[str]) -> None:
        """Outputs of a token-wise layer (norm, linear, activation) on an N×H×W×C tensor
        are N×H×W×C' in the ONNX graph too."""
        n, h, w, _ = grid
        for tensor in outputs:
            shape = self.shapes[tensor]
            if len(shape) == 3 and shape[:2] == (n, h * w):
                self.nhwc.add(tensor)
                self.nhwc_shapes[tensor] = (n, h, w, shape[2])

    def rank(self, tensor: str) -> int:
        """The rank ONNX gives ``tensor`` (an N×H×W×C tensor is 4-D, costmodel's tokens 3-D)."""
        return len(self.shapes[tensor]) + (1 if tensor in self.nhwc else 0)

    def _array(self, value: Any) -> np.ndarray | None:
        """A weight given as a tensor name, or (name, transform) for a layout change."""
        tensor, transform = value if isinstance(value, tuple) else (value, None)
        const = self.consts.get(tensor) if tensor else None
        if const is None or const.value is None:
            return None
        return const.value if transform is None else transform(const.value)

    def _missing(self, node: Any, tensor: str) -> str:
        if tensor in self.consts:
            raise self.error(node, f"input '{tensor}' is a constant: a layer computed on constants "
                                   "only (a learned position encoding?) has no mapping")
        raise self.error(node, f"input '{tensor}' is not produced by an earlier node "
                               "(graph not topologically sorted, or a cycle)")
