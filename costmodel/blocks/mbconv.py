"""MBConv: the inverted residual of MnasNet, EfficientNet and MobileNetV3 (whose "bneck" is
this block with absolute ``hidden`` widths, hard-swish and a hard-sigmoid SE).

[1×1 expand C_in → hidden, BN, act] (omitted when hidden = C_in, unless ``expand``: timm's
InvertedResidual keeps it at expansion 1, FBNet's e1 blocks) → depthwise k×k (stride s),
BN, act → [squeeze-excitation on the hidden width] → 1×1 linear projection to ``out``, BN →
[residual add when s = 1, C_in = out and ``residual``].

hidden = ``hidden`` if given, else make_divisible(C_in·``expansion``, 8) (torchvision
EfficientNet's ``adjust_channels``; equal to C_in·t whenever C_in is a multiple of 8, as in
MnasNet and timm). The SE width is :func:`squeeze_channels` of the hidden width
(``se_of: expanded``, MobileNetV3) or of the block input (``se_of: input``, EfficientNet,
MnasNet). The papers disagree on both the squeeze base and the gate (sigmoid in SENet,
EfficientNet, MnasNet; hard-sigmoid in MobileNetV3), so a block with ``se_ratio`` must say
``se_of`` and ``se_gate``: there is no default to be surprised by (issue 11).
"""

from __future__ import annotations

from costmodel.arith import make_divisible
from costmodel.assumptions import holds
from costmodel.blocks.base import register_block
from costmodel.blocks.squeeze_excitation import squeeze_channels
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Add, ConvBnAct, MBConv, SqueezeExcitation

__all__ = ["mbconv"]


@register_block(MBConv)
def mbconv(layer: MBConv, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    hidden = layer.hidden if layer.hidden is not None else make_divisible(c_in * layer.expansion, 8)
    children: list[LayerSpec] = []
    if layer.expand or holds(hidden, "!=", c_in, "expand conv when hidden ≠ C_in"):
        children.append(ConvBnAct(op="conv_bn_act", name="expand", out=hidden, act=layer.act))
    children.append(ConvBnAct(op="conv_bn_act", name="dw", kernel=layer.kernel,
                              stride=layer.stride, depthwise=True, act=layer.act))
    if layer.se_ratio is not None:
        base = hidden if layer.se_of == "expanded" else c_in
        assert layer.se_gate is not None  # _se_explicit requires it with se_ratio
        children.append(SqueezeExcitation(
            op="squeeze_excitation", name="se", act=layer.se_act, gate=layer.se_gate,
            squeeze=squeeze_channels(base, layer.se_ratio, layer.se_divisor)))
    children.append(ConvBnAct(op="conv_bn_act", name="project", out=layer.out, act="none"))
    if layer.residual and holds(layer.stride, "==", 1, "residual when stride = 1") and holds(
            c_in, "==", layer.out, "residual when C_in = out"):
        children.append(Add(op="add", name="add", inputs=["input", "project"]))
    return children
