"""Element-wise ops of one input: batchnorm, layer scale and the activations."""

from __future__ import annotations

from typing import Literal, get_args

from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import Category, OpResult, Shape, channel_axis, numel, register_op
from costmodel.spec.base import Expr, LayerSpec

__all__ = ["BatchNorm", "LayerScale", "Scale", "Activation", "ActivationName", "ACTIVATIONS", "batchnorm",
           "layer_scale", "scale", "activation"]

ActivationName = Literal["relu", "relu6", "hardswish", "hardsigmoid", "sigmoid", "swish", "silu",
                         "gelu", "leaky_relu", "identity"]
ACTIVATIONS: tuple[str, ...] = get_args(ActivationName)

_CLAMP: tuple[Category, ...] = ("elementwise", "nonlinearity", "clamp", "conv_epilogue")
_SIGMOID: tuple[Category, ...] = ("elementwise", "nonlinearity", "sigmoid_based")
ACTIVATION_CATEGORIES: dict[str, tuple[Category, ...]] = {
    "relu": _CLAMP, "relu6": _CLAMP,
    "hardswish": (*_SIGMOID, "conv_epilogue"), "hardsigmoid": (*_SIGMOID, "conv_epilogue"),
    "sigmoid": (*_SIGMOID, "conv_epilogue"), "swish": _SIGMOID, "silu": _SIGMOID,
    "gelu": ("elementwise", "nonlinearity"),
    "leaky_relu": ("elementwise", "nonlinearity", "conv_epilogue"),
    "identity": ("view", "reparameterizable"),
}
ACTIVATION_LABELS = {"silu": "swish", "hardswish": "hard-swish", "hardsigmoid": "hard-sigmoid"}
"""silu is swish (β = 1); the hard variants are named as in the MobileNetV3 paper."""


class BatchNorm(LayerSpec):
    """Inference batchnorm: y = γ·(x − μ)/√(σ² + ε) + β, applied as one scale and shift."""

    op: Literal["batchnorm"]


class Activation(LayerSpec):
    """An element-wise nonlinearity; ``identity`` is free (no kernel).

    ``gelu`` is the exact x·Φ(x) (PyTorch's default, not the tanh approximation);
    ``leaky_relu`` is max(x, slope·x) with ``slope`` 0.01 unless given (PyTorch's default).
    """

    op: ActivationName
    slope: Expr | None = None


@register_op(BatchNorm, categories=("elementwise", "normalization", "reparameterizable"))
def batchnorm(layer: BatchNorm, x: Shape) -> OpResult:
    """params = 2C (γ, β); buffers = 2C (μ, σ²); mem_access = 2·|x| + 2C; elementwise = |x|."""
    channels = x[1]
    size = numel(x)
    cost = Cost(params=2 * channels, buffers=2 * channels, mem_access=2 * size + 2 * channels,
                elementwise=size, fragments=1)
    return OpResult([x], cost)


class LayerScale(LayerSpec):
    """Learned per-channel scale y = γ·x (LayerScale of CaiT, ConvNeXt, EfficientFormer,
    FastViT; timm ``LayerScale``/``LayerScale2d``): channel axis 1 of N×C×H×W, last of tokens."""

    op: Literal["layer_scale"]


@register_op(LayerScale, categories=("elementwise",))
def layer_scale(layer: LayerScale, x: Shape) -> OpResult:
    """params = C (γ); mem_access = 2·|x| + C; elementwise = |x|."""
    channels, size = x[channel_axis(x)], numel(x)
    return OpResult([x], Cost(params=channels, mem_access=2 * size + channels, elementwise=size,
                              fragments=1))


class Scale(LayerSpec):
    """y = ``factor``·x for a constant factor, no params: the mean (x + x_dist)/2 of
    DeiT's and EfficientFormer's two classifier heads, an explicit 1/√d."""

    op: Literal["scale"]
    factor: Expr


@register_op(Scale, categories=("elementwise",))
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
