"""The export table: complete over the op registry, each mapping's ONNX semantics, and
an unmapped op refused with the layer's name."""

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator

from costmodel.errors import SpecError
from costmodel.export import EXPORTERS, OPSET, export_network
from costmodel.graph import build
from costmodel.ops import OPS
from costmodel.spec.load import load_spec, parse_spec


def test_every_registered_op_has_an_onnx_mapping():
    missing = sorted(set(OPS) - set(EXPORTERS))
    assert not missing, (f"ops without an ONNX mapping: {missing}; add an exporter for each in "
                         "costmodel/export/table.py (register_exporter)")


def test_the_table_maps_only_registered_ops():
    assert sorted(set(EXPORTERS) - set(OPS)) == []


def network(layers, input_shape=(8, 6, 6)):
    spec = parse_spec({"model": "t", "input": list(input_shape), "layers": layers})
    return build(spec, "t.yaml")


def nodes(model):
    return [(node.name, node.op_type) for node in model.graph.node]


def initializer(model, name):
    return numpy_helper.to_array(next(t for t in model.graph.initializer if t.name == name))


def test_relu6_is_a_clip_with_bounds_as_inputs():
    model = export_network(network([{"op": "relu6", "name": "act"}])).model
    (clip,) = model.graph.node
    assert (clip.op_type, list(clip.input)) == ("Clip", ["input", "act/min", "act/max"])
    assert (initializer(model, "act/min"), initializer(model, "act/max")) == (0, 6)


def test_hardsigmoid_has_alpha_one_sixth():
    exported = export_network(network([{"op": "hardsigmoid", "name": "gate"}]))
    (node,) = exported.model.graph.node
    alpha = next(a.f for a in node.attribute if a.name == "alpha")
    assert alpha == pytest.approx(1 / 6)  # ONNX's default 0.2 would give x/5 + 1/2
    x = np.array([[[[-4.0, -3.0, 0.0, 1.5, 3.0, 9.0]]]], np.float32)
    (y,) = ReferenceEvaluator(exported.model).run(None, {"input": np.broadcast_to(x, (1, 8, 6, 6))
                                                         .astype(np.float32)})
    # relu6(x + 3) / 6 at -4, -3, 0, 1.5, 3, 9: 0, 0, 1/2, 3/4, 1, 1
    np.testing.assert_allclose(y[0, 0, 0], [0, 0, 0.5, 0.75, 1, 1], rtol=1e-6)


def test_shuffle_is_reshape_transpose_reshape():
    exported = export_network(network([{"op": "shuffle", "name": "sh", "groups": 2}], (4, 1, 1)))
    assert nodes(exported.model) == [("sh/group", "Reshape"), ("sh/transpose", "Transpose"),
                                     ("sh", "Reshape")]
    x = np.arange(4, dtype=np.float32).reshape(1, 4, 1, 1)
    (y,) = ReferenceEvaluator(exported.model).run(None, {"input": x})
    # channels [0 1 | 2 3] in 2 groups, interleaved: 0 2 1 3
    assert y.ravel().tolist() == [0, 2, 1, 3]


def test_split_sizes_are_an_input():
    model = export_network(network([{"op": "split", "name": "sp", "sections": [3, 5]}])).model
    (split,) = model.graph.node
    assert list(split.input) == ["input", "sp/split"] and list(split.output) == ["sp:0", "sp:1"]
    assert initializer(model, "sp/split").tolist() == [3, 5]


def test_node_names_are_layer_names_with_block_path_in_metadata():
    spec = parse_spec({"model": "t", "input": [8, 6, 6], "layers": [
        {"op": "conv_bn_act", "name": "stem", "out": 8, "kernel": 3, "padding": 1},
        {"op": "silu", "name": "act"}]})
    model = export_network(build(spec, "t.yaml")).model
    assert nodes(model) == [("stem.conv", "Conv"), ("stem.bn", "BatchNormalization"),
                            ("stem.act", "Relu"), ("act/sigmoid", "Sigmoid"), ("act", "Mul")]
    meta = {node.name: {p.key: p.value for p in node.metadata_props} for node in model.graph.node}
    assert meta["stem.bn"] == {"costmodel.layer": "stem.bn", "costmodel.op": "batchnorm",
                               "costmodel.block": '["stem"]'}
    assert meta["act/sigmoid"]["costmodel.layer"] == "act"
    assert model.opset_import[0].version == OPSET == 17
    onnx.checker.check_model(model, full_check=True)


def test_an_op_without_mapping_is_an_error_naming_the_layer(monkeypatch, tmp_path):
    monkeypatch.delitem(EXPORTERS, "relu6")
    path = tmp_path / "t.yaml"
    path.write_text("model: t\ninput: [3, 8, 8]\nlayers:\n  - {op: conv2d, out: 8}\n"
                    "  - {op: relu6, name: clip6}\n")
    with pytest.raises(SpecError) as caught:
        export_network(build(load_spec(path), str(path)))
    assert str(caught.value) == (f"{path}:5: layer 'clip6' (relu6): op 'relu6' has no ONNX "
                                 "mapping; it cannot be exported")


def test_symbolic_parameters_are_refused():
    spec = parse_spec({"model": "t", "params": {"r": 8}, "input": [3, "r", "r"],
                       "layers": [{"op": "relu"}]})
    with pytest.raises(SpecError, match="symbolic: r"):
        export_network(build(spec, "t.yaml", symbolic=("r",)))
