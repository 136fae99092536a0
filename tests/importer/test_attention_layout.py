"""LeViT writes attention's key as x.permute(0, 2, 3, 1) of B×N×heads×d straight into the
score MatMul: a Transpose [0, 2, 3, 1] of a 4-D tensor that is no N×C×H×W image, so it is a
permute (a copy), not a Transpose to tokens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from costmodel.api import analyze
from costmodel.importer import import_onnx
from costmodel.spec.load import parse_spec
from tests.importer.helpers import stripped


def test_key_permuted_into_the_scores(tmp_path: Path) -> None:
    """x[1,8,4,4] → 1×1 conv 8→8 → tokens 1×16×8 → heads 1×16×2×4 → q [0,2,1,3] (1×2×16×4),
    k [0,2,3,1] (1×2×4×16) → MatMul 1×2×16×16."""
    def shape(name: str, dims: list[int]) -> object:
        return numpy_helper.from_array(np.array(dims, np.int64), name)

    n = helper.make_node
    nodes = [n("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
             n("Reshape", ["c", "flat"], ["f"], name="flatten"),
             n("Transpose", ["f"], ["t"], name="to_tokens", perm=[0, 2, 1]),
             n("Reshape", ["t", "heads"], ["h"], name="split_heads"),
             n("Transpose", ["h"], ["q"], name="q", perm=[0, 2, 1, 3]),
             n("Transpose", ["h"], ["k"], name="k", perm=[0, 2, 3, 1]),
             n("MatMul", ["q", "k"], ["s"], name="scores")]
    graph = helper.make_graph(nodes, "levit_scores",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])],
                              [helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 2, 16, 16])],
                              [stripped("w", [8, 8, 1, 1]), shape("flat", [1, 8, 16]), shape("heads", [1, 16, 2, 4])])
    file = tmp_path / "scores.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    spec = import_onnx(str(file))
    ops = {layer["name"]: layer["op"] for layer in spec["layers"]}
    assert (ops["k"], ops["scores"]) == ("permute", "matmul")
    totals = analyze(parse_spec(spec)).totals
    # conv 8·8 per pixel · 16 pixels = 1024; scores 2 heads · 16·16 · 4 = 2048 (hand count)
    assert (totals.params, totals.maccs) == (64, 1024 + 2048)
