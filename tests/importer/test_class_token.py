"""ViT's input layout (Dosovitskiy et al. 2021, eq. 1): patch tokens, a learned class token
prepended (ONNX: Concat of the token expanded over the batch), a learned position
embedding added (Add of a 1×L×C initializer) — imported as ``class_token`` and
``position_embedding``, counted by hand, run by the reference with the model's own weights
and compared with onnxruntime, and exported by costmodel and imported back identical."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.export import export_network
from costmodel.graph import build
from costmodel.importer import import_onnx
from costmodel.spec.load import parse_spec


def _vit(path: Path) -> str:
    """x[1,3,8,8] → Conv 3→6 k4 s4 (2×2 patches) → Reshape 1×6×4 → Transpose → tokens 1×4×6 →
    Concat(class token 1×1×6, ·) → 1×5×6 → Add position embedding 1×5×6 → Gather token 0 →
    Gemm 6→2."""
    rng = np.random.default_rng(0)

    def array(name: str, *shape: int) -> onnx.TensorProto:
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    inits = [array("w", 6, 3, 4, 4), array("b", 6), array("cls", 1, 1, 6), array("pos", 1, 5, 6),
             array("fc", 2, 6), array("fc_b", 2), numpy_helper.from_array(np.array([1, 6, 4], np.int64), "to_seq"),
             numpy_helper.from_array(np.array(0, np.int64), "first")]
    n = helper.make_node
    nodes = [n("Conv", ["x", "w", "b"], ["c"], name="conv_proj", kernel_shape=[4, 4], strides=[4, 4]),
             n("Reshape", ["c", "to_seq"], ["s"], name="view"),
             n("Transpose", ["s"], ["t"], name="permute", perm=[0, 2, 1]),
             n("Concat", ["cls", "t"], ["z"], name="cat", axis=1),
             n("Add", ["z", "pos"], ["e"], name="pos_embed"),
             n("Gather", ["e", "first"], ["g"], name="take_cls", axis=1),
             n("Gemm", ["g", "fc", "fc_b"], ["y"], name="head", transB=1)]
    graph = helper.make_graph(nodes, "vit", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], inits)
    file = path / "vit.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    return str(file)


def test_class_token_and_position_embedding_are_counted(tmp_path: Path) -> None:
    spec = import_onnx(_vit(tmp_path))
    ops = {layer["name"]: layer["op"] for layer in spec["layers"]}
    assert (ops["cat"], ops["pos_embed"]) == ("class_token", "position_embedding")
    nodes = build(parse_spec(spec)).nodes
    # the class token: 1×5×6 written, the 4 tokens and the 1 learned one read: 2·30
    assert (nodes["cat"].cost.params, nodes["cat"].cost.mem_access) == (6, 60)
    # the embedding: 30 values read twice over (tokens and table) and written, 30 adds
    pos = nodes["pos_embed"].cost
    assert (pos.params, pos.mem_access, pos.elementwise) == (30, 90, 30)
    totals = analyze(parse_spec(spec)).totals
    # conv 6·3·4·4 + 6 = 294; class token 6; position embedding 5·6 = 30; head 6·2 + 2 = 14
    assert totals.params == 294 + 6 + 30 + 14
    # conv 3·4·4 = 48 per output value · 6 channels · 2·2 patches = 1152; head 6·2 = 12
    assert totals.maccs == 1152 + 12


def test_check_runs_the_vit_weights_and_matches_onnxruntime(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", _vit(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "the model's own weights" in result.output and "outputs agree with onnxruntime" in result.output


def test_export_and_import_back_are_identical(tmp_path: Path) -> None:
    spec = import_onnx(_vit(tmp_path))
    network = build(parse_spec(spec))
    exported = tmp_path / "exported.onnx"
    exported.write_bytes(export_network(network).model.SerializeToString())
    again = analyze(parse_spec(import_onnx(str(exported)))).totals
    total = network.total
    assert (again.params, again.maccs, again.mem_access, again.elementwise) == \
        (total.params, total.maccs, total.mem_access, total.elementwise)
