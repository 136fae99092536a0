"""GhostNet's ghost module and ghost bottleneck (Han et al. 2020; official
huawei-noah/Efficient-AI-Backbones ``ghostnet_pytorch``).

Ghost module (C_in → ``out``, ``ratio`` s): primary k×k conv to m = ⌈out/s⌉ channels, BN,
[ReLU]; cheap ``dw_kernel`` conv m → m·(s − 1) in m groups, BN, [ReLU]; concat; when
m·s > out the first ``out`` channels are kept (a split, counted as a copy).

Ghost bottleneck: ghost(C_in → ``mid``, ReLU) → [depthwise k×k stride s, BN — only when
s > 1] → [SE: squeeze = make_divisible(mid·``se_ratio``, 4), ReLU, hard-sigmoid] →
ghost(mid → ``out``, linear); plus a shortcut: identity when s = 1 and C_in = out, else
depthwise k×k stride s, BN, 1×1 C_in → out, BN.
"""

from __future__ import annotations

from typing import Literal

from costmodel.arith import make_divisible
from costmodel.blocks.base import BlockSpec, register_block
from costmodel.blocks.conv_bn_act import ConvBnAct
from costmodel.blocks.squeeze_excitation import SqueezeExcitation
from costmodel.ops.base import Shape
from costmodel.ops.tensor import Add, Concat, Split
from costmodel.spec.base import Expr, LayerSpec

__all__ = ["GhostModule", "GhostBottleneck", "ghost_module", "ghost_bottleneck"]


class GhostModule(BlockSpec):
    """Children ``primary``, ``cheap``, ``concat`` and, when trimming, ``trim``."""

    op: Literal["ghost_module"]
    out: Expr
    kernel: Expr = 1
    ratio: Expr = 2
    dw_kernel: Expr = 3
    stride: Expr = 1
    relu: bool = True


class GhostBottleneck(BlockSpec):
    """Children ``ghost1``, ``dw``, ``se``, ``ghost2``, ``shortcut_dw``, ``shortcut_pw``, ``add``."""

    op: Literal["ghost_bottleneck"]
    mid: Expr
    out: Expr
    kernel: Expr = 3
    stride: Expr = 1
    se_ratio: Expr | None = None


@register_block(GhostModule)
def ghost_module(layer: GhostModule, inputs: list[Shape]) -> list[LayerSpec]:
    primary = -(-layer.out // layer.ratio)  # ⌈out/s⌉, exact for ints and sympy
    act = "relu" if layer.relu else "none"
    children: list[LayerSpec] = [
        ConvBnAct(op="conv_bn_act", name="primary", out=primary, kernel=layer.kernel,
                  stride=layer.stride, padding=layer.kernel // 2, act=act),
        ConvBnAct(op="conv_bn_act", name="cheap", out=primary * (layer.ratio - 1),
                  kernel=layer.dw_kernel, padding=layer.dw_kernel // 2, groups=primary, act=act),
        Concat(op="concat", name="concat", inputs=["primary", "cheap"]),
    ]
    if primary * layer.ratio != layer.out:
        children.append(Split(op="split", name="trim",
                              sections=[layer.out, primary * layer.ratio - layer.out]))
    return children


@register_block(GhostBottleneck)
def ghost_bottleneck(layer: GhostBottleneck, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    children: list[LayerSpec] = [GhostModule(op="ghost_module", name="ghost1", out=layer.mid)]
    if layer.stride != 1:
        children.append(ConvBnAct(op="conv_bn_act", name="dw", kernel=layer.kernel,
                                  stride=layer.stride, depthwise=True, act="none"))
    if layer.se_ratio is not None:
        # official SqueezeExcite: _make_divisible(in_chs * se_ratio, 4), hard_sigmoid gate
        children.append(SqueezeExcitation(op="squeeze_excitation", name="se", gate="hardsigmoid",
                                          squeeze=make_divisible(layer.mid * layer.se_ratio, 4)))
    children.append(GhostModule(op="ghost_module", name="ghost2", out=layer.out, relu=False))
    shortcut = "input"
    if layer.stride != 1 or c_in != layer.out:
        children += [
            ConvBnAct(op="conv_bn_act", name="shortcut_dw", inputs="input", kernel=layer.kernel,
                      stride=layer.stride, depthwise=True, act="none"),
            ConvBnAct(op="conv_bn_act", name="shortcut_pw", out=layer.out, act="none"),
        ]
        shortcut = "shortcut_pw"
    children.append(Add(op="add", name="add", inputs=["ghost2", shortcut]))
    return children
