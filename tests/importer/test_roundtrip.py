"""Issue 14's "done when": every zoo spec exported by `costmodel export` and imported again
reports identical params, maccs, mem_access and elementwise (the spec's own build is the
independent side: the import sees only ONNX nodes and initializer shapes)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from costmodel.api import analyze
from costmodel.errors import SpecError, SpecWarning
from costmodel.export import export_network
from costmodel.graph import build
from costmodel.importer import import_onnx
from costmodel.spec.load import load_spec, parse_spec

MAPPED = {"conv2d", "batchnorm", "relu", "relu6", "add", "mul", "concat", "split", "shuffle", "sigmoid",
          "silu", "swish", "hardswish", "hardsigmoid", "global_avg_pool", "avg_pool", "max_pool",
          "flatten", "dropout", "linear", "identity"}
"""Ops the importer maps back (export's ONNX for them); a spec using any other op must fail
to import with a one-line error naming the node (no mapping / not supported), never a
silent zero. Not yet mapped: layernorm, gelu, layer_scale, resize (convnext, fastvit, ghostnetv2)."""

SPECS = sorted(Path(__file__).resolve().parents[2].joinpath("specs").glob("*.yaml"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_export_import_counts_identical(spec: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpecWarning)
        network = build(load_spec(spec), str(spec))
        model = export_network(network).model
        for tensor in model.graph.initializer:  # stripped: only shapes (and small constants) remain
            if len(tensor.dims) > 1:
                tensor.ClearField("raw_data")
        onnx_file = tmp_path / "model.onnx"
        onnx_file.write_bytes(model.SerializeToString())
        if not {node.op for node in network.nodes.values()} - {"input"} <= MAPPED:
            with pytest.raises(SpecError, match="has no mapping|is not supported"):
                import_onnx(str(onnx_file))
            return
        imported = analyze(parse_spec(import_onnx(str(onnx_file)))).totals
    original = network.total
    assert (imported.params, imported.maccs, imported.mem_access, imported.elementwise) == \
        (original.params, original.maccs, original.mem_access, original.elementwise)
