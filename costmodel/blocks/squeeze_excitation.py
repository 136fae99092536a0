"""Squeeze-and-excitation (Hu et al. 2018), as the efficient CNNs implement it.

global average pool → 1×1 conv C → ``squeeze`` (+bias) → ``act`` → 1×1 conv ``squeeze`` → C
(+bias) → ``gate`` → channel-wise multiply with the input. The two 1×1 convs run on a 1×1
map, so they cost squeeze·C MACCs each; with ``bias`` (torchvision, timm and the authors'
code all use it) they add C + squeeze parameters.
"""

from __future__ import annotations

from costmodel.arith import Value, floor, make_divisible, maximum
from costmodel.blocks.base import register_block
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Activation, Conv2d, GlobalAvgPool, Mul, SqueezeExcitation

__all__ = ["squeeze_excitation", "squeeze_channels"]


def squeeze_channels(channels: Value, ratio: Value, divisor: Value | None = None) -> Value:
    """Squeeze width from a ratio: ``make_divisible(⌊c·r⌋, d)`` with a divisor (torchvision
    MobileNetV3: ``_make_divisible(expanded // 4, 8)``), else ``max(1, ⌊c·r⌋)`` (TF
    EfficientNet/MnasNet: ``max(1, int(c * se_ratio))``)."""
    squeezed = floor(channels * ratio)
    if divisor is None:
        return maximum(1, squeezed)
    return make_divisible(squeezed, divisor)


@register_block(SqueezeExcitation)
def squeeze_excitation(layer: SqueezeExcitation, inputs: list[Shape]) -> list[LayerSpec]:
    channels = inputs[0][1]
    return [
        GlobalAvgPool(op="global_avg_pool", name="pool"),
        Conv2d(op="conv2d", name="fc1", out=layer.squeeze, bias=layer.bias),
        Activation(op=layer.act, name="act"),
        Conv2d(op="conv2d", name="fc2", out=channels, bias=layer.bias),
        Activation(op=layer.gate, name="gate"),
        Mul(op="mul", name="scale", inputs=["input", "gate"]),
    ]
