"""The layer vocabulary: every built-in op and block as a pydantic class, and the layer
union a spec's ``layers:`` are validated against.

This module is the one place a layer's fields are declared. It imports no formula: the
ops (costmodel.ops) and blocks (costmodel.blocks) register a formula or an expansion for
these classes, the numpy reference (costmodel.reference) runs them and the transforms
rewrite them, each naming the classes it reads. :data:`BuiltinLayer` is the union written
out, so a type checker sees each member; tests/core/test_vocabulary.py checks that it, the
op and block registries and the reference's runners name the same ops.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import (
    ConfigDict,
    Discriminator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Tag,
    TypeAdapter,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, SchemaValidator, core_schema

from costmodel.spec.base import (
    Count,
    Expr,
    ExprPair,
    Flag,
    LayerSpec,
    Multiple,
    Padding,
    Positive,
    Probability,
    Share,
    Tally,
    op_names,
)
from costmodel.spec.field_docs import describe

__all__ = ["ActivationName", "ACTIVATIONS", "ActivationOrNone", "BlockSpec", "parts_or_sections", "Conv2d", "BatchNorm", "Activation", "LayerScale", "Scale", "Add", "Sub", "Mul", "Div", "Concat", "Split", "Shuffle", "Flatten", "Dropout", "ConcatShuffleSplit", "Pad", "Slice", "Reshape", "Permute", "Tokens", "Image", "UnfoldPatches", "FoldPatches", "SplitHeads", "MergeHeads", "Linear", "MatMul", "LayerNorm", "GroupNorm", "Softmax", "Pool2d", "GlobalAvgPool", "AttentionBias", "PositionEmbedding", "ClassToken", "Resize", "AdaptiveAvgPool", "ConvTranspose2d", "Attention", "ConvBnAct", "Fire", "SqueezeExcitation", "GhostModule", "GhostBottleneck", "InvertedResidual", "MBConv", "MixedConv", "MobileOneBlock", "MobileOneStage", "MultiQueryAttention", "BasicBlock", "Bottleneck", "Sandglass", "ShuffleV1Unit", "ShuffleV2Unit", "TransformerBlock", "UniversalInvertedBottleneck", "BlockCall", "BuiltinLayer", "Layer", "LAYER_CLASSES"]


class BlockSpec(LayerSpec):
    """A layer that expands into other layers."""

    kind: ClassVar[str] = "block"


# Ops: formulas in costmodel.ops.conv

class Conv2d(LayerSpec):
    """k_h×k_w convolution of C_in → ``out`` channels in ``groups`` groups.

    ``out`` defaults to C_in; ``depthwise: true`` sets groups = C_in. ``padding`` is a
    number, a pair, ``same`` (TensorFlow: H′ = ⌈H/s⌉) or ``valid`` (0). ``bias`` defaults
    to false (convs in efficient CNNs are followed by batchnorm).
    """

    op: Literal["conv2d"]
    out: Expr | None = None
    kernel: ExprPair = 1
    stride: ExprPair = 1
    padding: Padding = 0
    dilation: ExprPair = 1
    groups: Expr = 1
    depthwise: bool = False
    bias: bool = False


# Ops: formulas in costmodel.ops.elementwise

ActivationName = Literal["relu", "relu6", "hardswish", "hardsigmoid", "sigmoid", "swish", "silu",
                         "gelu", "leaky_relu", "identity"]
ACTIVATIONS: tuple[str, ...] = get_args(ActivationName)

ActivationOrNone = Literal[ActivationName, "none"]
"""An activation, or ``none`` for none (a conv block's ``act``)."""


class BatchNorm(LayerSpec):
    """Inference batchnorm: y = γ·(x − μ)/√(σ² + ε) + β, applied as one scale and shift."""

    op: Literal["batchnorm"]


class Activation(LayerSpec):
    """An element-wise nonlinearity; ``identity`` is free (no kernel).

    ``gelu`` is the exact x·Φ(x) (PyTorch's default, not the tanh approximation);
    ``leaky_relu`` is max(x, slope·x) with ``slope`` 0.01 unless given (PyTorch's default).
    """

    op: ActivationName
    slope: Expr | None = None


class LayerScale(LayerSpec):
    """Learned per-channel scale y = γ·x (LayerScale of CaiT, ConvNeXt, EfficientFormer,
    FastViT; timm ``LayerScale``/``LayerScale2d``): channel axis 1 of N×C×H×W, last of tokens."""

    op: Literal["layer_scale"]


class Scale(LayerSpec):
    """y = ``factor``·x + ``offset`` for constants, no params: the mean (x + x_dist)/2 of
    DeiT's and EfficientFormer's two classifier heads, an explicit 1/√d, the ε EfficientViT's
    linear attention adds to its normaliser (one affine op per element, as BN's)."""

    op: Literal["scale"]
    factor: Expr = 1
    offset: Expr = 0


# Ops: formulas in costmodel.ops.tensor

class Add(LayerSpec):
    """Element-wise sum of two or more equal-shaped inputs (residual connections)."""

    op: Literal["add"]


class Sub(LayerSpec):
    """Element-wise difference a − b of two equal-shaped inputs (PoolFormer's and
    EfficientFormer's token mixer pool(x) − x; FastViT's mixer(x) − BN(x))."""

    op: Literal["sub"]


class Mul(LayerSpec):
    """Element-wise product of two inputs with broadcasting (N×C×H×W · N×C×1×1 for SE)."""

    op: Literal["mul"]


class Div(LayerSpec):
    """Element-wise quotient a / b with broadcasting: the normaliser of linear attention
    (EfficientViT's out[..., :-1] / out[..., -1:])."""

    op: Literal["div"]


class Concat(LayerSpec):
    """Concatenation along channels."""

    op: Literal["concat"]


def parts_or_sections(layer: Any) -> Any:
    """A split is given ``parts`` or ``sections`` (at least one), not both (neither would be
    ambiguous too, but a fused concat-shuffle-split may have one output)."""
    if layer.parts is not None and layer.sections is not None:
        raise ValueError("give either 'parts' or 'sections', not both")
    if layer.sections == []:
        raise ValueError("'sections' is empty; give at least one width")
    return layer


class Split(LayerSpec):
    """Channel split into ``parts`` equal parts or the given ``sections``; output k is
    referred to as ``name:k``."""

    op: Literal["split"]
    parts: Count | None = None
    sections: list[Expr] | None = None

    _one_way = model_validator(mode="after")(lambda self: parts_or_sections(self))


class Shuffle(LayerSpec):
    """ShuffleNet channel shuffle across ``groups``."""

    op: Literal["shuffle"]
    groups: Expr


class Flatten(LayerSpec):
    """N×C×H×W → N×(C·H·W); a view, free."""

    op: Literal["flatten"]


class Dropout(LayerSpec):
    """Free at inference."""

    op: Literal["dropout"]
    p: Probability | None = None


# Ops: formulas in costmodel.ops.fused

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


# Ops: formulas in costmodel.ops.layout

class Pad(LayerSpec):
    """Pad H and W: ``padding`` is p, [p_h, p_w] or [top, bottom, left, right]; ``mode``
    ``constant`` (with ``value``), ``reflect`` or ``replicate`` (as ``F.pad``)."""

    op: Literal["pad"]
    padding: list[Expr] | Expr
    mode: Literal["constant", "reflect", "replicate"] = "constant"
    value: Expr = 0


class Slice(LayerSpec):
    """Channels ``start`` … ``stop``−1 (``stop`` defaults to all), every ``step``-th, of the
    input, as a free view (``x[:, start:stop:step]``; on tokens N×L×C the last axis)."""

    op: Literal["slice"]
    start: Expr = 0
    stop: Expr | None = None
    step: Expr = 1


class Reshape(LayerSpec):
    """A free view of the input with the given ``shape`` (batch axis included; one entry
    may be −1: whatever the element count leaves), e.g. ``[-1, 49, 8, 32]``."""

    op: Literal["reshape"]
    shape: list[Expr]


class Permute(LayerSpec):
    """Reorder the axes (``dims``, a permutation of 0 … rank−1, as ``torch.permute``),
    materialized: a copy."""

    op: Literal["permute"]
    dims: list[int]


class Tokens(LayerSpec):
    """N×C×H×W → tokens N×(H·W)×C (``x.flatten(2).transpose(1, 2)``): a copy."""

    op: Literal["tokens"]


class Image(LayerSpec):
    """Tokens N×L×C → N×C×H×W with H = ``height`` and W = ``width`` (default L/H): a copy."""

    op: Literal["image"]
    height: Expr
    width: Expr | None = None


class UnfoldPatches(LayerSpec):
    """MobileViT's unfolding: N×C×H×W → (N·p_h·p_w)×(H/p_h·W/p_w)×C, one sequence per pixel
    position within a ``patch`` (timm's ``MobileVitBlock``): a copy."""

    op: Literal["unfold_patches"]
    patch: ExprPair


class FoldPatches(LayerSpec):
    """The inverse of ``unfold_patches``: (N·p_h·p_w)×L×C → N×C×``height``×``width``: a copy."""

    op: Literal["fold_patches"]
    patch: ExprPair
    height: Expr
    width: Expr


class SplitHeads(LayerSpec):
    """Tokens N×L×(h·d) → N×h×L×d for ``heads`` = h attention heads: a copy."""

    op: Literal["split_heads"]
    heads: Expr


class MergeHeads(LayerSpec):
    """N×h×L×d → tokens N×L×(h·d), the inverse of ``split_heads``: a copy."""

    op: Literal["merge_heads"]


# Ops: formulas in costmodel.ops.linear

class Linear(LayerSpec):
    """in → ``out`` features of N×F features or of every token of N×L×C (the last axis, as
    ``nn.Linear``); ``bias`` defaults to true (as in PyTorch)."""

    op: Literal["linear"]
    out: Expr
    bias: bool = True


# Ops: formulas in costmodel.ops.matmul

class MatMul(LayerSpec):
    """a[…, M, K] · b[…, K, N] (``transpose_b``: b is […, N, K], as K in Q·Kᵀ) → […, M, N];
    batch axes equal or 1 (broadcast: multi-query attention's single K, V head). ``scale``
    multiplies the product inside the GEMM (its α: no extra work), e.g. ``1/sqrt(d)``
    written as a number."""

    op: Literal["matmul"]
    transpose_b: bool = False
    scale: Expr | None = None


# Ops: formulas in costmodel.ops.norm

class LayerNorm(LayerSpec):
    """Normalize over the channels of each position, then scale by γ and shift by β (2C
    params): ``LayerNorm2d`` of ConvNeXt on N×C×H×W, ``nn.LayerNorm`` on tokens N×L×C."""

    op: Literal["layernorm"]


class GroupNorm(LayerSpec):
    """Normalize over each of ``groups`` channel groups (with H×W), then γ, β per channel;
    ``groups: 1`` normalizes over C×H×W (PoolFormer's and EfficientFormer's GroupNorm)."""

    op: Literal["groupnorm"]
    groups: Expr


class Softmax(LayerSpec):
    """exp(xᵢ − max)/Σⱼ exp(xⱼ − max) along ``axis`` (default −1, the last)."""

    op: Literal["softmax"]
    axis: int = -1


# Ops: formulas in costmodel.ops.pool

class Pool2d(LayerSpec):
    """k×k window pooling; ``stride`` defaults to the kernel; ``ceil_mode`` as in PyTorch;
    ``count_include_pad`` (avg_pool, default true as in PyTorch): whether padded cells count
    in a window's divisor (false in PoolFormer's and EfficientFormer's pooling mixer)."""

    op: Literal["max_pool", "avg_pool"]
    kernel: ExprPair
    stride: ExprPair | None = None
    padding: Padding = 0
    ceil_mode: bool = False
    count_include_pad: bool = True


class GlobalAvgPool(LayerSpec):
    """Average over H×W: N×C×H×W → N×C×1×1; over the tokens of N×L×C: → N×C
    (``x.mean(1)``, the head of EfficientFormer and DeiT-style models). ``reduce_mean``: the
    average of N×C×H×W written as ``x.mean((2, 3))`` (timm's squeeze-excitation), exported as
    ReduceMean: the same counts, but onnxruntime runs ReduceMean in the plain layout, not the
    blocked one its GlobalAveragePool uses (costmodel.latency.kernels)."""

    op: Literal["global_avg_pool"]
    reduce_mean: bool = False


# Ops: formulas in costmodel.ops.position

class AttentionBias(LayerSpec):
    """Add a learned bias, one per head and per relative offset on a ``resolution``
    R_h×R_w (or R) grid, to attention scores N×heads×L_q×L with L = R_h·R_w keys and
    L_q = ⌈R_h/s⌉·⌈R_w/s⌉ queries taken every ``stride`` s positions (LeViT's subsampling
    attention; s = 1: L_q = L)."""

    op: Literal["attention_bias"]
    resolution: ExprPair
    stride: Expr = 1


class PositionEmbedding(LayerSpec):
    """Add a learned tensor of the input's per-sample shape: ViT's and DeiT's position
    embedding (1×L×C on N×L×C tokens; torchvision ``Encoder.pos_embedding``, timm
    ``pos_embed``)."""

    op: Literal["position_embedding"]


class ClassToken(LayerSpec):
    """Prepend ``tokens`` learned tokens to N×L×C tokens, N×(L + k)×C: ViT's class token
    (k = 1), DeiT's class and distillation tokens (k = 2)."""

    op: Literal["class_token"]
    tokens: Count = 1


# Ops: formulas in costmodel.ops.resample

class Resize(LayerSpec):
    """Resize H×W by an integer ``scale`` (or [s_h, s_w]) or to a ``size`` [H′, W′]
    (``F.interpolate``); ``mode`` ``nearest`` or ``bilinear`` (``align_corners`` as in
    PyTorch, default false)."""

    op: Literal["resize"]
    mode: Literal["nearest", "bilinear"]
    scale: ExprPair | None = None
    size: ExprPair | None = None
    align_corners: bool = False


class AdaptiveAvgPool(LayerSpec):
    """Average pooling to a ``size`` k or [k_h, k_w] output, whatever the input size
    (``nn.AdaptiveAvgPool2d``)."""

    op: Literal["adaptive_avg_pool"]
    size: ExprPair


class ConvTranspose2d(LayerSpec):
    """Transposed convolution (``nn.ConvTranspose2d``): C_in → ``out`` channels, H′ =
    (H − 1)·s − 2p + d·(k − 1) + ``output_padding`` + 1; ``bias`` defaults to false."""

    op: Literal["conv_transpose2d"]
    out: Expr | None = None
    kernel: ExprPair
    stride: ExprPair = 1
    padding: ExprPair = 0
    output_padding: ExprPair = 0
    dilation: ExprPair = 1
    groups: Expr = 1
    bias: bool = False


# Block: expansion in costmodel.blocks.attention

class Attention(BlockSpec):
    """Children ``qkv``, ``q``, ``k``, ``v`` (views), ``q_heads``, ``k_heads``, ``v_heads``,
    ``scores``, ``softmax``, ``mix``, ``merge`` and ``proj``.

    ``heads`` h; ``dim_qk`` per-head query/key width (default C/h), ``dim_v`` per-head value
    width (default ``dim_qk``), ``out`` (default C); ``qkv_bias`` and ``proj_bias`` (both
    default true, as timm's ViT blocks with ``qkv_bias=True``); ``position_bias``: the
    R_h×R_w grid of the tokens when the scores get a learned bias per relative position
    (child ``bias``, op ``attention_bias``).
    """

    op: Literal["attention"]
    heads: Expr
    dim_qk: Expr | None = None
    dim_v: Expr | None = None
    out: Expr | None = None
    qkv_bias: bool = True
    proj_bias: bool = True
    position_bias: ExprPair | None = None


# Block: expansion in costmodel.blocks.conv_bn_act

class ConvBnAct(BlockSpec):
    """Children ``conv``, ``bn`` (unless ``bn: false``) and ``act`` (unless ``act: none``).

    ``padding`` defaults to d·(k − 1)/2 per axis (torchvision's Conv2dNormActivation).
    """

    op: Literal["conv_bn_act"]
    out: Expr | None = None
    kernel: ExprPair = 1
    stride: ExprPair = 1
    padding: Padding | None = None
    dilation: ExprPair = 1
    groups: Expr = 1
    depthwise: bool = False
    bias: bool = False
    bn: bool = True
    act: ActivationOrNone = "relu"


# Block: expansion in costmodel.blocks.fire

class Fire(BlockSpec):
    """Children ``squeeze``, ``expand1x1``, ``expand3x3`` and ``concat``."""

    op: Literal["fire"]
    squeeze: Expr
    expand1x1: Expr
    expand3x3: Expr
    bias: bool = True


# Block: expansion in costmodel.blocks.squeeze_excitation

class SqueezeExcitation(BlockSpec):
    """Children ``pool``, ``fc1``, ``act``, ``fc2``, ``gate`` and ``scale`` (the multiply)."""

    op: Literal["squeeze_excitation"]
    squeeze: Expr
    act: ActivationName = "relu"
    gate: ActivationName = "sigmoid"
    bias: bool = True


# Block: expansion in costmodel.blocks.ghost

class GhostModule(BlockSpec):
    """Children ``primary``, ``cheap``, ``concat`` and, when trimming, ``trim``."""

    op: Literal["ghost_module"]
    out: Expr
    kernel: Expr = 1
    ratio: Multiple = 2
    dw_kernel: Expr = 3
    stride: Expr = 1
    relu: bool = True
    attention: bool = False


class GhostBottleneck(BlockSpec):
    """Children ``ghost1``, ``dw``, ``se``, ``ghost2``, ``shortcut_dw``, ``shortcut_pw``, ``add``."""

    op: Literal["ghost_bottleneck"]
    mid: Expr
    out: Expr
    kernel: Expr = 3
    stride: Expr = 1
    se_ratio: Positive | None = None
    attention: bool = False


# Block: expansion in costmodel.blocks.inverted_residual

class InvertedResidual(BlockSpec):
    """Children ``expand``, ``dw``, ``project`` and, with a residual, ``add``."""

    op: Literal["inverted_residual"]
    out: Expr
    expansion: Expr = 6
    stride: Expr = 1
    kernel: Expr = 3
    act: ActivationName = "relu6"


# Block: expansion in costmodel.blocks.mbconv

class MBConv(BlockSpec):
    """Children ``expand``, ``dw``, ``se``, ``project`` and ``add`` (each when present)."""

    op: Literal["mbconv"]
    out: Expr
    expansion: Expr = 6
    hidden: Expr | None = None
    kernel: Expr = 3
    stride: Expr = 1
    act: ActivationName = "relu6"
    se_ratio: Positive | None = None
    se_of: Literal["expanded", "input"] | None = None
    se_divisor: Expr | None = None
    se_act: ActivationName = "relu"
    se_gate: ActivationName | None = None
    residual: bool = True
    expand: bool = False

    @model_validator(mode="after")
    def _se_explicit(self) -> MBConv:
        missing = [f for f in ("se_of", "se_gate") if self.se_ratio is not None and getattr(self, f) is None]
        if missing:
            raise ValueError(
                f"se_ratio needs {' and '.join(missing)} (papers differ): se_of: input "
                "(EfficientNet, MnasNet: squeeze = ratio·C_in) or expanded (MobileNetV3: "
                "ratio·hidden); se_gate: sigmoid (SENet, EfficientNet) or hardsigmoid (MobileNetV3)")
        return self


# Block: expansion in costmodel.blocks.mixed_conv

class MixedConv(BlockSpec):
    """Children ``split``, ``conv.0`` … ``conv.{n−1}`` (kernel i on channel part i) and
    ``concat``; a single kernel is one ``conv.0``."""

    op: Literal["mixed_conv"]
    kernels: list[Expr]
    out: Expr | None = None
    stride: Expr = 1
    depthwise: bool = True
    bias: bool = False


# Block: expansion in costmodel.blocks.mobileone

class MobileOneBlock(BlockSpec):
    """Train form: children ``conv.0 … conv.{branches−1}``, ``scale``, ``skip``, ``add``;
    inference form: ``reparam_conv``; both then ``se`` (when ``se`` is 1) and the activation
    (a child named after it; none with ``act: none``)."""

    op: Literal["mobileone_block"]
    out: Expr | None = None
    kernel: Expr = 3
    stride: Expr = 1
    depthwise: bool = False
    groups: Expr = 1
    branches: Count = 1
    reparam: Flag = 0
    se: Flag = 0
    act: ActivationOrNone = "relu"

    counts: ClassVar[tuple[str, ...]] = ("branches",)


class MobileOneStage(BlockSpec):
    """Children ``0.dw``, ``0.pw``, …, ``{blocks−1}.pw`` (the official ``_make_stage``)."""

    op: Literal["mobileone_stage"]
    out: Expr
    blocks: Count
    se_blocks: Tally = 0
    branches: Count = 1
    reparam: Flag = 0

    counts: ClassVar[tuple[str, ...]] = ("blocks", "branches")


# Block: expansion in costmodel.blocks.multi_query

class MultiQueryAttention(BlockSpec):
    """Children ``query.proj``, ``q``, ``q_t``, ``key.down_conv``, ``key.norm``,
    ``key.proj``, ``k``, ``k_h``, the same for ``value``, ``scores``, ``softmax``, ``mix``,
    ``merge``, ``o``, ``output.proj`` (the downsampling pair only when ``kv_stride`` > 1).

    ``heads`` query heads; ``key_dim`` d_k; ``value_dim`` d_v (default d_k); ``kv_stride``
    and ``kernel`` of the keys' and values' depthwise downsampling (3); ``out`` (default C).
    """

    op: Literal["multi_query_attention"]
    heads: Expr
    key_dim: Expr
    value_dim: Expr | None = None
    kv_stride: Expr = 1
    kernel: Expr = 3
    out: Expr | None = None


# Block: expansion in costmodel.blocks.residual

class BasicBlock(BlockSpec):
    """Children ``conv1``, ``conv2``, ``downsample`` (projection), ``add``, ``relu``."""

    op: Literal["basic_block"]
    out: Expr
    stride: Expr = 1


class Bottleneck(BlockSpec):
    """Children ``conv1``, ``conv2``, ``conv3``, ``downsample`` (projection), ``add``,
    ``relu``; ``width`` defaults to C_out / 4 (the expansion of 4)."""

    op: Literal["bottleneck"]
    out: Expr
    width: Expr | None = None
    stride: Expr = 1
    stride_on: Expr = 3


# Block: expansion in costmodel.blocks.sandglass

class Sandglass(BlockSpec):
    """Children ``dw1``, ``reduce``, ``expand``, ``dw2``, ``se``, ``add`` (each when present;
    with ``identity`` < 1 also ``id_in``, ``id_out``, ``rest`` and ``out``)."""

    op: Literal["sandglass"]
    out: Expr
    reduction: Positive = 6
    stride: Expr = 1
    kernel: Expr = 3
    act: ActivationName = "relu6"
    keep_3x3: bool = False
    first_dw: bool = False
    min_hidden: bool = True
    se_ratio: Positive | None = None
    identity: Share = 1


# Block: expansion in costmodel.blocks.shuffle_units

class ShuffleV1Unit(BlockSpec):
    """Children ``pw``, ``dw``, ``shuffle`` (groups > 1), ``pw_linear``; then ``add`` and
    ``relu`` (stride 1) or ``shortcut`` (avg-pool), ``relu`` and ``concat`` (stride 2).

    ``mid`` defaults to C_out // 4 (the paper's bottleneck of a quarter of the output);
    ``pw_groups`` defaults to ``groups`` (1 for the first unit of stage 2: its input has
    only 24 channels, paper §3.3).
    """

    op: Literal["shufflenet_v1_unit"]
    out: Expr
    groups: Expr
    stride: Expr = 1
    mid: Expr | None = None
    pw_groups: Expr | None = None


class ShuffleV2Unit(BlockSpec):
    """Children ``split`` (stride 1) or ``proj_dw``/``proj_pw`` (stride 2), then ``pw``,
    ``dw``, ``pw_linear``, ``concat`` and ``shuffle``.

    ``proj_keeps_input`` (0 or 1) chooses the stride-2 channel split: 0 (torchvision) gives
    both branches C_out/2 channels; 1 (megvii's official ``ShuffleNetV2/blocks.py``) keeps
    C_in channels on the projection branch and gives the main branch C_out − C_in. The
    main branch's bottleneck is C_out/2 either way, so the two differ only when
    C_in ≠ C_out/2 (the first unit of stage 2 at 1.0×, 1.5×, 2.0×).
    """

    op: Literal["shufflenet_v2_unit"]
    out: Expr
    stride: Expr = 1
    kernel: Expr = 3
    proj_keeps_input: Expr = 0


# Block: expansion in costmodel.blocks.transformer

class TransformerBlock(BlockSpec):
    """Children ``norm1``, ``attn`` (an ``attention`` block), ``ls1``, ``add1``, ``norm2``,
    ``mlp.fc1``, ``mlp.act``, ``mlp.fc2``, ``ls2``, ``add2`` (``ls1``/``ls2`` with
    ``layer_scale: true``, EfficientFormer). ``heads``, ``dim_qk``, ``dim_v``,
    ``qkv_bias`` and ``position_bias`` as in ``attention``; ``mlp_ratio`` (4) and ``act``
    (gelu) of the MLP.
    """

    op: Literal["transformer_block"]
    heads: Expr
    dim_qk: Expr | None = None
    dim_v: Expr | None = None
    qkv_bias: bool = True
    position_bias: ExprPair | None = None
    mlp_ratio: Expr = 4
    act: ActivationName = "gelu"
    layer_scale: bool = False


# Block: expansion in costmodel.blocks.uib

class UniversalInvertedBottleneck(BlockSpec):
    """Children ``dw_start``, ``pw_exp``, ``dw_mid``, ``pw_proj``, ``layer_scale`` and
    ``add`` (each when present); ``start_kernel`` a (0: none), ``mid_kernel`` k (3; 0:
    none), ``expansion``, ``stride``, ``act`` (relu), ``layer_scale`` (false; MobileNetV4's
    hybrid models use it)."""

    op: Literal["uib"]
    out: Expr
    expansion: Expr
    start_kernel: Expr = 0
    mid_kernel: Expr = 3
    stride: Expr = 1
    act: ActivationName = "relu"
    layer_scale: bool = False


BuiltinLayer = (
    Conv2d
    | BatchNorm
    | LayerScale
    | Scale
    | Activation
    | Add
    | Sub
    | Mul
    | Div
    | Concat
    | Split
    | Shuffle
    | Flatten
    | Dropout
    | ConcatShuffleSplit
    | Pad
    | Slice
    | Reshape
    | Permute
    | Tokens
    | Image
    | UnfoldPatches
    | FoldPatches
    | SplitHeads
    | MergeHeads
    | Linear
    | MatMul
    | LayerNorm
    | GroupNorm
    | Softmax
    | Pool2d
    | GlobalAvgPool
    | AttentionBias
    | PositionEmbedding
    | ClassToken
    | Resize
    | AdaptiveAvgPool
    | ConvTranspose2d
    | Attention
    | ConvBnAct
    | Fire
    | SqueezeExcitation
    | GhostModule
    | GhostBottleneck
    | InvertedResidual
    | MBConv
    | MixedConv
    | MobileOneBlock
    | MobileOneStage
    | MultiQueryAttention
    | BasicBlock
    | Bottleneck
    | Sandglass
    | ShuffleV1Unit
    | ShuffleV2Unit
    | TransformerBlock
    | UniversalInvertedBottleneck
)
"""Every built-in op and block class, written out."""

LAYER_CLASSES: Mapping[str, type[LayerSpec]] = {
    name: cls for cls in get_args(BuiltinLayer) for name in op_names(cls)}
"""Every built-in op and block name → its class."""
describe([LayerSpec, *get_args(BuiltinLayer)])


class BlockCall(LayerSpec):
    """A use of a block defined in the spec's ``blocks:``; other fields are its arguments."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @property
    def args(self) -> dict[str, Any]:
        """The arguments given to the block."""
        return dict(self.model_extra or {})


def _layer_tag(value: Any) -> str | None:
    op = value.get("op") if isinstance(value, dict) else getattr(value, "op", None)
    if not isinstance(op, str):
        return None
    return op if op in LAYER_CLASSES else "call"


@functools.cache
def _layer_validator(tag: str) -> SchemaValidator:
    """The validator of the layers tagged ``tag``: their class's, built on first use, in a
    tagged union of one so that an error's location names the tag as the union of every
    class did (``layers.3.conv2d.kernel``)."""
    cls = BlockCall if tag == "call" else LAYER_CLASSES[tag]
    cls.model_rebuild()
    return SchemaValidator(core_schema.tagged_union_schema({tag: cls.__pydantic_core_schema__},
                                                           discriminator=_layer_tag))


def _validate_layer(value: Any) -> LayerSpec:
    tag = _layer_tag(value)
    if tag is None:
        raise PydanticCustomError("missing_op", "missing field 'op'")
    layer: LayerSpec = _layer_validator(tag).validate_python(value)
    return layer


class _LayerField:
    """The pydantic type of a layer: validated by the class its ``op`` selects (the layer
    classes are built on first use, ``defer_build``: building all ~60 took ~0.3 s of every
    command, which uses a few); its JSON Schema is the union of every class."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(_validate_layer)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(TypeAdapter(_every_layer()).core_schema)


def _every_layer() -> Any:
    """The union of every layer class, each tagged by its op (``call``: a user block)."""
    tagged = tuple(Annotated[layer, Tag(name)] for name, layer in LAYER_CLASSES.items())
    return Annotated[Union[tagged + (Annotated[BlockCall, Tag("call")],)],  # noqa: UP007
                     Discriminator(_layer_tag)]


if TYPE_CHECKING:
    Layer = BuiltinLayer | BlockCall
else:
    Layer = _LayerField
"""A layer of a spec: a built-in op or block (tagged by its op name), or a call of a block
the spec defines (tag ``call``)."""
