"""Fuse ShuffleNetV2's concat → channel shuffle (→ channel split) into one copy."""

from __future__ import annotations

from typing import Any

from costmodel.spec.layers import Concat, ConcatShuffleSplit, Shuffle, Split
from costmodel.transforms.base import Weights, register_transform
from costmodel.transforms.flat import FlatLayer, FlatNet

__all__ = ["fuse_shuffle"]


@register_transform("fuse-shuffle",
                    "Fuse concat → shuffle (→ split) into one concat_shuffle_split op (ShuffleNetV2 §4).")
def fuse_shuffle(net: FlatNet, weights: Weights | None) -> tuple[FlatNet, Weights | None]:
    """A concat read only by a shuffle, and the split that alone reads that shuffle if any,
    become one ``concat_shuffle_split`` named as the last fused layer. No weights change."""
    layers, readers = net.by_name(), net.consumers()
    replaced: dict[str, FlatLayer | None] = {}
    for shuffle in net.layers:
        concat = layers.get(shuffle.inputs[0][0])
        if (not isinstance(shuffle.layer, Shuffle) or concat is None
                or not isinstance(concat.layer, Concat) or readers[(concat.name, 0)] != [shuffle.name]):
            continue
        after = readers.get((shuffle.name, 0), [])
        split = layers[after[0]] if len(after) == 1 else None
        fields: dict[str, Any] = {}
        last = shuffle
        if split is not None and isinstance(split.layer, Split):
            fields = {"parts": split.layer.parts, "sections": split.layer.sections}
            last = split
        spec = ConcatShuffleSplit(op="concat_shuffle_split", groups=shuffle.layer.groups, **fields)
        replaced.update({concat.name: None, shuffle.name: None})
        replaced[last.name] = FlatLayer(last.name, spec, concat.inputs, last.outputs)
    return net.rewritten(replaced, {}, "fuse-shuffle"), weights
