"""Fused data movement: ShuffleNetV2's concat → channel shuffle → split as one copy."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from costmodel.cost import Cost
from costmodel.ops.base import OpResult, Shape, numel, register_op
from costmodel.ops.tensor import Concat, Shuffle, Split, concat, parts_or_sections, shuffle, split
from costmodel.spec.base import Count, Expr, LayerSpec

__all__ = ["ConcatShuffleSplit", "concat_shuffle_split"]


class ConcatShuffleSplit(LayerSpec):
    """Concatenate the inputs' channels, shuffle them across ``groups`` and split the result
    into ``parts`` equal parts or the given ``sections`` (neither: one output) — one kernel.

    ShuffleNetV2 (Ma et al. 2018, §4): "the three successive element-wise operations,
    Concat, Channel Shuffle and Channel Split, are merged into a single element-wise
    operation". ``costmodel transform --fuse-shuffle`` writes it.
    """

    op: Literal["concat_shuffle_split"]
    groups: Expr
    parts: Count | None = None
    sections: list[Expr] | None = None

    _one_way = model_validator(mode="after")(lambda self: parts_or_sections(self))


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
