"""The pre-norm transformer encoder block on tokens N×L×C (Dosovitskiy et al. 2021; timm
``vision_transformer.Block``, as MobileViT uses it; EfficientFormer's ``MetaBlock1d``).

``norm1`` (layernorm) → ``attn`` (the ``attention`` block) → [``ls1``: layer scale] →
``add1`` with the input; ``norm2`` → ``mlp.fc1`` (C → hidden, bias) → ``mlp.act`` →
``mlp.fc2`` (hidden → C, bias) → [``ls2``] → ``add2``. hidden = ⌊C·``mlp_ratio``⌋
(timm ``int(dim * mlp_ratio)``).
"""

from __future__ import annotations

from costmodel.arith import floor
from costmodel.blocks.base import register_block, token_channels
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import (
    Activation,
    Add,
    Attention,
    LayerNorm,
    LayerScale,
    Linear,
    TransformerBlock,
)

__all__ = ["transformer_block"]


@register_block(TransformerBlock)
def transformer_block(layer: TransformerBlock, inputs: list[Shape]) -> list[LayerSpec]:
    channels = token_channels("transformer_block", inputs[0])

    def scaled(name: str, source: str) -> list[LayerSpec]:
        return [LayerScale(op="layer_scale", name=name, inputs=source)] if layer.layer_scale else []

    attn_out = "ls1" if layer.layer_scale else "attn"
    mlp_out = "ls2" if layer.layer_scale else "mlp.fc2"
    return [
        LayerNorm(op="layernorm", name="norm1"),
        Attention(op="attention", name="attn", heads=layer.heads, dim_qk=layer.dim_qk,
                  dim_v=layer.dim_v, qkv_bias=layer.qkv_bias, position_bias=layer.position_bias),
        *scaled("ls1", "attn"),
        Add(op="add", name="add1", inputs=["input", attn_out]),
        LayerNorm(op="layernorm", name="norm2"),
        Linear(op="linear", name="mlp.fc1", out=floor(channels * layer.mlp_ratio)),
        Activation(op=layer.act, name="mlp.act"),
        Linear(op="linear", name="mlp.fc2", out=channels),
        *scaled("ls2", "mlp.fc2"),
        Add(op="add", name="add2", inputs=["add1", mlp_out]),
    ]
