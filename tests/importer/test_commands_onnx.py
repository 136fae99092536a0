"""lint and check take an .onnx too; check runs the model's own weights and compares its
output with onnxruntime's."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from costmodel.cli import main
from costmodel.graph import build
from costmodel.importer import import_model
from costmodel.importer.verify import agree, compare_outputs
from costmodel.spec.load import parse_spec
from tests.importer.helpers import tiny_model, weighted_model


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
    assert unbound.exit_code == 2 and "dynamic dimension 0" in unbound.output
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
