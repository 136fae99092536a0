"""lint and check take an .onnx too; check runs the model's own weights and compares its
output with onnxruntime's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.graph import build
from costmodel.importer import import_model
from costmodel.importer.verify import agree, compare_outputs
from costmodel.spec.load import parse_spec
from tests.importer.helpers import tiny_model, weighted_model
from tests.safety.files import assert_one_line_error


def test_check_runs_the_models_weights_and_matches_onnxruntime(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", weighted_model(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "the model's own weights" in result.output and "outputs agree with onnxruntime" in result.output
    # conv 4·27 + 4, BN 2·4, layer scale 4, LayerNorm 2·4, Gemm 2·4 + 2
    assert f"params {108 + 4 + 8 + 4 + 8 + 10}," in result.output


def test_output_comparison_can_fail(tmp_path: Path) -> None:
    path = weighted_model(tmp_path)
    imported = import_model(path)
    network = build(parse_spec(imported.spec, path), path)
    weights = imported.complete_weights()
    assert weights is not None and agree(compare_outputs(path, network, weights))
    weights["fc"]["bias"] = weights["fc"]["bias"] + 1  # not the model any more
    assert not agree(compare_outputs(path, network, weights))


def test_check_with_stripped_weights_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", tiny_model(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "weights stripped: random ones" in result.output


def test_lint_takes_onnx(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, batch="N")
    unbound = CliRunner().invoke(main, ["lint", model])
    assert unbound.exit_code in (0, 1) and "dynamic batch dimension ('N'): counted at batch 1" in unbound.stderr
    result = CliRunner().invoke(main, ["lint", model, "--input-shape", "1,3,8,8", "--statistics"])
    assert result.exit_code == 0, result.output
    # conv, relu, pool, fc run as kernels (flatten is a view): the imported network was linted
    assert "All checks passed" in result.output and "kernels" in result.output


def test_measure_of_a_foreign_onnx_fills_the_cost_columns(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["measure", weighted_model(tmp_path), "--runs", "1", "--warmup", "0",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["layers"]
    # conv 4·3·3·3 per output pixel · 8·8 pixels = 6912; Gemm 4·2 = 8 (hand count)
    assert sum(row["maccs"] for row in rows) == 6912 + 8
    maccs = {layer: row["maccs"] for row in rows for layer in row["layers"]}
    assert maccs["fc"] == 8 and any(layer.startswith("conv.") for layer in maccs)
    table = CliRunner().invoke(main, ["measure", weighted_model(tmp_path), "--runs", "1", "--warmup", "0"])
    assert table.exit_code == 0, table.output
    assert "fc " in table.output


def _variant(tmp_path: Path, change: str) -> str:
    """weighted_model with one change (most: a model onnxruntime or the importer refuses)."""
    import onnx

    path = weighted_model(tmp_path)
    model = onnx.load(path)
    if change == "dynamic batch":
        model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    elif change == "string input":
        model.graph.input[0].type.tensor_type.elem_type = onnx.TensorProto.STRING
    elif change == "group 0":
        model.graph.node[0].attribute.append(onnx.helper.make_attribute("group", 0))
    elif change == "unknown op":
        model.graph.node[2].op_type = "FooBar"
    elif change == "recorded spec is not a spec":
        model.metadata_props.add(key="costmodel.spec", value=path)  # the model itself
    onnx.save(model, path)
    return path


@pytest.mark.parametrize(("change", "words"), [
    ("string input", "input 'x' is a tensor of strings; an image of numbers is supported"),
    ("group 0", "onnxruntime cannot run this model"),
    ("unknown op", "onnxruntime cannot run this model: [ONNXRuntimeError] : 10 : INVALID_GRAPH"),
])
def test_measure_of_a_model_the_runtime_refuses_is_one_line(tmp_path: Path, change: str, words: str) -> None:
    """One line, exit 2: no 'note: no cost columns' before it, no runtime log in colour."""
    path = _variant(tmp_path, change)
    line = assert_one_line_error(CliRunner().invoke(main, ["measure", path, "--runs", "1", "--warmup", "0"]), path)
    assert words in line and "\x1b" not in line


def test_measure_binds_dynamic_dimensions_and_ignores_a_recorded_non_spec(tmp_path: Path) -> None:
    dynamic = _variant(tmp_path, "dynamic batch")
    unbound = CliRunner().invoke(main, ["measure", dynamic, "--runs", "1", "--warmup", "0", "--format", "json"])
    assert unbound.exit_code == 0, unbound.output  # a dynamic batch is 1 (with a warning)
    assert sum(row["maccs"] for row in json.loads(unbound.stdout)["layers"]) == 6912 + 8
    bound = CliRunner().invoke(main, ["measure", dynamic, "--input-shape", "1,3,8,8", "--runs", "1", "--warmup", "0",
                                      "--format", "json"])
    assert bound.exit_code == 0, bound.output
    # the conv 4·27·8·8 = 6912 maccs and the Gemm 4·2 = 8, as for the model with a static batch
    assert sum(row["maccs"] for row in json.loads(bound.stdout)["layers"]) == 6912 + 8
    recorded = CliRunner().invoke(main, ["measure", _variant(tmp_path, "recorded spec is not a spec"),
                                         "--runs", "1", "--warmup", "0"])
    assert recorded.exit_code == 0, recorded.output  # the model is measured, its costs imported


def test_diff_takes_onnx(tmp_path: Path) -> None:
    model = tiny_model(tmp_path)
    spec = tmp_path / "s.yaml"
    # the same network as a spec, without the Gemm's bias: conv 3→4 k3 p1, relu, pool, flatten, linear 4→2
    spec.write_text("model: s\ninput: [3, 8, 8]\nlayers:\n  - {op: conv2d, out: 4, kernel: 3, padding: 1}\n"
                    "  - {op: relu}\n  - {op: global_avg_pool}\n  - {op: flatten}\n  - {op: linear, out: 2}\n")
    result = CliRunner().invoke(main, ["diff", model, str(spec), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # A (the ONNX): conv 108 + Gemm 8 = 116 params; B adds the linear's bias, 2 (a conv2d has
    # none unless `bias: true`); maccs are the same: 6912 + 8
    assert data["a"]["totals"]["params"] == 116 and data["delta"]["params"] == 2
    assert data["a"]["totals"]["maccs"] == 6912 + 8 and data["delta"]["maccs"] == 0
