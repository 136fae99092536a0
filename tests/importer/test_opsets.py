"""One network written as opsets 11 … 21 write it (Split sizes as attribute, input or
``num_outputs``; ReduceMean/Squeeze/Unsqueeze axes as attribute or input; hard-swish,
layer norm and gelu as their own ops or decomposed) imports to the same layers and the
same hand-counted totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel.api import analyze
from costmodel.importer import import_onnx
from costmodel.spec.load import parse_spec
from tests.importer.helpers import opset_model

OPSETS = [11, 12, 13, 14, 16, 17, 18, 20, 21]


def _ops(spec: dict) -> list[tuple[str, ...]]:
    return [(layer["op"], *(f"{k}={v}" for k, v in layer.items() if k not in ("name", "inputs")))
            for layer in spec["layers"]]


@pytest.mark.parametrize("opset", OPSETS)
def test_every_opset_imports_the_same_layers(opset: int, tmp_path: Path) -> None:
    spec = import_onnx(opset_model(tmp_path, opset))
    assert [op[0] for op in _ops(spec)] == [
        "conv2d", "hardswish", "split", "resize", "max_pool", "concat", "global_avg_pool",
        "flatten", "reshape", "layernorm", "gelu", "linear", "softmax"]
    assert _ops(spec) == _ops(import_onnx(opset_model(tmp_path, 21)))
    totals = analyze(parse_spec(spec)).totals
    # conv 8·8·3·3 = 576; layernorm γ, β 2·8 = 16; linear 8·4 + 4 bias = 36
    assert totals.params == 576 + 16 + 36
    # conv 576 per output pixel · 8·8 pixels = 36864; linear 8·4 = 32 (one token)
    assert totals.maccs == 576 * 64 + 32
