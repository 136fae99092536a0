"""Hostile ONNX models for tools/hostile_corpus.py (issue 9): truncated or garbage bytes,
absurd, negative, zero or int64-overflowing dimensions, cycles, unknown ops, external data
pointing anywhere, constants that would fold into huge tensors, hostile node names.

Every model is a variation of one valid network, :data:`VALID_FIGURES`:

    x[1,3,8,8] → Conv 3→4 k3 p1 (108 weights, no bias) → Relu → GlobalAveragePool
    → Flatten → Gemm 4→2 (8 weights + 2 biases)

params 108 + 8 + 2 = 118; maccs: the conv 4·8·8·27 = 6,912, the Gemm 8: 6,920.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["VALID_FIGURES", "models", "external"]

VALID_FIGURES = ("118", "6,920")
BIG = 2**62
INT64_MAX = 2**63 - 1


def _weights(dims: list[int], name: str, data: bool = True) -> onnx.TensorProto:
    if data:
        return numpy_helper.from_array(np.full(dims, 0.125, np.float32), name)
    tensor = onnx.TensorProto(name=name, data_type=TensorProto.FLOAT)
    tensor.dims.extend(dims)
    return tensor


def _model(input_dims: list[int | str] | None = None, conv: dict[str, object] | None = None,
           weight: onnx.TensorProto | None = None, extra_nodes: list[onnx.NodeProto] | None = None,
           extra_inits: list[onnx.TensorProto] | None = None, relu_input: str = "c",
           elem_type: int = TensorProto.FLOAT, opset: int | None = 17,
           nodes: list[onnx.NodeProto] | None = None, inputs: list[onnx.ValueInfoProto] | None = None,
           ) -> onnx.ModelProto:
    """The valid network with one part replaced (unchecked: the point is a bad model)."""
    dims = [1, 3, 8, 8] if input_dims is None else input_dims
    attrs = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], **(conv or {})}
    attrs = {key: value for key, value in attrs.items() if value is not None}
    default_nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", **attrs),  # type: ignore[arg-type]
        helper.make_node("Relu", [relu_input], ["a"], name="act"),
        helper.make_node("GlobalAveragePool", ["a"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc", "fc_b"], ["y"], name="fc", transB=1),
        *(extra_nodes or []),
    ]
    inits = [weight if weight is not None else _weights([4, 3, 3, 3], "w"), _weights([2, 4], "fc"),
             _weights([2], "fc_b"), *(extra_inits or [])]
    graph = helper.make_graph(
        default_nodes if nodes is None else nodes, "hostile",
        [helper.make_tensor_value_info("x", elem_type, dims)] if inputs is None else inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], inits)
    opsets = [] if opset is None else [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model


def _ints(name: str, values: list[int]) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(values, np.int64), name)


def _scalar(name: str, value: int) -> onnx.TensorProto:
    return numpy_helper.from_array(np.int64(value), name)


def _folding(op: str, inputs: list[onnx.TensorProto], **attrs: object) -> onnx.ModelProto:
    """The valid network plus a node on constants only, whose output nothing reads."""
    node = helper.make_node(op, [t.name for t in inputs], ["folded"], name="folding", **attrs)  # type: ignore[arg-type]
    return _model(extra_nodes=[node], extra_inits=inputs)


def external(location: str, length: int | None = None, offset: int | None = None) -> onnx.ModelProto:
    """The valid network whose conv weights are external data at ``location``."""
    weight = onnx.TensorProto(name="w", data_type=TensorProto.FLOAT)
    weight.dims.extend([4, 3, 3, 3])
    weight.data_location = TensorProto.EXTERNAL
    entries = {"location": location, **({"length": str(length)} if length is not None else {}),
               **({"offset": str(offset)} if offset is not None else {})}
    for key, value in entries.items():
        weight.external_data.add(key=key, value=value)
    return _model(weight=weight)


def _chain(count: int) -> onnx.ModelProto:
    """The valid network with ``count`` more Relu nodes between the conv and its Relu."""
    model = _model()
    conv, act, *rest = list(model.graph.node)
    relus = [helper.make_node("Relu", [f"r{i}" if i else "c"], [f"r{i + 1}"], name=f"relu{i}")
             for i in range(count)]
    act.input[0] = f"r{count}"
    del model.graph.node[:]
    model.graph.node.extend([conv, *relus, act, *rest])
    return model


def _named(name: str) -> onnx.ModelProto:
    model = _model()
    model.graph.node[1].op_type = "NoSuchOp"
    model.graph.node[1].name = name
    return model


def _renamed_op(op_type: str, domain: str = "") -> onnx.ModelProto:
    model = _model()
    model.graph.node[1].op_type = op_type
    model.graph.node[1].domain = domain
    return model


def _tweaked(change: Callable[[onnx.ModelProto], object]) -> onnx.ModelProto:
    model = _model()
    change(model)
    return model


def _if_node() -> onnx.ModelProto:
    branch = helper.make_graph([helper.make_node("Relu", ["c"], ["b"])], "branch", [],
                               [helper.make_tensor_value_info("b", TensorProto.FLOAT, None)])
    cond = numpy_helper.from_array(np.array(True), "cond")
    node = helper.make_node("If", ["cond"], ["a"], name="if", then_branch=branch, else_branch=branch)
    model = _model(extra_inits=[cond])
    model.graph.node[1].CopyFrom(node)
    return model


def _mismatched_data() -> onnx.TensorProto:
    tensor = onnx.TensorProto(name="w", data_type=TensorProto.FLOAT, raw_data=b"\0\0\0")
    tensor.dims.extend([4, 3, 3, 3])
    return tensor


def models() -> dict[str, bytes | onnx.ModelProto]:
    """Name → the model (or raw bytes that are not one)."""
    valid = _model().SerializeToString()
    noise = random.Random(9)
    found: dict[str, bytes | onnx.ModelProto] = {
        "valid": _model(),
        "valid_stripped": _model(weight=_weights([4, 3, 3, 3], "w", data=False)),
        "truncated_half": valid[: len(valid) // 2],
        "truncated_byte": valid[:-1],
        "garbage": bytes(noise.randrange(256) for _ in range(4096)),
        "zeros": bytes(4096),
        "json": b'{"graph": {"node": []}}',
        "empty_graph": helper.make_model(helper.make_graph([], "g", [], [])),
        "dim_2e40": _model(input_dims=[1, 3, 2**40, 2**40]),
        "dim_int64_max": _model(input_dims=[1, 3, INT64_MAX, 8]),
        "dim_negative": _model(input_dims=[1, 3, -8, 8]),
        "dim_zero": _model(input_dims=[1, 3, 0, 8]),
        "batch_zero": _model(input_dims=[0, 3, 8, 8]),
        "batch_huge": _model(input_dims=[10**15, 3, 8, 8]),
        "dim_symbolic": _model(input_dims=["N", 3, 8, 8]),
        "rank_2": _model(input_dims=[1, 192]),
        "rank_5": _model(input_dims=[1, 3, 8, 8, 8]),
        "rank_0": _model(input_dims=[]),
        "string_input": _model(elem_type=TensorProto.STRING),
        "no_input": _model(inputs=[]),
        "two_inputs": _model(inputs=[helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 3, 8, 8])
                                     for n in ("x", "x2")]),
        "weight_zero_size": _model(weight=_weights([0, 3, 3, 3], "w")),
        "weight_negative_dims": _model(weight=_weights([-4, 3, 3, 3], "w", data=False)),
        "weight_huge_dims": _model(weight=_weights([BIG, 3, 3, 3], "w", data=False)),
        "weight_data_mismatch": _model(weight=_mismatched_data()),
        "weight_missing": _model(weight=_weights([2], "unrelated")),
        "kernel_huge": _model(conv={"kernel_shape": [BIG, BIG]},
                              weight=_weights([4, 3, BIG, BIG], "w", data=False)),
        "kernel_zero": _model(conv={"kernel_shape": [0, 0]}, weight=_weights([4, 3, 0, 0], "w", data=False)),
        "stride_zero": _model(conv={"strides": [0, 0]}),
        "stride_negative": _model(conv={"strides": [-1, -1]}),
        "stride_int64_max": _model(conv={"strides": [INT64_MAX, INT64_MAX]}),
        "dilation_zero": _model(conv={"dilations": [0, 0]}),
        "pads_negative": _model(conv={"pads": [-5, -5, -5, -5]}),
        "pads_huge": _model(conv={"pads": [BIG, BIG, BIG, BIG]}),
        "pads_short": _model(conv={"pads": [1]}),
        "group_zero": _model(conv={"group": 0}),
        "group_negative": _model(conv={"group": -3}),
        "group_not_dividing": _model(conv={"group": 3}),
        "auto_pad_junk": _tweaked(lambda m: m.graph.node[0].attribute.append(
            helper.make_attribute("auto_pad", "SIDEWAYS"))),
        "reshape_int64_max": _model(extra_nodes=[helper.make_node("Reshape", ["y", "shape"], ["y2"], name="rs")],
                                    extra_inits=[_ints("shape", [INT64_MAX, -1])]),
        "reshape_two_unknown": _model(extra_nodes=[helper.make_node("Reshape", ["y", "shape"], ["y2"], name="rs")],
                                      extra_inits=[_ints("shape", [-1, -1])]),
        "fold_constant_of_shape": _folding("ConstantOfShape", [_ints("s", [10**6, 10**6])]),
        "fold_range": _folding("Range", [_scalar("a", 0), _scalar("b", 10**12), _scalar("d", 1)]),
        "fold_tile": _folding("Tile", [_ints("t", [1]), _ints("r", [10**9])]),
        "fold_expand": _folding("Expand", [_ints("t", [1]), _ints("s", [10**5, 10**5])]),
        "fold_pow_overflow": _folding("Pow", [_ints("t", [10]), _ints("e", [400])]),
        "fold_div_zero": _folding("Div", [_ints("t", [1]), _ints("z", [0])]),
        "fold_range_step_zero": _folding("Range", [_scalar("a", 0), _scalar("b", 10), _scalar("d", 0)]),
        "fold_broadcast": _folding("Add", [numpy_helper.from_array(np.zeros((2**14, 1), np.int64), "c"),
                                           numpy_helper.from_array(np.zeros((1, 2**14), np.int64), "r")]),
        "fold_gather": _folding("Gather", [numpy_helper.from_array(np.zeros((64, 64), np.int64), "t"),
                                           _ints("i", [0] * 2**20)]),  # 2²⁶ elements
        "cycle": _tweaked(lambda m: m.graph.node[0].input.__setitem__(0, "a")),
        "self_loop": _model(relu_input="a"),
        "unknown_op": _renamed_op("FooBar"),
        "custom_domain": _renamed_op("Relu", "com.evil"),
        "if_subgraph": _if_node(),
        "opset_1": _model(opset=1),
        "opset_999": _model(opset=999),
        "no_opset": _model(opset=None),
        "ir_version_999": _tweaked(lambda m: setattr(m, "ir_version", 999)),
        "name_newline": _named("a\nerror: forged"),
        "name_ansi": _named("\x1b[2J\x1b[31mred"),
        "name_long": _named("n" * 100_000),
        "duplicate_outputs": _tweaked(lambda m: m.graph.node[2].output.__setitem__(0, "a")),
        "empty_input_name": _tweaked(lambda m: m.graph.node[0].input.__setitem__(0, "")),
        "chain_20k": _chain(20_000),
        "ext_absolute": external("/etc/passwd"),
        "ext_parent": external("../../../../../../etc/passwd"),
        "ext_dev_zero": external("/dev/zero"),
        "ext_missing": external("w.bin"),
        "ext_fifo": external("w.bin"),
        "ext_link_zero": external("w.bin"),
        "ext_folder": external("w.bin"),
        "ext_huge_offset": external("w.bin", length=432, offset=10**15),
        "ext_huge_length": external("w.bin", length=10**15),
        "ext_ok": external("w.bin", length=432),
        "metadata_spec_passwd": _tweaked(lambda m: m.metadata_props.add(key="costmodel.spec", value="/etc/passwd")),
        "metadata_spec_fifo": _tweaked(lambda m: m.metadata_props.add(key="costmodel.spec", value="w.bin")),
    }
    return found


def serialized(model: bytes | onnx.ModelProto) -> bytes:
    """The file's bytes."""
    return model if isinstance(model, bytes) else model.SerializeToString()
