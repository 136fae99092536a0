"""GhostNet's ghost module and ghost bottleneck (Han et al. 2020; official
huawei-noah/Efficient-AI-Backbones ``ghostnet_pytorch``).

Ghost module (C_in → ``out``, ``ratio`` s): primary k×k conv to m = ⌈out/s⌉ channels, BN,
[ReLU]; cheap ``dw_kernel`` conv m → m·(s − 1) in m groups, BN, [ReLU]; concat; when
m·s > out the first ``out`` channels are kept (a split, counted as a copy). With
``attention`` (GhostNetV2's DFC attention, Tang et al. 2022; timm ``GhostModuleV2``) the
input also goes through a 2×2 s2 average pool, the primary's k×k conv (C_in → out, stride s),
BN, a depthwise 1×5 conv, BN, a depthwise 5×1 conv, BN, a sigmoid and a nearest resize to
the module's output size, which multiplies the module's output.

Ghost bottleneck: ghost(C_in → ``mid``, ReLU) → [depthwise k×k stride s, BN — only when
s > 1] → [SE: squeeze = make_divisible(mid·``se_ratio``, 4), ReLU, hard-sigmoid] →
ghost(mid → ``out``, linear); ``attention`` puts DFC attention on the first ghost module
(GhostNetV2 from its third bottleneck on); plus a shortcut: identity when s = 1 and C_in = out, else
depthwise k×k stride s, BN, 1×1 C_in → out, BN.
"""

from __future__ import annotations

from costmodel.arith import make_divisible
from costmodel.assumptions import holds
from costmodel.blocks.base import register_block
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import (
    Activation,
    ActivationOrNone,
    Add,
    Concat,
    ConvBnAct,
    GhostBottleneck,
    GhostModule,
    Mul,
    Pool2d,
    Resize,
    Split,
    SqueezeExcitation,
)

__all__ = ["ghost_module", "ghost_bottleneck"]


@register_block(GhostModule)
def ghost_module(layer: GhostModule, inputs: list[Shape]) -> list[LayerSpec]:
    primary = -(-layer.out // layer.ratio)  # ⌈out/s⌉, exact for ints and sympy
    act: ActivationOrNone = "relu" if layer.relu else "none"
    children: list[LayerSpec] = [
        ConvBnAct(op="conv_bn_act", name="primary", out=primary, kernel=layer.kernel,
                  stride=layer.stride, padding=layer.kernel // 2, act=act),
        ConvBnAct(op="conv_bn_act", name="cheap", out=primary * (layer.ratio - 1),
                  kernel=layer.dw_kernel, padding=layer.dw_kernel // 2, groups=primary, act=act),
        Concat(op="concat", name="concat", inputs=["primary", "cheap"]),
    ]
    if holds(primary * layer.ratio, "!=", layer.out, "trim when ⌈out/ratio⌉·ratio ≠ out"):
        children.append(Split(op="split", name="trim",
                              sections=[layer.out, primary * layer.ratio - layer.out]))
    if layer.attention:
        children += _dfc_attention(layer, inputs[0], children[-1].name or "")
    return children


def _dfc_attention(layer: GhostModule, x: Shape, output: str) -> list[LayerSpec]:
    """GhostModuleV2.forward: ``out[:, :out] * interpolate(sigmoid(short_conv(avg_pool(x))))``."""
    size = [(side + 2 * (layer.kernel // 2) - layer.kernel) // layer.stride + 1 for side in x[2:]]
    return [
        Pool2d(op="avg_pool", name="dfc_pool", inputs="input", kernel=2, stride=2),
        ConvBnAct(op="conv_bn_act", name="dfc_conv", out=layer.out, kernel=layer.kernel,
                  stride=layer.stride, padding=layer.kernel // 2, act="none"),
        ConvBnAct(op="conv_bn_act", name="dfc_h", kernel=[1, 5], padding=[0, 2],
                  depthwise=True, act="none"),
        ConvBnAct(op="conv_bn_act", name="dfc_v", kernel=[5, 1], padding=[2, 0],
                  depthwise=True, act="none"),
        Activation(op="sigmoid", name="dfc_gate"),
        Resize(op="resize", name="dfc_resize", mode="nearest", size=size),
        Mul(op="mul", name="dfc_scale", inputs=[output if output != "trim" else "trim:0",
                                                "dfc_resize"]),
    ]


@register_block(GhostBottleneck)
def ghost_bottleneck(layer: GhostBottleneck, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    children: list[LayerSpec] = [GhostModule(op="ghost_module", name="ghost1", out=layer.mid,
                                             attention=layer.attention)]
    if holds(layer.stride, "!=", 1, "depthwise conv when stride ≠ 1"):
        children.append(ConvBnAct(op="conv_bn_act", name="dw", kernel=layer.kernel,
                                  stride=layer.stride, depthwise=True, act="none"))
    if layer.se_ratio is not None:
        # official SqueezeExcite: _make_divisible(in_chs * se_ratio, 4), hard_sigmoid gate
        children.append(SqueezeExcitation(op="squeeze_excitation", name="se", gate="hardsigmoid",
                                          squeeze=make_divisible(layer.mid * layer.se_ratio, 4)))
    children.append(GhostModule(op="ghost_module", name="ghost2", out=layer.out, relu=False))
    shortcut = "input"
    if holds(layer.stride, "!=", 1, "projection shortcut when stride ≠ 1") or holds(
            c_in, "!=", layer.out, "projection shortcut when C_in ≠ out"):
        children += [
            ConvBnAct(op="conv_bn_act", name="shortcut_dw", inputs="input", kernel=layer.kernel,
                      stride=layer.stride, depthwise=True, act="none"),
            ConvBnAct(op="conv_bn_act", name="shortcut_pw", out=layer.out, act="none"),
        ]
        shortcut = "shortcut_pw"
    children.append(Add(op="add", name="add", inputs=["ghost2", shortcut]))
    return children
