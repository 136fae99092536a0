"""`costmodel export` on the command line."""

import sys

import numpy as np
import onnx
from click.testing import CliRunner
from onnx import numpy_helper

from costmodel.cli import main
from costmodel.graph import build
from costmodel.reference.forward import forward, random_input
from costmodel.spec.load import load_spec
from tests.reference.test_zoo_check import SPECS

SHUFFLENET = str(next(path for path in SPECS if path.stem == "shufflenet_v2"))


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_export_writes_a_checked_model_with_the_reference_weights(tmp_path):
    out = tmp_path / "s.onnx"
    result = run("export", SHUFFLENET, "--set", "resolution=32", "--seed", "4", "-o", str(out))
    assert 0 == result.exit_code, result.output
    assert "ONNX checker passed" in result.output
    model = onnx.load(out)
    onnx.checker.check_model(model, full_check=True)
    # the weights are those `check --seed 4` runs: conv1's weight is the first array drawn
    network = build(load_spec(SHUFFLENET), SHUFFLENET, {"resolution": 32})
    reference = forward(network, random_input((1, 3, 32, 32), 4), seed=4).weights
    stored = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    np.testing.assert_array_equal(stored["conv1.conv/weight"], reference["conv1.conv"]["weight"])
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["costmodel.seed"] == "4" and '"resolution": "32"' in metadata["costmodel.bindings"]


def test_export_without_onnx_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes `import onnx` fail
    result = run("export", SHUFFLENET, "-o", str(tmp_path / "s.onnx"))
    assert 2 == result.exit_code
    assert result.output == "error: export needs onnx: pip install 'costmodel[runtime]'\n"


def test_export_of_a_bad_spec_is_one_line(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("model: bad\ninput: [3, 8, 8]\nlayers:\n  - {op: conv2d, out: 4, groups: 2}\n")
    result = run("export", str(spec), "-o", str(tmp_path / "bad.onnx"))
    assert 2 == result.exit_code
    assert result.output.count("\n") == 1 and f"{spec}:4: layer '0' (conv2d)" in result.output


def test_export_refuses_an_existing_file_without_force(tmp_path):
    out = tmp_path / "s.onnx"
    out.write_bytes(b"keep")
    result = run("export", SHUFFLENET, "--set", "resolution=32", "-o", str(out))
    assert 2 == result.exit_code and out.read_bytes() == b"keep"
    assert "exists; pass --force" in result.output
    assert 0 == run("export", SHUFFLENET, "--set", "resolution=32", "-o", str(out), "--force").exit_code
    onnx.checker.check_model(onnx.load(out), full_check=True)


def test_export_beyond_its_op_limit_is_refused_at_the_first_op_beyond(monkeypatch, tmp_path):
    import costmodel.export.builder as builder

    monkeypatch.setattr(builder, "MAX_EXPORT_OPS", 3)
    spec = tmp_path / "long.yaml"
    spec.write_text("model: long\ninput: [3, 8, 8]\nlayers:\n  - {op: relu}\n  - {op: relu}\n"
                    "  - {op: relu}\n  - {name: fourth, op: relu6}\n")
    out = tmp_path / "long.onnx"
    result = run("export", str(spec), "-o", str(out))
    assert 2 == result.exit_code and not out.exists()
    assert result.output == (f"error: {spec}:7: layer 'fourth' (relu6): export writes at most 3 ops "
                             "(MAX_EXPORT_OPS) and this network has 4; this op is the first beyond\n")
    monkeypatch.setattr(builder, "MAX_EXPORT_OPS", 4)
    assert 0 == run("export", str(spec), "-o", str(out)).exit_code

