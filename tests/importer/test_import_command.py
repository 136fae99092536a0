"""`costmodel import MODEL -o spec.yaml`: the written spec reports what the ONNX does, and
-o follows the outputs contract (never the input, an existing file only with --force)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from costmodel.api import analyze
from costmodel.cli import main
from costmodel.importer import load_onnx
from costmodel.spec.load import load_spec
from tests.importer.helpers import tiny_model


def test_written_spec_reports_what_the_onnx_does(tmp_path: Path) -> None:
    model = tiny_model(tmp_path, op="HardSwish", fold_bias=True)
    out = tmp_path / "tiny.yaml"
    result = CliRunner().invoke(main, ["import", model, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    # layers named after the ONNX nodes, one a line, defaults left out
    assert "- {name: conv, op: conv2d, out: 4, kernel: 3, padding: 1, bias: true}" in text
    assert "- {name: fc, op: linear, out: 2, bias: false}" in text
    written, direct = analyze(load_spec(out)).totals, analyze(load_onnx(model)).totals
    assert written == direct
    # conv 4·27 + 4 bias, Gemm 2·4; conv 6912 MACCs + Gemm 8 (as tests/importer/test_import_errors.py)
    assert (written.params, written.maccs) == (108 + 4 + 8, 6912 + 8)


def test_output_contract(tmp_path: Path) -> None:
    model = tiny_model(tmp_path)
    same = CliRunner().invoke(main, ["import", model, "-o", model])
    assert same.exit_code == 2 and "input" in same.output
    out = tmp_path / "spec.yaml"
    out.write_text("keep")
    refused = CliRunner().invoke(main, ["import", model, "-o", str(out)])
    assert refused.exit_code == 2 and out.read_text() == "keep"
    forced = CliRunner().invoke(main, ["import", model, "-o", str(out), "--force"])
    assert forced.exit_code == 0 and out.read_text().startswith("# Imported from")
