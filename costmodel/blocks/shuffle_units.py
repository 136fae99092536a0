"""ShuffleNet units: v1 (Zhang et al. 2018, Fig. 2) and v2 (Ma et al. 2018, Fig. 3).

v1, laid out as megvii-model/ShuffleNet-Series ``ShuffleNetV1/blocks.py``: group 1×1
(C_in → mid, ``pw_groups``) BN ReLU → depthwise 3×3 (stride) BN → channel shuffle (when
groups > 1; the official code shuffles after the depthwise conv, the paper draws it before)
→ group 1×1 (mid → branch) BN. Stride 1: ReLU(x + branch), branch = C_out. Stride 2:
concat(avg-pool 3×3 s2 p1 of x, ReLU(branch)), branch = C_out − C_in.

v2, laid out as torchvision ``shufflenetv2.py``: stride 1 splits the channels in half and
runs 1×1 → dw 3×3 → 1×1 on the second half; stride 2 runs two branches on the whole input
(dw 3×3 s2 → 1×1; and 1×1 → dw 3×3 s2 → 1×1); both concat and shuffle with 2 groups.
"""

from __future__ import annotations

from costmodel.assumptions import holds
from costmodel.blocks.base import register_block
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import (
    Activation,
    Add,
    Concat,
    ConvBnAct,
    Pool2d,
    Shuffle,
    ShuffleV1Unit,
    ShuffleV2Unit,
    Split,
)

__all__ = ["shufflenet_v1_unit", "shufflenet_v2_unit"]


@register_block(ShuffleV1Unit)
def shufflenet_v1_unit(layer: ShuffleV1Unit, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    mid = layer.out // 4 if layer.mid is None else layer.mid
    downsample = holds(layer.stride, "!=", 1, "downsampling unit when stride ≠ 1")
    branch = layer.out - c_in if downsample else layer.out
    children: list[LayerSpec] = [
        ConvBnAct(op="conv_bn_act", name="pw", out=mid,
                  groups=layer.groups if layer.pw_groups is None else layer.pw_groups),
        ConvBnAct(op="conv_bn_act", name="dw", kernel=3, stride=layer.stride, depthwise=True,
                  act="none"),
    ]
    if holds(layer.groups, "!=", 1, "shuffle when groups ≠ 1"):
        children.append(Shuffle(op="shuffle", name="shuffle", groups=layer.groups))
    children.append(ConvBnAct(op="conv_bn_act", name="pw_linear", out=branch,
                              groups=layer.groups, act="none"))
    if not downsample:
        return children + [Add(op="add", name="add", inputs=["input", "pw_linear"]),
                           Activation(op="relu", name="relu")]
    return children + [
        Activation(op="relu", name="relu", inputs="pw_linear"),
        Pool2d(op="avg_pool", name="shortcut", kernel=3, stride=2, padding=1, inputs="input"),
        Concat(op="concat", name="concat", inputs=["shortcut", "relu"]),
    ]


@register_block(ShuffleV2Unit)
def shufflenet_v2_unit(layer: ShuffleV2Unit, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    half = layer.out // 2
    if holds(layer.stride, "==", 1, "split unit when stride = 1"):
        head: list[LayerSpec] = [Split(op="split", name="split", parts=2)]
        source, kept, main_out = "split:1", "split:0", half
    else:
        proj = c_in if holds(layer.proj_keeps_input, "!=", 0, "projection keeps C_in") else half
        head = [
            ConvBnAct(op="conv_bn_act", name="proj_dw", kernel=layer.kernel, stride=layer.stride,
                      depthwise=True, act="none", inputs="input"),
            ConvBnAct(op="conv_bn_act", name="proj_pw", out=proj),
        ]
        source, kept, main_out = "input", "proj_pw", layer.out - proj
    return head + [
        ConvBnAct(op="conv_bn_act", name="pw", out=half, inputs=source),
        ConvBnAct(op="conv_bn_act", name="dw", kernel=layer.kernel, stride=layer.stride,
                  depthwise=True, act="none"),
        ConvBnAct(op="conv_bn_act", name="pw_linear", out=main_out),
        Concat(op="concat", name="concat", inputs=[kept, "pw_linear"]),
        Shuffle(op="shuffle", name="shuffle", groups=2),
    ]
