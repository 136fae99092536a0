"""MobileOne (Vasu et al., "MobileOne: An Improved One millisecond Mobile Backbone", CVPR
2023, Fig. 3), as apple/ml-mobileone ``mobileone.py``.

A MobileOne block in train-time form (``reparam: 0``) sums over-parameterized branches:
``branches`` × (k×k conv + BN), a 1×1 conv + BN "scale" branch when k > 1, and a BN
"skip" branch when C_in = C_out and the stride is 1; then optional SE and ReLU (``act``:
FastViT's blocks use GELU or none; ``groups`` for its grouped convs). Its
re-parameterized inference form (``reparam: 1``) is one k×k conv with bias, then SE, ReLU.
A stage is ``blocks`` pairs of a depthwise 3×3 block and a pointwise 1×1 block, the first
pair with stride 2; the last ``se_blocks`` pairs carry squeeze-excitation (C → C//16).
"""

from __future__ import annotations

from costmodel.assumptions import holds
from costmodel.blocks.base import child_name, register_block
from costmodel.ops.base import Shape, require_count
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import (
    Activation,
    Add,
    BatchNorm,
    ConvBnAct,
    MobileOneBlock,
    MobileOneStage,
    SqueezeExcitation,
)

__all__ = ["mobileone_block", "mobileone_stage"]


@register_block(MobileOneBlock)
def mobileone_block(layer: MobileOneBlock, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    out = c_in if layer.out is None else layer.out
    conv = dict(op="conv_bn_act", out=out, kernel=layer.kernel, stride=layer.stride,
                depthwise=layer.depthwise, groups=layer.groups, act="none", inputs="input")
    if holds(layer.reparam, "!=", 0, "re-parameterized form when reparam ≠ 0"):
        children: list[LayerSpec] = [ConvBnAct(**conv, name="reparam_conv", bias=True, bn=False)]
    else:
        children = [ConvBnAct(**conv, name=f"conv.{i}")
                    for i in range(require_count(layer.branches, "branches"))]
        if holds(layer.kernel, ">", 1, "scale branch when kernel > 1"):
            children.append(ConvBnAct(**{**conv, "kernel": 1}, name="scale"))
        if holds(layer.stride, "==", 1, "skip BN when stride = 1") and holds(
                c_in, "==", out, "skip BN when C_in = out"):
            children.append(BatchNorm(op="batchnorm", name="skip", inputs="input"))
        if len(children) > 1:
            children.append(Add(op="add", name="add", inputs=[child_name(child) for child in children]))
    if holds(layer.se, "!=", 0, "squeeze-excitation when se ≠ 0"):
        children.append(SqueezeExcitation(op="squeeze_excitation", name="se", squeeze=out // 16))
    if layer.act == "none":
        return children
    return children + [Activation(op=layer.act, name=layer.act)]


@register_block(MobileOneStage)
def mobileone_stage(layer: MobileOneStage, inputs: list[Shape]) -> list[LayerSpec]:
    count = require_count(layer.blocks, "blocks")
    children: list[LayerSpec] = []
    for i in range(count):
        common = dict(op="mobileone_block", branches=layer.branches, reparam=layer.reparam,
                      se=int(i >= count - layer.se_blocks))
        children += [MobileOneBlock(**common, name=f"{i}.dw", kernel=3, stride=2 if i == 0 else 1,
                                    depthwise=True),
                     MobileOneBlock(**common, name=f"{i}.pw", out=layer.out, kernel=1)]
    return children
