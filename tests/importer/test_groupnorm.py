"""GroupNorm as the exporters write it before opset 18 (Reshape to N×G×·, InstanceNormalization
with scale 1 and bias 0, Reshape back, Mul γ, Add β: torch's TorchScript and dynamo exports,
costmodel's own export) and as opset 21's GroupNormalization imports to ``groupnorm``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from costmodel.api import analyze
from costmodel.export import export_network
from costmodel.graph import build
from costmodel.importer import import_onnx
from costmodel.spec.load import parse_spec
from tests.importer.helpers import stripped

SPEC = {"model": "gn", "input": [8, 4, 4], "layers": [
    {"name": "conv", "op": "conv2d", "out": 8, "kernel": 3, "padding": 1},
    {"name": "norm", "op": "groupnorm", "groups": 2}, {"name": "act", "op": "gelu"}]}


def test_instance_norm_pattern_is_groupnorm(tmp_path: Path) -> None:
    network = build(parse_spec(SPEC))
    file = tmp_path / "gn.onnx"
    file.write_bytes(export_network(network).model.SerializeToString())
    spec = import_onnx(str(file))
    assert [(layer["op"], layer.get("groups")) for layer in spec["layers"]] == [
        ("conv2d", None), ("groupnorm", 2), ("gelu", None)]
    totals = analyze(parse_spec(spec)).totals
    # conv 8·8·3·3 = 576 params, 576 MACCs per pixel · 16 pixels; γ, β 2·8 = 16
    assert (totals.params, totals.maccs) == (576 + 16, 576 * 16)
    assert totals.mem_access == network.total.mem_access and totals.elementwise == network.total.elementwise


def test_group_normalization_of_opset_21(tmp_path: Path) -> None:
    n = helper.make_node
    nodes = [n("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
             n("GroupNormalization", ["c", "gamma", "beta"], ["y"], name="norm", num_groups=4)]
    inits = [stripped("w", [8, 8, 1, 1]), stripped("gamma", [8]),
             numpy_helper.from_array(np.zeros(8, np.float32), "beta")]
    graph = helper.make_graph(nodes, "gn21", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 4, 4])], inits)
    file = tmp_path / "gn21.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]).SerializeToString())
    spec = import_onnx(str(file))
    assert spec["layers"][-1]["op"] == "groupnorm" and spec["layers"][-1]["groups"] == 4
    assert analyze(parse_spec(spec)).totals.params == 64 + 16  # 1×1 conv 8·8; γ, β 2·8
