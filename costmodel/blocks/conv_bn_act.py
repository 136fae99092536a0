"""conv → batchnorm → activation, the unit every efficient CNN is built of."""

from __future__ import annotations

from typing import Literal

from costmodel.blocks.base import BlockSpec, register_block
from costmodel.ops.base import Shape, pair
from costmodel.ops.conv import Conv2d
from costmodel.ops.elementwise import ACTIVATIONS, Activation, BatchNorm
from costmodel.spec.base import Expr, ExprPair, LayerSpec, Padding

__all__ = ["ConvBnAct", "conv_bn_act"]

class ConvBnAct(BlockSpec):
    """Children ``conv``, ``bn`` (unless ``bn: false``) and ``act`` (unless ``act: none``).

    ``padding`` defaults to d·(k − 1)/2 per axis (torchvision's Conv2dNormActivation).
    """

    op: Literal["conv_bn_act"]
    out: Expr | None = None
    kernel: ExprPair = 1
    stride: ExprPair = 1
    padding: Padding | None = None
    dilation: ExprPair = 1
    groups: Expr = 1
    depthwise: bool = False
    bias: bool = False
    bn: bool = True
    act: Literal[(*ACTIVATIONS, "none")] = "relu"  # type: ignore[valid-type]


@register_block(ConvBnAct)
def conv_bn_act(layer: ConvBnAct, inputs: list[Shape]) -> list[LayerSpec]:
    padding = layer.padding
    if padding is None:
        (kh, kw), (dh, dw) = pair(layer.kernel), pair(layer.dilation)
        padding = [(kh - 1) // 2 * dh, (kw - 1) // 2 * dw]
    children: list[LayerSpec] = [Conv2d(
        op="conv2d", name="conv", out=layer.out, kernel=layer.kernel, stride=layer.stride,
        padding=padding, dilation=layer.dilation, groups=layer.groups,
        depthwise=layer.depthwise, bias=layer.bias,
    )]
    if layer.bn:
        children.append(BatchNorm(op="batchnorm", name="bn"))
    if layer.act != "none":
        children.append(Activation(op=layer.act, name="act"))
    return children
