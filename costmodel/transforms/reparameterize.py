"""Re-parameterize train-time branches into one conv (RepVGG, Ding et al. 2021; MobileOne,
Vasu et al. 2023; FastViT's RepMixer): an ``add`` of parallel branches that all read the
same tensor x — each ``conv2d``, ``conv2d → batchnorm``, ``batchnorm`` or x itself — becomes
one k×k conv with bias, k the largest branch kernel, every branch kernel centred in it.
A branch may itself be an ``add``, a ``sub`` (its second input's branches negated) or a
``layer_scale`` (its branches scaled by γ per channel) of such branches, read only there:
FastViT's x + γ·(mixer(x) − BN(x)) is one depthwise conv."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from costmodel.arith import integer
from costmodel.ops.base import Geometry
from costmodel.spec.layers import Conv2d
from costmodel.transforms.affine import fold_bn_into, identity_kernel, pad_kernel
from costmodel.transforms.base import Weights, register_transform
from costmodel.transforms.flat import FlatLayer, FlatNet, Ref

__all__ = ["reparameterize"]


@dataclass(frozen=True)
class _Branch:
    """``sign``·Π γ(``scales``)·bn(conv(``source``)), each part when present."""

    source: Ref
    conv: FlatLayer | None
    bn: FlatLayer | None
    sign: int = 1
    scales: tuple[FlatLayer, ...] = ()


class _Geometry(NamedTuple):
    """What must agree across branches (the first four) and each branch's kernel."""

    stride: tuple[Any, ...]
    groups: Any
    c_out: Any
    offsets: tuple[int, ...]
    kernel: tuple[Any, ...]


@register_transform("reparameterize",
                    "Merge an add of parallel conv/BN/identity branches (RepVGG, MobileOne; "
                    "FastViT RepMixer: sub and layer_scale of them) into one conv.")
def reparameterize(net: FlatNet, weights: Weights | None) -> tuple[FlatNet, Weights | None]:
    """Merged when every conv branch has the same stride, groups and output channels,
    dilation 1 and padding (k−1)/2 + o with one offset o (o = 0 when x itself is a branch).
    Weights: each branch as (w, b) — BN folded, x as the identity kernel — padded to k×k
    and summed (RepVGG §3.3)."""
    layers, readers = net.by_name(), net.consumers()
    replaced: dict[str, FlatLayer | None] = {}
    new_weights = None if weights is None else dict(weights)
    for add in reversed(net.layers):  # outermost first: a merged sum takes its inner sums
        if add.op not in _SUMS or len(add.inputs) < 2 or add.name in replaced:
            continue
        inner: list[str] = []
        branches = _terms(add, layers, readers, inner)
        merged = None if branches is None else _merged_conv(net, add, branches)
        if merged is None or branches is None:
            continue
        for branch in branches:
            for part in (branch.conv, branch.bn, *branch.scales):
                if part is not None:
                    replaced[part.name] = None
        replaced.update(dict.fromkeys(inner))
        replaced[add.name] = merged
        if new_weights is not None and weights is not None:
            new_weights[add.name] = _merged_weights(merged, branches, weights)
            for name, layer in replaced.items():
                if layer is None:
                    new_weights.pop(name, None)
    return net.rewritten(replaced, {}, "reparameterize"), new_weights


_SUMS = ("add", "sub")


def _terms(layer: FlatLayer, layers: dict[str, FlatLayer], readers: dict[Ref, list[str]],
           inner: list[str]) -> list[_Branch] | None:
    """The branches ``layer`` (an add, sub or layer_scale) sums, with their signs and
    scales; None if one is no branch. Nested sums and scales read only by their consumer
    are expanded and their names appended to ``inner``."""
    branches: list[_Branch] = []
    for position, ref in enumerate(layer.inputs):
        nested = layers.get(ref[0])
        if (nested is not None and ref[1] == 0 and nested.op in (*_SUMS, "layer_scale")
                and readers[ref] == [layer.name]):
            found = _terms(nested, layers, readers, inner)
            inner.append(nested.name)
        else:
            branch = _branch(ref, layers, readers)
            found = None if branch is None else [branch]
        if found is None:
            return None
        negate = layer.op == "sub" and position == 1
        branches += [replace(b, sign=-b.sign if negate else b.sign,
                             scales=b.scales + ((layer,) if layer.op == "layer_scale" else ()))
                     for b in found]
    return branches


def _branch(ref: Ref, layers: dict[str, FlatLayer], readers: dict[Ref, list[str]]) -> _Branch | None:
    """What the add input ``ref`` computes from its source, or None if it is no branch."""
    layer = layers.get(ref[0])
    if layer is None or ref[1] != 0 or layer.op not in ("conv2d", "batchnorm"):
        return _Branch(ref, None, None)
    if len(readers[ref]) != 1:
        return None
    if layer.op == "conv2d":
        return _Branch(layer.inputs[0], layer, None)
    inner = layers.get(layer.inputs[0][0])
    if (inner is not None and inner.op == "conv2d" and layer.inputs[0][1] == 0
            and readers[layer.inputs[0]] == [layer.name]):
        return _Branch(inner.inputs[0], inner, layer)
    return _Branch(layer.inputs[0], None, layer)


def _geometry(conv: FlatLayer) -> _Geometry | None:
    """Stride, groups, C_out, padding offsets and kernel of a conv branch, None if it cannot merge."""
    geometry = conv.geometry
    if geometry is None:
        return None
    kernel = geometry.kernel
    padding = [p for p in geometry.padding if not isinstance(p, str)]  # same/valid: no merge
    if len(padding) != 2 or geometry.dilation != (1, 1) or any(k % 2 == 0 for k in kernel):
        return None
    offsets = tuple(integer(p) - (integer(k) - 1) // 2 for p, k in zip(padding, kernel))
    return _Geometry(geometry.stride, geometry.groups, conv.outputs[0][1], offsets, kernel)


def _pair(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def _merged_conv(net: FlatNet, add: FlatLayer, branches: list[_Branch]) -> FlatLayer | None:
    sources = {branch.source for branch in branches}
    convs = [branch.conv for branch in branches if branch.conv is not None]
    if len(sources) != 1 or not convs:
        return None
    (source,) = sources
    found = [_geometry(conv) for conv in convs]
    shapes = [shape for shape in found if shape is not None]
    if len(shapes) != len(found) or len({shape[:4] for shape in shapes}) != 1:
        return None
    stride, groups, c_out, offsets, _ = shapes[0]
    has_identity = any(branch.conv is None for branch in branches)
    if has_identity and (offsets != (0, 0) or stride != (1, 1)):
        return None
    kernel = tuple(max(shape.kernel[axis] for shape in shapes) for axis in (0, 1))
    padding = [offset + (k - 1) // 2 for offset, k in zip(offsets, kernel)]
    spec = Conv2d(op="conv2d", out=c_out, kernel=_scalar(kernel), stride=_scalar(stride),
                  padding=_scalar(padding), groups=groups, bias=True)
    geometry = Geometry(kernel, stride, (padding[0], padding[1]), (1, 1), groups, True)
    return FlatLayer(add.name, spec, (source,), add.outputs, geometry)


def _scalar(pair: tuple[Any, ...] | list[Any]) -> Any:
    """``k`` when both axes agree, else ``[k_h, k_w]``."""
    return pair[0] if pair[0] == pair[1] else list(pair)


def _merged_weights(merged: FlatLayer, branches: list[_Branch], weights: Weights) -> dict[str, np.ndarray]:
    spec = merged.layer
    assert isinstance(spec, Conv2d), "built by _merged_conv"
    kernel = _pair(spec.kernel)
    total_w: Any = 0  # 0, then the sum of ndarrays
    total_b: Any = 0
    for branch in branches:
        if branch.conv is not None:
            old = weights[branch.conv.name]
            weight, bias = old["weight"], old.get("bias")
        else:
            any_weight = next(weights[b.conv.name]["weight"] for b in branches if b.conv is not None)
            weight, bias = identity_kernel(merged.outputs[0][1], spec.groups, any_weight.dtype), None
        if branch.bn is not None:
            weight, bias = fold_bn_into(weight, bias, weights[branch.bn.name])
        elif bias is None:
            bias = np.zeros(weight.shape[0], weight.dtype)
        for scale in branch.scales:
            gamma = weights[scale.name]["gamma"]
            weight, bias = weight * gamma.reshape(-1, 1, 1, 1), bias * gamma
        weight, bias = branch.sign * weight, branch.sign * bias
        total_w = total_w + pad_kernel(weight, kernel)
        total_b = total_b + bias
    return {"weight": total_w, "bias": total_b}
