"""MobileNetV4's Mobile MQA (Qin et al. 2024 §3.3; timm ``MultiQueryAttention2d``):
multi-query attention on N×C×H×W — h query heads share one key and one value head
(Shazeer 2019), whose inputs are first downsampled by a depthwise conv when
``kv_stride`` > 1 (spatial reduction).

``query.proj`` (1×1 conv C → h·d_k) → ``q`` (view N×h×d_k×L) → ``q_t`` (N×h×L×d_k, a copy);
keys: [``key.down_conv`` (depthwise k×k, stride s) → ``key.norm`` (BN)] → ``key.proj``
(1×1 conv → d_k) → ``k`` (tokens N×P×d_k, a copy) → ``k_h`` (view N×1×P×d_k); values the
same with d_v → ``scores`` = q·kᵀ·d_k^−½ (matmul, the single K head broadcast over the h
query heads) → ``softmax`` → ``mix`` = A·v (N×h×L×d_v) → ``merge`` (tokens N×L×h·d_v) →
``o`` (image N×h·d_v×H×W) → ``output.proj`` (1×1 conv → ``out``). Convs without bias.

MACCs: the four 1×1 projections, the two depthwise convs, and heads·L·P·(d_k + d_v) for
the two matmuls, L = H·W, P = ⌈H/s⌉·⌈W/s⌉.
"""

from __future__ import annotations

from costmodel.assumptions import holds
from costmodel.blocks.attention import attention_scale
from costmodel.blocks.base import register_block
from costmodel.errors import SpecError
from costmodel.ops.base import Shape
from costmodel.spec.base import Expr, LayerSpec
from costmodel.spec.layers import (
    BatchNorm,
    Conv2d,
    Image,
    MatMul,
    MergeHeads,
    MultiQueryAttention,
    Permute,
    Reshape,
    Softmax,
    Tokens,
)

__all__ = ["multi_query_attention"]


def _projected(layer: MultiQueryAttention, branch: str, width: Expr, batch: Expr,
               ) -> list[LayerSpec]:
    """One shared head (keys or values): [downsample] → 1×1 projection → N×1×P×width."""
    children: list[LayerSpec] = []
    if holds(layer.kv_stride, "!=", 1, "keys and values downsampled when kv_stride ≠ 1"):
        children += [
            Conv2d(op="conv2d", name=f"{branch}.down_conv", inputs="input", depthwise=True,
                   kernel=layer.kernel, stride=layer.kv_stride, padding=(layer.kernel - 1) // 2),
            BatchNorm(op="batchnorm", name=f"{branch}.norm"),
        ]
    source = f"{branch}.norm" if children else "input"
    letter = branch[0]
    return children + [
        Conv2d(op="conv2d", name=f"{branch}.proj", inputs=source, out=width),
        Tokens(op="tokens", name=letter),
        Reshape(op="reshape", name=f"{letter}_h", shape=[batch, 1, -1, width]),
    ]


@register_block(MultiQueryAttention)
def multi_query_attention(layer: MultiQueryAttention, inputs: list[Shape]) -> list[LayerSpec]:
    x = inputs[0]
    if len(x) != 4:
        raise SpecError("multi_query_attention needs an N×C×H×W input")
    batch, channels, height, width = x
    heads, key_dim = layer.heads, layer.key_dim
    value_dim = key_dim if layer.value_dim is None else layer.value_dim
    scale = attention_scale(key_dim, "key_dim")
    return [
        Conv2d(op="conv2d", name="query.proj", out=heads * key_dim),
        Reshape(op="reshape", name="q", shape=[batch, heads, key_dim, height * width]),
        Permute(op="permute", name="q_t", dims=[0, 1, 3, 2]),
        *_projected(layer, "key", key_dim, batch),
        *_projected(layer, "value", value_dim, batch),
        MatMul(op="matmul", name="scores", inputs=["q_t", "k_h"], transpose_b=True, scale=scale),
        Softmax(op="softmax", name="softmax"),
        MatMul(op="matmul", name="mix", inputs=["softmax", "v_h"]),
        MergeHeads(op="merge_heads", name="merge"),
        Image(op="image", name="o", height=height, width=width),
        Conv2d(op="conv2d", name="output.proj", out=channels if layer.out is None else layer.out),
    ]
