"""ResNet's residual blocks (He et al. 2016, Fig. 5), as torchvision's ``resnet.py``.

basic: 3×3 (stride) BN ReLU → 3×3 BN, + shortcut, ReLU.
bottleneck: 1×1 (C_in → width) BN ReLU → 3×3 BN ReLU → 1×1 (width → C_out) BN, + shortcut,
ReLU. The stride sits on the 3×3 (``stride_on: 3``, torchvision's "v1.5") or on the first
1×1 (``stride_on: 1``, the paper's v1, 3.8 G MACCs for ResNet-50).
The shortcut is the identity, or a projection 1×1 (stride) + BN when the stride is not 1
or C_in ≠ C_out (option B of the paper, torchvision's ``downsample``).
"""

from __future__ import annotations

from costmodel.arith import is_symbolic
from costmodel.assumptions import holds
from costmodel.blocks.base import child_name, register_block
from costmodel.errors import SpecError
from costmodel.ops.base import Shape
from costmodel.spec.base import Expr, LayerSpec
from costmodel.spec.layers import Activation, Add, BasicBlock, Bottleneck, ConvBnAct

__all__ = ["basic_block", "bottleneck"]


def _close(layer: BasicBlock | Bottleneck, c_in: Expr, body: list[LayerSpec]) -> list[LayerSpec]:
    """Shortcut (identity or projection), add and ReLU after the block's body."""
    main = child_name(body[-1])
    shortcut = "input"
    if holds(layer.stride, "!=", 1, "projection shortcut when stride ≠ 1") or holds(
            c_in, "!=", layer.out, "projection shortcut when C_in ≠ out"):
        body = body + [ConvBnAct(op="conv_bn_act", name="downsample", out=layer.out,
                                 stride=layer.stride, act="none", inputs="input")]
        shortcut = "downsample"
    return body + [Add(op="add", name="add", inputs=[main, shortcut]),
                   Activation(op="relu", name="relu")]


@register_block(BasicBlock)
def basic_block(layer: BasicBlock, inputs: list[Shape]) -> list[LayerSpec]:
    return _close(layer, inputs[0][1], [
        ConvBnAct(op="conv_bn_act", name="conv1", out=layer.out, kernel=3, stride=layer.stride),
        ConvBnAct(op="conv_bn_act", name="conv2", out=layer.out, kernel=3, act="none"),
    ])


@register_block(Bottleneck)
def bottleneck(layer: Bottleneck, inputs: list[Shape]) -> list[LayerSpec]:
    if is_symbolic(layer.stride_on):  # a structure choice: _structure_decided names it
        raise TypeError("stride_on is symbolic")
    if layer.stride_on not in (1, 3):
        raise SpecError(f"stride_on is {layer.stride_on}; use 1 (first 1×1, paper) or 3 "
                        "(the 3×3, torchvision)")
    width = layer.out // 4 if layer.width is None else layer.width
    on_1x1 = layer.stride_on == 1
    return _close(layer, inputs[0][1], [
        ConvBnAct(op="conv_bn_act", name="conv1", out=width, stride=layer.stride if on_1x1 else 1),
        ConvBnAct(op="conv_bn_act", name="conv2", out=width, kernel=3,
                  stride=1 if on_1x1 else layer.stride),
        ConvBnAct(op="conv_bn_act", name="conv3", out=layer.out, act="none"),
    ])
