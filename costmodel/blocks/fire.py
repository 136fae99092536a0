"""SqueezeNet's Fire module (Iandola et al. 2016, Fig. 1), as torchvision's ``Fire``.

squeeze 1×1 (C_in → s) ReLU, then two expand convs on the squeezed tensor — 1×1 (s → e1)
and 3×3 pad 1 (s → e3), each with ReLU — concatenated to e1 + e3 channels. Every conv has
a bias and no batchnorm (SqueezeNet predates it).
"""

from __future__ import annotations

from costmodel.blocks.base import register_block
from costmodel.ops.base import Shape
from costmodel.spec.base import Expr, LayerSpec
from costmodel.spec.layers import Concat, ConvBnAct, Fire

__all__ = ["fire"]


@register_block(Fire)
def fire(layer: Fire, inputs: list[Shape]) -> list[LayerSpec]:
    def conv(name: str, out: Expr, kernel: int, source: str) -> ConvBnAct:
        return ConvBnAct(op="conv_bn_act", name=name, out=out, kernel=kernel, bias=layer.bias,
                         bn=False, inputs=source)

    return [
        conv("squeeze", layer.squeeze, 1, "input"),
        conv("expand1x1", layer.expand1x1, 1, "squeeze"),
        conv("expand3x3", layer.expand3x3, 3, "squeeze"),
        Concat(op="concat", name="concat", inputs=["expand1x1", "expand3x3"]),
    ]
