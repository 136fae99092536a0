"""The exported MobileNetV2 has exactly the params and conv/linear MACCs that `report`
gives, counted from the ONNX graph alone (initializer sizes, shapes from ONNX's own shape
inference), without costmodel's formulas."""

import math

import onnx
from onnx import shape_inference

from costmodel.analysis.result import Analysis
from costmodel.export import export_network
from costmodel.graph import build
from costmodel.spec.load import load_spec
from tests.reference.test_zoo_check import SPECS

MOBILENET_V2 = next(path for path in SPECS if path.stem == "mobilenet_v2")

LEARNED_INPUTS = {"Conv": (1, 2), "Gemm": (1, 2), "BatchNormalization": (1, 2)}
"""Inputs that are learned weights: conv W and B, Gemm B and C, BN scale and bias (its mean
and variance, inputs 3 and 4, are buffers)."""


def onnx_counts(model: onnx.ModelProto) -> dict[str, int]:
    inferred = shape_inference.infer_shapes(model, strict_mode=True)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in (*inferred.graph.value_info, *inferred.graph.output, *inferred.graph.input)}
    sizes = {t.name: math.prod(t.dims) for t in model.graph.initializer}
    dims = {t.name: list(t.dims) for t in model.graph.initializer}
    params = buffers = maccs = 0
    for node in model.graph.node:
        learned = LEARNED_INPUTS.get(node.op_type, ())
        for index, name in enumerate(node.input):
            if index in learned:
                params += sizes[name]
            elif node.op_type == "BatchNormalization" and index in (3, 4):
                buffers += sizes[name]
        out = shapes[node.output[0]]
        if node.op_type == "Conv":  # every output element: C_in/groups · kh · kw products
            _, c_in_group, kh, kw = dims[node.input[1]]
            maccs += math.prod(out) * c_in_group * kh * kw
        elif node.op_type == "Gemm":  # transB=1: B is [N, K]
            maccs += math.prod(out) * dims[node.input[1]][1]
    return {"params": params, "buffers": buffers, "maccs": maccs}


def test_mobilenet_v2_onnx_has_the_reported_params_and_maccs():
    network = build(load_spec(MOBILENET_V2), str(MOBILENET_V2))
    counted = onnx_counts(export_network(network).model)
    totals = Analysis(network).totals
    assert counted == {"params": totals.params, "buffers": totals.buffers, "maccs": totals.maccs}
    # torchvision's mobilenet_v2: 3,504,872 params, 300,774,272 MACCs; BN running stats 2·17,056
    assert counted == {"params": 3_504_872, "buffers": 34_112, "maccs": 300_774_272}
