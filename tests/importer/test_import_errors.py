"""ONNX import of small helper-built graphs: counts by hand, dynamic dims, unmapped ops and
malformed files (one line, exit 2)."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.importer import load_onnx
from tests.importer.helpers import tiny_model as _model
from tests.safety.files import assert_one_line_error


def test_counts_by_hand_from_shapes_only(tmp_path: Path) -> None:
    totals = analyze(load_onnx(_model(tmp_path, fold_bias=True))).totals
    # conv 4·3·3·3 = 108 weights + 4 bias (an exporter's folded BN: a biased conv); Gemm 2·4, no bias
    assert totals.params == 108 + 4 + 8
    # conv 4·8·8 outputs × 27 taps = 6912; Gemm 2·4 = 8
    assert totals.maccs == 6912 + 8


def test_dynamic_batch_counts_one_image_and_warns(tmp_path: Path) -> None:
    model = _model(tmp_path, batch="N")
    result = CliRunner().invoke(main, ["report", model, "--totals-only"])
    assert result.exit_code == 0, result.output
    assert "6,920" in result.stdout  # batch 1: 6912 conv MACCs + 8 Gemm (hand count)
    assert result.stderr.strip() == (f"warning: {model}: input 'x' has a dynamic batch dimension ('N'): "
                                     "counted at batch 1 (bind it with --input-shape N,C,H,W)")
    bound = CliRunner().invoke(main, ["report", model, "--totals-only", "--input-shape", "2,3,8,8"])
    assert bound.exit_code == 0, bound.output
    assert "13,840" in bound.output and "warning" not in bound.stderr  # batch 2: 2 · 6912 + 2 · 8


def test_other_dynamic_dimension_needs_input_shape(tmp_path: Path) -> None:
    path = Path(_model(tmp_path))
    model = onnx.load(path)
    model.graph.input[0].type.tensor_type.shape.dim[2].dim_param = "H"
    onnx.save(model, path)
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(path)]), str(path))
    assert "input 'x' has a dynamic dimension 2 ('H'); bind it with --input-shape" in line


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


def test_external_weights_report_from_shapes(tmp_path: Path) -> None:
    """Initializers stored as external data (a .onnx.data file that is not there) keep their
    dims: the counts are those of the stripped model."""
    path = _model(tmp_path, fold_bias=True)
    model = onnx.load(path)
    for tensor in model.graph.initializer:
        if tensor.name in ("w", "fc"):
            tensor.data_location = onnx.TensorProto.EXTERNAL
            entry = tensor.external_data.add()
            entry.key, entry.value = "location", "missing.onnx.data"
    external = tmp_path / "external.onnx"
    external.write_bytes(model.SerializeToString())
    totals = analyze(load_onnx(str(external))).totals
    assert (totals.params, totals.maccs) == (108 + 4 + 8, 6912 + 8)  # as test_counts_by_hand_from_shapes_only


def _with_act(tmp_path: Path, change: object) -> str:
    """tiny_model with its 'act' node (Relu on 'c') changed by ``change(node)``."""
    path = Path(_model(tmp_path))
    model = onnx.load(str(path))
    change(model.graph.node[1])  # type: ignore[operator]
    path.write_bytes(model.SerializeToString())
    return str(path)


@pytest.mark.parametrize(("change", "words"), [
    (lambda node: (setattr(node, "op_type", "Add")),
     "layer 'act' (Add): has 1 input(s); ONNX's Add (opset 13) takes 2"),
    (lambda node: node.input.extend(["c", "c"]), "layer 'act' (Relu): has 3 input(s); ONNX's Relu (opset 13) takes 1"),
    (lambda node: node.attribute.append(onnx.helper.make_attribute("axis", 99)),
     "layer 'act' (Relu): attribute 'axis' is not one of ONNX's Relu's (none)"),
    (lambda node: (setattr(node, "op_type", "Softmax"), node.attribute.append(onnx.helper.make_attribute("axis", "x"))),
     "layer 'act' (Softmax): attribute 'axis' is of type STRING; ONNX's Softmax takes INT"),
    (lambda node: (setattr(node, "op_type", "Softmax"), node.attribute.append(onnx.helper.make_attribute("axis", 99))),
     "layer 'act' (Softmax): axis 99 is outside -4 … 3"),
    (lambda node: (setattr(node, "op_type", "Flatten"), node.attribute.append(onnx.helper.make_attribute("axis", 9))),
     "layer 'act' (Flatten): axis 9 is outside -5 … 4"),  # Flatten's axis may be r itself
])
def test_a_node_unlike_its_onnx_schema_is_one_line_naming_it(tmp_path: Path, change: object, words: str) -> None:
    """Arity and attribute types are checked against ONNX's schema of the op (an Add of one
    input was a ValueError in its converter); a value no check anticipated is still a line
    naming the node."""
    model = _with_act(tmp_path, change)
    result = CliRunner().invoke(main, ["report", model])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {model}: {words}"), lines


def test_a_converter_error_no_check_anticipated_names_the_node(tmp_path: Path, monkeypatch) -> None:
    from costmodel.importer import convert

    monkeypatch.setitem(convert.CONVERTERS, "Relu", lambda st, node, a: [][0])
    model = _model(tmp_path)
    result = CliRunner().invoke(main, ["report", model])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {model}: layer 'act' (Relu): cannot convert this Relu node (IndexError: list index out of range)"]


@pytest.mark.parametrize("raw", [b"\0\0\0", b"\0" * 8])  # not a whole float; 2 floats for 108
def test_initializer_data_that_does_not_fit_its_dims_is_one_line(tmp_path: Path, raw: bytes) -> None:
    path = Path(_model(tmp_path))
    model = onnx.load(str(path))
    model.graph.initializer[0].raw_data = raw  # 'w', dims [4, 3, 3, 3]
    path.write_bytes(model.SerializeToString())
    result = CliRunner().invoke(main, ["report", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: {path}: initializer 'w' (dims [4, 3, 3, 3]): its data cannot be read ("), lines


def test_a_graph_above_the_node_limit_is_refused_before_it_is_converted(tmp_path: Path, monkeypatch) -> None:
    from costmodel.importer import read

    model = _model(tmp_path)  # conv, relu, pool, flatten, gemm: 5 nodes
    assert read.MAX_ONNX_NODES == 10_000
    monkeypatch.setattr(read, "MAX_ONNX_NODES", 4)
    for command in ("report", "lint", "check", "import"):
        argv = [command, model, *(["-o", str(tmp_path / "out.yaml")] if command == "import" else [])]
        line = assert_one_line_error(CliRunner().invoke(main, argv), model)
        assert "the graph has 5 nodes; at most 4 are read (MAX_ONNX_NODES" in line
    monkeypatch.setattr(read, "MAX_ONNX_NODES", 5)
    assert CliRunner().invoke(main, ["report", model]).exit_code == 0


def _auto_pad_model(tmp_path: Path, op: str, auto_pad: str, stride: int) -> str:
    """x[1,3,8,8] → Conv 3→4 k3 (weights given) or MaxPool k3, with ``auto_pad`` and no pads."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    weights = [numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w")] if op == "Conv" else []
    inputs = ["x", "w"] if op == "Conv" else ["x"]
    extra = {} if op == "Conv" else {"kernel_shape": [3, 3]}
    node = helper.make_node(op, inputs, ["y"], name="n", auto_pad=auto_pad, strides=[stride, stride], **extra)
    graph = helper.make_graph([node], "auto_pad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], weights)
    file = tmp_path / f"{op}_{auto_pad}_{stride}.onnx"
    file.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    return str(file)


@pytest.mark.parametrize(("op", "auto_pad", "stride", "side"), [
    # ONNX's definitions: VALID ⌊(8 − 3)/s⌋ + 1; SAME_* ⌈8/s⌉ (total pad 2 at s 1: one each side;
    # 1 at s 2: the odd one at the end for UPPER — TensorFlow's 'same' — at the beginning for LOWER)
    ("Conv", "VALID", 1, 6), ("Conv", "VALID", 2, 3), ("Conv", "SAME_UPPER", 1, 8), ("Conv", "SAME_UPPER", 2, 4),
    ("Conv", "SAME_LOWER", 1, 8), ("MaxPool", "SAME_UPPER", 2, 4), ("MaxPool", "VALID", 2, 3),
])
def test_auto_pad_gives_the_onnx_output_size(tmp_path: Path, op: str, auto_pad: str, stride: int, side: int) -> None:
    import onnxruntime

    path = _auto_pad_model(tmp_path, op, auto_pad, stride)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    import numpy as np

    assert session.run(None, {"x": np.zeros((1, 3, 8, 8), np.float32)})[0].shape == (1, 4 if op == "Conv" else 3, side, side)
    totals = analyze(load_onnx(path)).totals
    # a conv: 4 outputs · side² positions · 27 taps (padded taps counted, as torch counts them)
    assert totals.maccs == (4 * side * side * 27 if op == "Conv" else 0)
    if op == "Conv":
        result = CliRunner().invoke(main, ["check", path])
        assert result.exit_code == 0, result.output


def test_auto_pad_same_lower_with_an_odd_total_is_refused(tmp_path: Path) -> None:
    path = _auto_pad_model(tmp_path, "Conv", "SAME_LOWER", 2)  # total pad 1: at the beginning
    line = assert_one_line_error(CliRunner().invoke(main, ["report", path]), path)
    assert "asymmetric padding [1, 1, 0, 0] is not supported" in line


def test_a_dead_node_after_the_output_is_one_line_naming_it(tmp_path: Path) -> None:
    """A node after the graph's output whose result nothing reads: refused, named (it said
    "unknown field 'output'", a spec field the user never wrote)."""
    path = Path(_model(tmp_path))
    model = onnx.load(path)
    model.graph.node.append(onnx.helper.make_node("Relu", ["c"], ["unused"], name="dead"))
    onnx.save(model, path)
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(path)]), str(path))
    assert "layer 'dead': the graph's output is computed by 'fc'" in line and "unknown field" not in line


def _random_auto_pad_cases(count: int) -> list[tuple[str, int, int, int, int, int]]:
    import random

    rng = random.Random(20261203)
    cases = [(rng.choice(["VALID", "SAME_UPPER", "SAME_LOWER"]), rng.randint(3, 20), rng.randint(3, 20),
              rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 2)) for _ in range(count)]
    # onnxruntime refuses a dilated SAME_* conv ("Dilation not supported"): no reference for it
    cases = [(auto, h, w, k, s, 1 if auto != "VALID" else d) for auto, h, w, k, s, d in cases]
    # VALID needs the dilated kernel to fit the input
    return [case for case in cases if case[0] != "VALID" or min(case[1], case[2]) > case[5] * (case[3] - 1)]


@pytest.mark.parametrize(("auto_pad", "height", "width", "kernel", "stride", "dilation"), _random_auto_pad_cases(60))
def test_auto_pad_matches_onnxruntime_at_random_sizes(tmp_path: Path, auto_pad: str, height: int, width: int,
                                                      kernel: int, stride: int, dilation: int) -> None:
    """Differential: the imported conv's MACCs are onnxruntime's output size × C_out × taps, or the
    import is one refused line (SAME_LOWER with an odd total pad, which 'same' cannot place)."""
    import numpy as np
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    node = helper.make_node("Conv", ["x", "w"], ["y"], name="n", auto_pad=auto_pad, strides=[stride, stride],
                            dilations=[dilation, dilation])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, height, width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.ones((3, 2, kernel, kernel), np.float32), "w")])
    path = tmp_path / "conv.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString())
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    _, _, out_h, out_w = session.run(None, {"x": np.zeros((1, 2, height, width), np.float32)})[0].shape
    result = CliRunner().invoke(main, ["report", str(path), "--format", "json"])
    if result.exit_code == 2:
        assert auto_pad == "SAME_LOWER" and "asymmetric padding" in result.stderr
        return
    assert result.exit_code == 0, result.output
    assert analyze(load_onnx(str(path))).totals.maccs == out_h * out_w * 3 * 2 * kernel * kernel
