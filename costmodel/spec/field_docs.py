"""What every field of every layer means: the pydantic field descriptions, written here once
per class and set on the classes' fields when the layer union is assembled
(:func:`describe`). `costmodel ops` renders them; tests/core/test_ops_listing.py requires one
for every field and refuses an entry naming no field.

Keyed by class name, not by module, so a class may move between modules (the layer
vocabulary is being gathered into one module) without losing its words.
"""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["FIELD_DOCS", "describe"]

FIELD_DOCS: dict[str, dict[str, str]] = {
    'ClassToken': {
        'tokens': 'learned tokens k prepended (1: the class token; 2: DeiT class + distillation)',
    },
    'AttentionBias': {
        'resolution': "the token grid's side(s) R_h×R_w the learned bias table is indexed by (relative offsets)",
        'stride': 'queries are the grid positions taken every stride rows and columns (keys: all)',
    },
    'UniversalInvertedBottleneck': {
        'out': 'output channels',
        'expansion': 'expansion ratio of the 1×1 expand conv',
        'start_kernel': 'depthwise kernel before the expansion (0: none)',
        'mid_kernel': 'depthwise kernel after the expansion (0: none)',
        'stride': 'stride (taken by the middle depthwise, else the start one)',
        'act': 'activation after expand and middle depthwise',
        'layer_scale': 'per-channel layer scale on the residual branch (false: none)',
    },
    'Scale': {
        'factor': 'the constant every element is multiplied by',
        'offset': 'the constant added to every element after the factor',
    },
    'TransformerBlock': {
        'heads': 'number of attention heads',
        'dim_qk': 'query/key width per head',
        'dim_v': 'value width per head',
        'qkv_bias': 'q/k/v projections carry a bias',
        'position_bias': 'a learned attention bias over relative positions',
        'mlp_ratio': 'MLP hidden width as a multiple of the token width',
        'act': 'the MLP activation',
        'layer_scale': 'per-channel layer scale on both residual branches (false: none)',
    },
    'MultiQueryAttention': {
        'heads': 'number of query heads (one shared key/value head)',
        'key_dim': 'query/key width per head',
        'value_dim': 'value width',
        'kv_stride': 'downsampling stride of keys and values (depthwise conv when > 1)',
        'kernel': 'kernel of the key/value downsampling depthwise conv',
        'out': 'output channels',
    },
    'LayerSpec': {
        'name': "the layer's name (default: its op and position)",
        'op': 'the op, a built-in block or a block of the spec',
        'inputs': 'input layer name(s) (default: the layer before)',
        'repeat': 'n copies named name.0 … name.n−1',
        'first': 'field overrides for copy 0 of a repeat',
        'when': 'a condition; when false the layer is left out',
        'choices': 'search-space choices (costmodel space): field → values, chosen per copy; repeat → depths per stage; skip: [false, true] leaves a copy out',
    },
    'Activation': {
        'slope': "negative slope of leaky_relu (default 0.01, PyTorch's); other activations take none",
    },
    'AdaptiveAvgPool': {
        'size': 'output size k or [k_h, k_w]',
    },
    'Attention': {
        'position_bias': 'a learned attention bias over relative positions (EfficientFormer)',
        'heads': 'attention heads h',
        'dim_qk': 'query/key width per head (default C/heads)',
        'dim_v': 'value width per head (default dim_qk)',
        'out': 'output width of the projection (default C)',
        'qkv_bias': 'bias on the q/k/v projection',
        'proj_bias': 'bias on the output projection',
    },
    'BasicBlock': {
        'out': 'output channels',
        'stride': 'stride of the first 3×3 conv and the projection',
    },
    'Bottleneck': {
        'out': 'output channels',
        'width': 'bottleneck width (default out/4)',
        'stride': 'stride',
        'stride_on': "the stride on the first 1×1 (1: the paper's v1) or on the 3×3 (3: torchvision's v1.5)",
    },
    'ConcatShuffleSplit': {
        'groups': 'shuffle groups',
        'parts': 'equal parts of the output (or sections; neither: one output)',
        'sections': 'widths of the output parts',
    },
    'Conv2d': {
        'out': 'output channels C_out (default: C_in)',
        'kernel': 'kernel size k, or [k_h, k_w]',
        'stride': 'stride s, or [s_h, s_w]',
        'padding': 'zero padding p, [p_h, p_w] or [top, bottom, left, right]',
        'dilation': 'dilation d, or [d_h, d_w]',
        'groups': 'groups g: C_in/g input channels per output channel',
        'depthwise': 'groups = C_in = C_out (one k×k filter per channel)',
        'bias': 'a learned bias per output channel (C_out params, H′·W′·C_out adds)',
    },
    'ConvBnAct': {
        'out': 'output channels (default: C_in)',
        'kernel': 'kernel size k, or [k_h, k_w]',
        'stride': 'stride s, or [s_h, s_w]',
        'padding': "padding (default d·(k−1)/2 per axis, torchvision's Conv2dNormActivation)",
        'dilation': 'dilation d, or [d_h, d_w]',
        'groups': 'groups g of the conv',
        'depthwise': 'a depthwise conv (groups = C_in = C_out)',
        'bias': 'a bias on the conv (usually redundant before BN)',
        'bn': 'a batchnorm after the conv',
        'act': 'activation after the batchnorm, or none',
    },
    'ConvTranspose2d': {
        'out': 'output channels (default: C_in)',
        'kernel': 'kernel size k, or [k_h, k_w]',
        'stride': 'stride s, or [s_h, s_w]',
        'padding': 'padding p removed from each side of the output',
        'output_padding': 'extra rows/columns added at the end of the output',
        'dilation': 'dilation d, or [d_h, d_w]',
        'groups': 'groups g',
        'bias': 'a learned bias per output channel',
    },
    'Dropout': {
        'p': 'drop probability (free at inference)',
    },
    'Fire': {
        'squeeze': 'channels of the 1×1 squeeze conv',
        'expand1x1': 'channels of the 1×1 expand conv',
        'expand3x3': 'channels of the 3×3 expand conv',
        'bias': 'biased convs (SqueezeNet has them)',
    },
    'FoldPatches': {
        'patch': 'patch size p or [p_h, p_w]',
        'height': 'H of the image folded back',
        'width': 'W of the image folded back',
    },
    'GhostBottleneck': {
        'mid': 'hidden width',
        'out': 'output channels',
        'kernel': 'kernel of the depthwise conv (at stride 2) and of the shortcut',
        'stride': 'stride',
        'se_ratio': "GhostNet's SE: squeeze make_divisible(mid·r, 4), relu, hardsigmoid",
        'attention': 'DFC attention on the first ghost module (GhostNetV2)',
    },
    'GhostModule': {
        'out': 'output channels',
        'kernel': 'kernel of the primary conv',
        'ratio': 'ratio s: ⌈out/s⌉ primary channels, the rest from the cheap op',
        'dw_kernel': 'kernel of the cheap depthwise op',
        'stride': 'stride of the primary conv',
        'relu': 'ReLU after the primary and cheap convs',
        'attention': "GhostNetV2's DFC attention on the module",
    },
    'GroupNorm': {
        'groups': 'channel groups normalized together (1: over C×H×W)',
    },
    'Image': {
        'height': 'H of the image',
        'width': 'W of the image (default L/H)',
    },
    'InvertedResidual': {
        'out': 'output channels',
        'expansion': 'expansion t: the hidden width is t·C_in (no expand conv at t = 1)',
        'stride': 'stride of the depthwise conv',
        'kernel': 'kernel of the depthwise conv',
        'act': "activation after the block's convs (one of the activation ops)",
    },
    'Linear': {
        'out': 'output features',
        'bias': "a learned bias per output feature (PyTorch's default)",
    },
    'MBConv': {
        'out': 'output channels',
        'expansion': 'expansion t: hidden = make_divisible(C_in·t, 8)',
        'hidden': "the hidden width itself (MobileNetV3's exp size), instead of expansion",
        'kernel': 'kernel of the depthwise conv',
        'stride': 'stride of the depthwise conv',
        'act': "activation after the block's convs (one of the activation ops)",
        'se_ratio': 'squeeze-excitation with this ratio (then se_of and se_gate are required)',
        'se_of': 'SE squeeze base: input (EfficientNet, MnasNet: ratio·C_in) or expanded (MobileNetV3: ratio·hidden); no default',
        'se_divisor': 'round the squeeze with make_divisible(·, d) (MobileNetV3: 8), else max(1, ⌊c·r⌋)',
        'se_act': "activation inside the SE (relu: the SE paper's; EfficientNet: silu)",
        'se_gate': 'SE gate: sigmoid (SENet, EfficientNet, MnasNet) or hardsigmoid (MobileNetV3); no default',
        'residual': 'an identity add when stride 1 and C_in = out',
        'expand': "keep the 1×1 expansion even when hidden = C_in (timm, FBNet's t = 1 blocks)",
    },
    'MatMul': {
        'transpose_b': 'b is […, N, K] (as K in Q·Kᵀ)',
        'scale': 'a factor applied inside the GEMM (its α: no extra work)',
    },
    'MixedConv': {
        'kernels': 'a kernel size per channel part (n parts)',
        'out': 'output channels (default C_in; only with depthwise: false)',
        'stride': 'stride of every part',
        'depthwise': "depthwise parts (the paper's mixed depthwise conv); false: dense C_i → O_i",
        'bias': 'biased convs',
    },
    'MobileOneBlock': {
        'out': 'output channels (default: C_in)',
        'kernel': 'kernel of the k×k branches',
        'stride': 'stride',
        'depthwise': 'depthwise branches',
        'groups': "groups of the branches' convs",
        'branches': 'over-parameterized k×k branches k',
        'reparam': '1: the re-parameterized inference form (one biased conv)',
        'se': '1: squeeze-excitation after the branches',
        'act': 'activation at the end, or none',
    },
    'MobileOneStage': {
        'out': 'output channels',
        'blocks': 'depthwise/pointwise block pairs',
        'se_blocks': 'the last pairs that carry SE',
        'branches': 'over-parameterized branches per block',
        'reparam': '1: inference form',
    },
    'Pad': {
        'padding': 'p, [p_h, p_w] or [top, bottom, left, right]',
        'mode': 'constant, reflect or replicate (as F.pad)',
        'value': 'fill value of constant padding',
    },
    'Permute': {
        'dims': 'a permutation of the axes 0 … rank−1',
    },
    'Pool2d': {
        'count_include_pad': 'avg_pool: padded zeros count in the divisor (PyTorch default true)',
        'kernel': 'kernel size k, or [k_h, k_w]',
        'stride': 'stride (default: the kernel)',
        'padding': 'padding p or [p_h, p_w], at most ⌊k/2⌋',
        'ceil_mode': "round the output size up, as PyTorch's ceil_mode",
    },
    'Reshape': {
        'shape': 'the new shape, batch axis included; one entry may be −1',
    },
    'GlobalAvgPool': {
        'reduce_mean': 'written as x.mean((2, 3)), exported as ReduceMean (onnxruntime runs it plain)',
    },
    'Resize': {
        'mode': 'nearest or bilinear',
        'scale': 'an integer factor s or [s_h, s_w] (scale or size)',
        'size': 'the output [H′, W′] (scale or size)',
        'align_corners': 'bilinear corner alignment, as F.interpolate',
    },
    'Sandglass': {
        'out': 'output channels',
        'reduction': 'reduction t: hidden = ⌊C_in/t⌋',
        'stride': 'stride, carried by the last depthwise conv',
        'kernel': 'kernel of the depthwise convs',
        'act': "activation after the block's convs (one of the activation ops)",
        'keep_3x3': 'keep both depthwise convs without the add (a stage of one stride-1 block)',
        'first_dw': "keep the first depthwise conv in a block that changes width (the code's t = 2 stage)",
        'min_hidden': 'raise hidden to make_divisible(⌈out/6⌉, 16) when below out/6 (mnext.py)',
        'se_ratio': "MobileNeXt's SE after the block: squeeze max(1, ⌊out/t·r⌋), act, sigmoid",
        'identity': 'identity tensor multiplier m: the shortcut adds only the first ⌊C·m⌋ channels (MobileNeXt §3.3)',
    },
    'Shuffle': {
        'groups': 'groups whose channels are interleaved',
    },
    'ShuffleV1Unit': {
        'out': 'output channels (stride 2: the concat of C_in and a C_out − C_in branch)',
        'groups': 'groups g of the pointwise group convs',
        'stride': 'stride (2: average-pool shortcut and concat)',
        'mid': 'bottleneck width (default out/4)',
        'pw_groups': 'groups of the first pointwise conv (default groups; 1 where its input is narrow)',
    },
    'ShuffleV2Unit': {
        'out': 'output channels',
        'stride': 'stride (2: both branches, no split)',
        'kernel': 'kernel of the depthwise convs',
        'proj_keeps_input': "1: the projection branch keeps C_in channels (megvii's official unit)",
    },
    'Slice': {
        'start': 'first channel kept',
        'stop': 'one past the last channel kept (default: all)',
        'step': 'keep every step-th channel from start (x[:, start:stop:step])',
    },
    'Softmax': {
        'axis': 'the axis normalized (default the last)',
    },
    'Split': {
        'parts': 'split the channels into this many equal parts',
        'sections': 'split the channels into parts of these widths',
    },
    'SplitHeads': {
        'heads': 'attention heads h (the channel axis is split into h × d)',
    },
    'SqueezeExcitation': {
        'squeeze': 'squeeze width (absolute; blocks with se_ratio compute it)',
        'act': "activation between the two 1×1 convs (relu: the SE paper's)",
        'gate': "gate activation (sigmoid: Hu et al.'s definition; hardsigmoid: MobileNetV3)",
        'bias': 'biases on the two 1×1 convs (every reference code has them)',
    },
    'UnfoldPatches': {
        'patch': 'patch size p or [p_h, p_w]',
    },
}


def describe(classes: list[type[BaseModel]]) -> None:
    """Set each listed field's ``description`` from :data:`FIELD_DOCS` (idempotent)."""
    for cls in classes:
        for field, text in FIELD_DOCS.get(cls.__name__, {}).items():
            if field in cls.model_fields:
                cls.model_fields[field].description = text
