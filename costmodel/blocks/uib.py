"""MobileNetV4's Universal Inverted Bottleneck (Qin et al. 2024 §3.2, Fig. 4; timm
``UniversalInvertedResidual``).

[``dw_start``: depthwise a×a, BN, no activation] → ``pw_exp``: 1×1 to mid, BN, act →
[``dw_mid``: depthwise k×k, BN, act] → ``pw_proj``: 1×1 to ``out``, BN → [``layer_scale``]
→ ``add`` with the input when the stride is 1 and C_in = ``out``. mid =
make_divisible(C_in·``expansion``, 8). ``start_kernel`` a and ``mid_kernel`` k of 0 leave
that depthwise out, giving the paper's four instances: ExtraDW (a, k), inverted bottleneck
(k only), ConvNeXt-like (a only) and FFN (neither). The stride sits on ``dw_mid``, or on
``dw_start`` when there is no middle depthwise.
"""

from __future__ import annotations

from costmodel.arith import make_divisible
from costmodel.assumptions import holds
from costmodel.blocks.base import child_name, register_block
from costmodel.errors import SpecError
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Add, ConvBnAct, LayerScale, UniversalInvertedBottleneck

__all__ = ["uib"]


@register_block(UniversalInvertedBottleneck)
def uib(layer: UniversalInvertedBottleneck, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    start = holds(layer.start_kernel, "!=", 0, "start depthwise when start_kernel ≠ 0")
    middle = holds(layer.mid_kernel, "!=", 0, "middle depthwise when mid_kernel ≠ 0")
    strided = holds(layer.stride, "!=", 1, "downsampling when stride ≠ 1")
    if strided and not (start or middle):
        raise SpecError("a uib with stride ≠ 1 needs a depthwise conv (start_kernel or mid_kernel)")
    children: list[LayerSpec] = []
    if start:
        children.append(ConvBnAct(op="conv_bn_act", name="dw_start", depthwise=True,
                                  kernel=layer.start_kernel,
                                  stride=1 if middle else layer.stride, act="none"))
    children.append(ConvBnAct(op="conv_bn_act", name="pw_exp",
                              out=make_divisible(c_in * layer.expansion, 8), act=layer.act))
    if middle:
        children.append(ConvBnAct(op="conv_bn_act", name="dw_mid", depthwise=True,
                                  kernel=layer.mid_kernel, stride=layer.stride, act=layer.act))
    children.append(ConvBnAct(op="conv_bn_act", name="pw_proj", out=layer.out, act="none"))
    if layer.layer_scale:
        children.append(LayerScale(op="layer_scale", name="layer_scale"))
    if not strided and holds(c_in, "==", layer.out, "residual when C_in = out"):
        children.append(Add(op="add", name="add", inputs=["input", child_name(children[-1])]))
    return children
