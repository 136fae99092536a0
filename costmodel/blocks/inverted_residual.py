"""MobileNetV2's inverted residual with linear bottleneck (Sandler et al. 2018, Table 1).

expand 1×1 (C_in → t·C_in, omitted when t = 1) → depthwise k×k (stride s) → linear 1×1
projection to C_out (no activation: the linear bottleneck); residual add when s = 1 and
C_in = C_out.
"""

from __future__ import annotations

from costmodel.arith import round_half_even
from costmodel.assumptions import holds
from costmodel.blocks.base import register_block
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Add, ConvBnAct, InvertedResidual

__all__ = ["inverted_residual"]


@register_block(InvertedResidual)
def inverted_residual(layer: InvertedResidual, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    # torchvision: hidden_dim = int(round(inp * expand_ratio))
    hidden = round_half_even(c_in * layer.expansion)
    children: list[LayerSpec] = []
    if holds(layer.expansion, "!=", 1, "expand conv when expansion ≠ 1"):
        children.append(ConvBnAct(op="conv_bn_act", name="expand", out=hidden, act=layer.act))
    children += [
        ConvBnAct(op="conv_bn_act", name="dw", kernel=layer.kernel, stride=layer.stride,
                  depthwise=True, act=layer.act),
        ConvBnAct(op="conv_bn_act", name="project", out=layer.out, act="none"),
    ]
    if holds(layer.stride, "==", 1, "residual when stride = 1") and holds(
            c_in, "==", layer.out, "residual when C_in = out"):
        children.append(Add(op="add", name="add", inputs=["input", "project"]))
    return children
