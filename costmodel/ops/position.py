"""Learned attention bias by relative position (LeViT, Graham et al. 2021 §4.2;
EfficientFormer, Li et al. 2022 — timm ``efficientformer.Attention.attention_biases``).

Queries and keys are the positions of one ``resolution`` grid R_h×R_w (L = R_h·R_w
tokens). Head h adds to its score of query i and key j the learned value
B[h, |r_i − r_j|·R_w + |c_i − c_j|]: one value per head and per distinct offset
(|Δr|, |Δc|), R_h·R_w offsets in all.
"""

from __future__ import annotations

from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, numel, pair, register_op, require_int
from costmodel.spec.layers import AttentionBias

__all__ = ["attention_bias"]


@register_op(AttentionBias, categories=("elementwise",))
def attention_bias(layer: AttentionBias, x: Shape) -> OpResult:
    """params = heads·R_h·R_w; elementwise = |x| (one add per score); mem_access = 2·|x| +
    heads·L·L (the bias gathered per query–key pair, as inference caches it)."""
    if len(x) != 4:
        raise SpecError(f"attention_bias needs scores N×heads×L×L, got a {len(x)}-D input")
    _, heads, queries, keys = x
    rows, cols = (require_int(r, "resolution") for r in pair(layer.resolution))
    positions = rows * cols
    for length, what in ((queries, "queries"), (keys, "keys")):
        if not require(length, "==", positions, f"attention_bias {what} = grid positions"):
            raise SpecError(f"attention_bias: {length} {what}, but a {rows}×{cols} grid has "
                            f"{positions} positions")
    size = numel(x)
    gathered = heads * queries * keys
    return OpResult([x], Cost(params=heads * positions, mem_access=2 * size + gathered,
                              elementwise=size, fragments=1))
