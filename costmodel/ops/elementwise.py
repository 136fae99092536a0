"""Element-wise ops of one input: batchnorm, layer scale and the activations."""

from __future__ import annotations

from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import Category, OpResult, Shape, channel_axis, numel, register_op
from costmodel.spec.layers import Activation, BatchNorm, LayerScale, Scale

__all__ = ["batchnorm", "layer_scale", "scale", "activation"]


_CLAMP: tuple[Category, ...] = ("elementwise", "nonlinearity", "clamp", "conv_epilogue")
_SIGMOID: tuple[Category, ...] = ("elementwise", "nonlinearity", "sigmoid_based")
ACTIVATION_CATEGORIES: dict[str, tuple[Category, ...]] = {
    "relu": _CLAMP, "relu6": _CLAMP,
    "hardswish": (*_SIGMOID, "conv_epilogue", "self_gated", "mul_output"),
    "hardsigmoid": (*_SIGMOID, "conv_epilogue"),
    "sigmoid": (*_SIGMOID, "conv_epilogue", "exponential"),
    "swish": (*_SIGMOID, "exponential", "self_gated", "mul_output"),
    "silu": (*_SIGMOID, "exponential", "self_gated", "mul_output"),
    "gelu": ("elementwise", "nonlinearity", "exponential", "erf_gelu"),
    "leaky_relu": ("elementwise", "nonlinearity", "conv_epilogue"),
    "identity": ("view", "reparameterizable", "inference_noop"),
}
ACTIVATION_LABELS = {"silu": "swish", "hardswish": "hard-swish", "hardsigmoid": "hard-sigmoid"}
"""silu is swish (β = 1); the hard variants are named as in the MobileNetV3 paper."""


@register_op(BatchNorm, categories=("elementwise", "normalization", "reparameterizable", "conv_foldable"))
def batchnorm(layer: BatchNorm, x: Shape) -> OpResult:
    """params = 2C (γ, β); buffers = 2C (μ, σ²); mem_access = 2·|x| + 2C; elementwise = |x|."""
    channels = x[1]
    size = numel(x)
    cost = Cost(params=2 * channels, buffers=2 * channels, mem_access=2 * size + 2 * channels,
                elementwise=size, fragments=1)
    return OpResult([x], cost)


@register_op(LayerScale, categories=("elementwise", "conv_foldable", "mul_output"))
def layer_scale(layer: LayerScale, x: Shape) -> OpResult:
    """params = C (γ); mem_access = 2·|x| + C; elementwise = |x|."""
    channels, size = x[channel_axis(x)], numel(x)
    return OpResult([x], Cost(params=channels, mem_access=2 * size + channels, elementwise=size,
                              fragments=1))


@register_op(Scale, categories=("elementwise", "mul_output"))
def scale(layer: Scale, x: Shape) -> OpResult:
    """mem_access = 2·|x|; elementwise = |x|."""
    size = numel(x)
    return OpResult([x], Cost(mem_access=2 * size, elementwise=size, fragments=1))


@register_op(Activation, categories=ACTIVATION_CATEGORIES, labels=ACTIVATION_LABELS)
def activation(layer: Activation, x: Shape) -> OpResult:
    """mem_access = 2·|x|; elementwise = |x| (one op per element, whatever the function)."""
    if layer.slope is not None and layer.op != "leaky_relu":
        raise SpecError(f"'slope' applies to leaky_relu only, not {layer.op}")
    if layer.op == "identity":
        return OpResult([x], Cost())
    size = numel(x)
    return OpResult([x], Cost(mem_access=2 * size, elementwise=size, fragments=1))
