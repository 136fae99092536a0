"""Multi-head self-attention (Vaswani et al. 2017) on tokens N×L×C, as timm's ``Attention``.

qkv: one linear C → h·(2·d_qk + d_v) (+bias) → q, k, v: channel slices (free views) →
split into h heads (copies) → ``scores`` = q·kᵀ·d_qk^−½ (matmul) → [``bias``: a learned
bias per head and relative position, ``position_bias``: LeViT, EfficientFormer] →
``softmax`` → ``mix`` = A·v (matmul) → heads merged (a copy) → ``proj``: linear h·d_v →
``out`` (+bias). EfficientFormer's qkv interleaves q, k, v per head; the same weights in
another row order, so the counts are the same.

MACCs: the projections, plus the two batched matmuls N·h·L·L·(d_qk + d_v) — what
FlopCounterMode counts for bmm/matmul (÷ 2) and for scaled_dot_product_attention on its
math backend; PyTorch's fused CPU attention kernel is counted as 0 there. The softmax and
the scaling are not MACCs (softmax: elementwise; the scale rides in the GEMM's α).
"""

from __future__ import annotations

from costmodel.arith import Value, exact_decimal, is_symbolic
from costmodel.blocks.base import register_block, token_channels
from costmodel.ops.base import Shape, require_int
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import (
    Attention,
    AttentionBias,
    Linear,
    MatMul,
    MergeHeads,
    Slice,
    Softmax,
    SplitHeads,
)

__all__ = ["attention", "attention_scale"]


def attention_scale(size: Value, what: str) -> Value | None:
    """The scores' scale 1/√d for heads of ``size`` channels (None when symbolic); a size
    that is not a whole number ≥ 1 is a :class:`SpecError` naming ``what``."""
    if is_symbolic(size):
        return None
    return exact_decimal(float(require_int(size, what)) ** -0.5)


@register_block(Attention)
def attention(layer: Attention, inputs: list[Shape]) -> list[LayerSpec]:
    channels = token_channels("attention", inputs[0])
    heads = layer.heads
    dim_qk = layer.dim_qk if layer.dim_qk is not None else channels // heads
    dim_v = layer.dim_v if layer.dim_v is not None else dim_qk
    q_end, k_end = heads * dim_qk, 2 * heads * dim_qk
    scale = attention_scale(dim_qk, f"the width per head (dim_qk, or channels // heads = {channels} // {heads})")
    bias: list[LayerSpec] = [] if layer.position_bias is None else [
        AttentionBias(op="attention_bias", name="bias", resolution=layer.position_bias)]
    return [
        Linear(op="linear", name="qkv", out=k_end + heads * dim_v, bias=layer.qkv_bias),
        Slice(op="slice", name="q", inputs="qkv", stop=q_end),
        Slice(op="slice", name="k", inputs="qkv", start=q_end, stop=k_end),
        Slice(op="slice", name="v", inputs="qkv", start=k_end),
        SplitHeads(op="split_heads", name="q_heads", inputs="q", heads=heads),
        SplitHeads(op="split_heads", name="k_heads", inputs="k", heads=heads),
        SplitHeads(op="split_heads", name="v_heads", inputs="v", heads=heads),
        MatMul(op="matmul", name="scores", inputs=["q_heads", "k_heads"], transpose_b=True, scale=scale),
        *bias,
        Softmax(op="softmax", name="softmax"),
        MatMul(op="matmul", name="mix", inputs=["softmax", "v_heads"]),
        MergeHeads(op="merge_heads", name="merge"),
        Linear(op="linear", name="proj", out=layer.out if layer.out is not None else channels,
               bias=layer.proj_bias),
    ]
