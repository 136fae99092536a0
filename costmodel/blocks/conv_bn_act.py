"""conv → batchnorm → activation, the unit every efficient CNN is built of."""

from __future__ import annotations

from costmodel.blocks.base import register_block
from costmodel.ops.base import Shape, pair
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Activation, BatchNorm, Conv2d, ConvBnAct

__all__ = ["conv_bn_act"]


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
