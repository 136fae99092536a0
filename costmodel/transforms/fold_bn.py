"""Fold each batchnorm into the conv before it: the conv gains a bias, the BN disappears."""

from __future__ import annotations

from dataclasses import replace

from costmodel.transforms.affine import fold_bn_into
from costmodel.transforms.base import Weights, register_transform
from costmodel.transforms.flat import FlatLayer, FlatNet

__all__ = ["fold_bn"]


@register_transform("fold-bn", "Fold every batchnorm into the conv2d before it (the conv gets a bias).")
def fold_bn(net: FlatNet, weights: Weights | None) -> tuple[FlatNet, Weights | None]:
    """A batchnorm whose only input is a conv2d read by nothing else is folded into it;
    readers of the BN read the conv. Weights: w·γ/√(σ²+ε), (b − μ)·γ/√(σ²+ε) + β."""
    layers, readers = net.by_name(), net.consumers()
    replaced: dict[str, FlatLayer | None] = {}
    renamed = {}
    new_weights = None if weights is None else dict(weights)
    for bn in net.layers:
        if bn.op != "batchnorm" or bn.inputs[0][1] != 0:
            continue
        conv = layers.get(bn.inputs[0][0])
        if conv is None or conv.op != "conv2d" or readers[(conv.name, 0)] != [bn.name]:
            continue
        geometry = None if conv.geometry is None else replace(conv.geometry, bias=True)
        replaced[conv.name] = FlatLayer(conv.name, conv.layer.model_copy(update={"bias": True}),
                                        conv.inputs, conv.outputs, geometry)
        replaced[bn.name] = None
        renamed[(bn.name, 0)] = (conv.name, 0)
        if weights is not None and new_weights is not None:
            old = weights[conv.name]
            weight, bias = fold_bn_into(old["weight"], old.get("bias"), weights[bn.name])
            new_weights[conv.name] = {"weight": weight, "bias": bias}
            del new_weights[bn.name]
    return net.rewritten(replaced, renamed, "fold-bn"), new_weights
