"""Issue 14's second "done when": ONNX exports of torchvision and timm models, made once by
tools/onnx_exports.py with both of torch's exporters (TorchScript-based: ``.ts``, opset 13,
efficientformer_l1 at ``--ts-opset 14``; dynamo-based: ``.dynamo``, opset 20) and stripped
of weights (dims kept), report the reference implementation's params and conv/linear/matmul
MACCs.

Expected numbers: tools/reference_counts.json (torch 2.14.1, torchvision 0.29.1, timm
1.0.31; ``sum(p.numel() for p in model.parameters())`` and FlopCounterMode ÷ 2 on a
1×3×R×R input), written here literally."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto

from costmodel.api import analyze
from costmodel.importer import load_onnx

EXPORTS = Path(__file__).with_name("exports")

REFERENCE = {  # name: (params, maccs) from tools/reference_counts.json
    "mobilenet_v2": (3_504_872, 300_774_272),          # torchvision.models.mobilenet_v2
    "mobilenet_v3_large": (5_483_032, 216_589_760),    # torchvision.models.mobilenet_v3_large
    "shufflenet_v2_x1_0": (2_278_604, 144_907_992),    # torchvision.models.shufflenet_v2_x1_0
    "resnet50": (25_557_032, 4_089_184_256),           # torchvision.models.resnet50
    "efficientnet_b0": (5_288_548, 385_814_752),       # torchvision.models.efficientnet_b0
    "squeezenet1_1": (1_235_496, 349_151_936),         # torchvision.models.squeezenet1_1
    "mnasnet1_0": (4_383_312, 314_415_872),            # torchvision.models.mnasnet1_0
    "ghostnet_100": (5_182_508, 141_150_512),          # timm ghostnet_100
    "mobilevit_xxs": (1_272_024, 407_364_096),         # timm mobilevit_xxs at 256²; 78,184,448 in attention
    "efficientformer_l1": (12_289_928, 1_291_284_736),  # timm efficientformer_l1; 3,073,280 in attention
}
FILES = sorted(EXPORTS.glob("*.onnx.gz"))


def _unpacked(path: Path, tmp_path: Path) -> str:
    target = tmp_path / path.name.removesuffix(".gz")
    target.write_bytes(gzip.decompress(path.read_bytes()))
    return str(target)


def test_every_reference_has_both_exports() -> None:
    names = {path.name.removesuffix(".onnx.gz") for path in FILES}
    assert names == {f"{name}.{kind}" for name in REFERENCE for kind in ("ts", "dynamo")}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix(".onnx.gz"))
def test_export_reports_reference_counts(path: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        totals = analyze(load_onnx(_unpacked(path, tmp_path))).totals
    assert (totals.params, totals.maccs) == REFERENCE[path.name.split(".")[0]]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix(".onnx.gz"))
def test_fixture_is_small_and_stripped(path: Path) -> None:
    assert path.stat().st_size < 64 * 1024
    model = onnx.load_from_string(gzip.decompress(path.read_bytes()))
    floats = [t for t in model.graph.initializer if t.data_type == TensorProto.FLOAT]
    assert floats and all(not t.raw_data and not t.float_data for t in floats
                          if len(t.dims) > 1 or (t.dims and t.dims[0] > 16))
