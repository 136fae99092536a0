"""`costmodel measure` on the command line."""

import csv
import io
import json
import sys

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.report.measure_formats import compact_layers
from tests.importer.helpers import weighted_model
from tests.reference.test_zoo_check import SPECS
from tests.safety.files import assert_one_line_error

SPEC = {path.stem: str(path) for path in SPECS}
FAST = ("--set", "resolution=64", "--runs", "3", "--warmup", "1")


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_mobilenet_v2_table_shares_add_to_100_percent():
    result = run("measure", SPEC["mobilenet_v2"], *FAST, "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.output)
    assert data["latency_us"]["runs"] == 3 and data["latency_us"]["median"] > 0
    assert sum(row["share"] for row in data["layers"]) == pytest.approx(1)
    assert all(row["layers"] for row in data["layers"])
    # the fused stem: 3·3·3·32 · 32·32 MACCs at 64×64 (stride 2)
    stem = data["layers"][0]
    assert stem["layers"] == ["features.0.conv", "features.0.bn", "features.0.act"]
    assert stem["maccs"] == 3 * 3 * 3 * 32 * 32 * 32
    assert stem["gmacs_per_s"] == pytest.approx(stem["maccs"] / stem["time_us"] / 1e3)


def test_table_and_csv_of_shufflenet_v2_name_split_shuffle_concat():
    table = run("measure", SPEC["shufflenet_v2"], *FAST)
    assert 0 == table.exit_code, table.output
    assert "latency" in table.output.splitlines()[0] and "IQR" in table.output
    for layer in ("stage2.1.split", "stage2.0.shuffle", "stage2.0.concat"):
        assert f"\n{layer} " in table.output
    rows = list(csv.DictReader(io.StringIO(run("measure", SPEC["shufflenet_v2"], *FAST,
                                               "--format", "csv").output)))
    assert sum(float(row["share"]) for row in rows) == pytest.approx(1, abs=1e-4)


def test_an_exported_onnx_is_measured_with_the_costs_of_its_spec(tmp_path):
    out = tmp_path / "m.onnx"
    assert 0 == run("export", SPEC["mobilenet_v2"], "--set", "resolution=64", "-o", str(out)).exit_code
    result = run("measure", str(out), "--runs", "2", "--optimize", "none", "--format", "json")
    assert 0 == result.exit_code, result.output
    rows = json.loads(result.output)["layers"]
    assert len(rows) == 153 and rows[0]["maccs"] == 3 * 3 * 3 * 32 * 32 * 32


def test_cpu_clock_needs_one_thread():
    result = run("measure", SPEC["mobilenet_v2"], *FAST, "--threads", "2")
    assert 2 == result.exit_code
    # refused before the export and the runs, naming the spec and the two ways out
    assert "use --threads 1 or --clock wall (got --threads 2)" in result.output
    assert "mobilenet_v2.yaml" in result.output


def test_measure_without_the_runtime_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    result = run("measure", SPEC["mobilenet_v2"])
    assert 2 == result.exit_code
    assert result.output == "error: measure needs onnxruntime: pip install 'costmodel[runtime]'\n"


def test_compact_layer_names():
    assert compact_layers(("a.b.conv", "a.b.bn")) == "a.b.{conv,bn}"
    assert compact_layers(("a.x.conv", "a.y.add")) == "a.{x.conv,y.add}"
    assert compact_layers(("conv", "bn")) == "{conv,bn}"
    assert compact_layers(("only",)) == "only"


def test_a_spec_above_the_node_limit_is_refused_before_the_export(tmp_path):
    from costmodel.commands.measure import MAX_MEASURE_NODES

    spec = tmp_path / "long.yaml"  # a chain of 5,001 relus: the network's ops, counted by hand
    spec.write_text("model: long\ninput: [3, 8, 8]\nlayers:\n  - {name: r, op: relu, repeat: 5001}\n")
    assert MAX_MEASURE_NODES == 5_000
    line = assert_one_line_error(run("measure", str(spec), "--runs", "1", "--warmup", "0"), str(spec))
    assert "has 5,001 ops; measure takes at most 5,000 (MAX_MEASURE_NODES" in line


def test_an_onnx_model_above_the_node_limit_is_refused_at_the_limit_measured(tmp_path, monkeypatch):
    from costmodel.commands import measure as command

    model = weighted_model(tmp_path)  # conv, bn, relu, mul, transpose, layernorm, transpose,
    monkeypatch.setattr(command, "MAX_MEASURE_NODES", 9)  # pool, flatten, gemm: 10 nodes
    line = assert_one_line_error(run("measure", model, "--runs", "1", "--warmup", "0"), model)
    assert "has 10 nodes; measure takes at most 9" in line
    monkeypatch.setattr(command, "MAX_MEASURE_NODES", 10)
    assert 0 == run("measure", model, "--runs", "1", "--warmup", "0").exit_code
