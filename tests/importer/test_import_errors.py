"""ONNX import of small helper-built graphs: counts by hand, dynamic dims, unmapped ops and
malformed files (one line, exit 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.importer import load_onnx


def _stripped(name: str, dims: list[int]) -> onnx.TensorProto:
    """An initializer with its dims and no data (weights stripped)."""
    tensor = onnx.TensorProto(name=name, data_type=TensorProto.FLOAT)
    tensor.dims.extend(dims)
    return tensor


def _model(path: Path, batch: int | str = 1, op: str = "Relu", fold_bias: bool = False) -> str:
    """x[N,3,8,8] → Conv 3→4 k3 p1 (weights stripped: dims only) → op → GAP → Flatten → Gemm 4→2."""
    weight = _stripped("w", [4, 3, 3, 3])
    bias = numpy_helper.from_array(np.zeros(4, np.float32), "b")
    fc = _stripped("fc", [2, 4])
    conv_inputs = ["x", "w", "b"] if fold_bias else ["x", "w"]
    nodes = [helper.make_node("Conv", conv_inputs, ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node(op, ["c"], ["a"], name="act"),
             helper.make_node("GlobalAveragePool", ["a"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fc"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 2])],
                              [weight, bias, fc])
    file = path / "tiny.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    return str(file)


def test_counts_by_hand_from_shapes_only(tmp_path: Path) -> None:
    totals = analyze(load_onnx(_model(tmp_path, fold_bias=True))).totals
    # conv 4·3·3·3 = 108 weights + 4 bias (an exporter's folded BN: a biased conv); Gemm 2·4, no bias
    assert totals.params == 108 + 4 + 8
    # conv 4·8·8 outputs × 27 taps = 6912; Gemm 2·4 = 8
    assert totals.maccs == 6912 + 8


def test_dynamic_batch_needs_input_shape(tmp_path: Path) -> None:
    model = _model(tmp_path, batch="N")
    result = CliRunner().invoke(main, ["report", model, "--totals-only"])
    assert result.exit_code == 2
    assert "input 'x' has a dynamic dimension 0 ('N')" in result.output
    bound = CliRunner().invoke(main, ["report", model, "--totals-only", "--input-shape", "2,3,8,8"])
    assert bound.exit_code == 0, bound.output
    assert "13,840" in bound.output  # batch 2: 2 · 6912 conv MACCs + 2 · 8 Gemm


def test_unmapped_op_names_node_and_lists_supported(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", _model(tmp_path, op="Tanh")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "layer 'act' (Tanh)" in lines[0] and "no mapping" in lines[0] and "Conv" in lines[0]


@pytest.mark.parametrize("content", [b"", b"\x08\x07garbage\xff\xff\xff", bytes(range(256)) * 8,
                                     onnx.TensorProto().SerializeToString()])
def test_malformed_is_one_line_exit_2(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "bad.onnx"
    file.write_bytes(content)
    result = CliRunner().invoke(main, ["report", str(file)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error:")


def test_truncated_export_is_one_line(tmp_path: Path) -> None:
    data = Path(_model(tmp_path)).read_bytes()
    file = tmp_path / "cut.onnx"
    file.write_bytes(data[: len(data) // 2])
    result = CliRunner().invoke(main, ["report", str(file)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
