"""Learned position-dependent tensors. Attention bias by relative position (LeViT, Graham et al. 2021 §4.2;
EfficientFormer, Li et al. 2022 — timm ``efficientformer.Attention.attention_biases``).

Queries and keys are the positions of one ``resolution`` grid R_h×R_w (L = R_h·R_w
tokens). Head h adds to its score of query i and key j the learned value
B[h, |r_i − r_j|·R_w + |c_i − c_j|]: one value per head and per distinct offset
(|Δr|, |Δc|), R_h·R_w offsets in all.

ViT (Dosovitskiy et al. 2021, eq. 1): z₀ = [x_class; x_p¹E; …; x_pᴺE] + E_pos — a learned
class token prepended to the patch tokens (``class_token``) and a learned position
embedding of the tokens' shape added (``position_embedding``).
"""

from __future__ import annotations

from costmodel.assumptions import require
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, numel, pair, register_op, require_int
from costmodel.spec.layers import AttentionBias, ClassToken, PositionEmbedding

__all__ = ["attention_bias", "class_token", "position_embedding"]


@register_op(AttentionBias, categories=("elementwise",))
def attention_bias(layer: AttentionBias, x: Shape) -> OpResult:
    """params = heads·R_h·R_w; elementwise = |x| (one add per score); mem_access = 2·|x| +
    heads·L_q·L (the bias gathered per query–key pair, as inference caches it)."""
    if len(x) != 4:
        raise SpecError(f"attention_bias needs scores N×heads×L×L, got a {len(x)}-D input")
    _, heads, queries, keys = x
    rows, cols = (require_int(r, "resolution") for r in pair(layer.resolution))
    stride = require_int(layer.stride, "attention_bias stride", minimum=1)
    positions = rows * cols
    taken = positions if stride == 1 else -(-rows // stride) * -(-cols // stride)
    for length, what, grid in ((queries, "queries", taken), (keys, "keys", positions)):
        if not require(length, "==", grid, f"attention_bias {what} = grid positions"):
            at = f" taken at stride {stride}" if stride != 1 and what == "queries" else ""
            raise SpecError(f"attention_bias: {length} {what}, but a {rows}×{cols} grid has "
                            f"{grid} positions{at}")
    size = numel(x)
    gathered = heads * queries * keys
    return OpResult([x], Cost(params=heads * positions, mem_access=2 * size + gathered,
                              elementwise=size, fragments=1))


@register_op(PositionEmbedding, categories=("elementwise",))
def position_embedding(layer: PositionEmbedding, x: Shape) -> OpResult:
    """params = |x|/N (one learned value per position and channel); elementwise = |x|;
    mem_access = 2·|x| + params."""
    if len(x) < 2:
        raise SpecError(f"position_embedding needs a batched input, got a {len(x)}-D one")
    size = numel(x)
    table = numel(x[1:])
    return OpResult([x], Cost(params=table, mem_access=2 * size + table, elementwise=size, fragments=1))


@register_op(ClassToken, categories=("copy",))
def class_token(layer: ClassToken, x: Shape) -> OpResult:
    """N×L×C → N×(L + k)×C; params = k·C; mem_access = 2·|y| (a concat of the tokens
    expanded over the batch: N·k·C and |x| read, |y| written)."""
    if len(x) != 3:
        raise SpecError(f"class_token needs tokens N×L×C, got a {len(x)}-D input")
    n, length, channels = x
    k = require_int(layer.tokens, "tokens")
    out = (n, length + k, channels)
    return OpResult([out], Cost(params=k * channels, mem_access=2 * numel(out), fragments=1))
