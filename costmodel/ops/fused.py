"""Fused data movement: ShuffleNetV2's concat → channel shuffle → split as one copy."""

from __future__ import annotations

from costmodel.cost import Cost
from costmodel.ops.base import OpResult, Shape, numel, register_op
from costmodel.ops.tensor import concat, shuffle, split
from costmodel.spec.layers import Concat, ConcatShuffleSplit, Shuffle, Split

__all__ = ["concat_shuffle_split"]


@register_op(ConcatShuffleSplit, arity=None, categories=("copy",))
def concat_shuffle_split(layer: ConcatShuffleSplit, *xs: Shape) -> OpResult:
    """One copy: mem_access = Σ|xᵢ| + Σ|yⱼ| = 2·|x| (x the concatenation); fragments = 1.

    The unfused chain costs 2·|x| for each of its three copies (6·|x|, 3 fragments).
    """
    (joined,) = concat(Concat(op="concat"), *xs).outputs
    shuffle(Shuffle(op="shuffle", groups=layer.groups), joined)  # validates the groups
    outputs = [joined]
    if layer.parts is not None or layer.sections is not None:
        outputs = split(Split(op="split", parts=layer.parts, sections=layer.sections), joined).outputs
    return OpResult(outputs, Cost(mem_access=2 * numel(joined), fragments=1))
