"""MixConv, MixNet's mixed depthwise convolution (Tan & Le, "MixConv: Mixed Depthwise
Convolutional Kernels", BMVC 2019; timm ``MixedConv2d``).

The input's C channels are split into n = len(``kernels``) parts as timm's
``_split_channels`` does — ⌊C/n⌋ each, the remainder added to the first — and part i is
convolved with its own k_i×k_i kernel (padding ⌊k_i/2⌋, the block's ``stride``): depthwise
(C_i → C_i in C_i groups) by default, else a dense C_i → O_i conv with ``out`` split alike
(MixNet's grouped 1×1 convs). The parts are concatenated. With H′×W′ the output size:

    params = Σ k_i²·C_i·O_i/g_i        maccs = params·H′·W′    (g_i = C_i depthwise, else 1)

plus O bias terms with ``bias``. The split and the concat are copies (timm's torch.split
is a view, its torch.cat a copy; costmodel counts both as copies, docs/glossary.md).
"""

from __future__ import annotations

from costmodel.arith import Value
from costmodel.assumptions import holds
from costmodel.blocks.base import register_block
from costmodel.errors import SpecError
from costmodel.ops.base import Shape, require_int
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Concat, Conv2d, MixedConv, Split

__all__ = ["mixed_conv", "split_channels"]


def split_channels(total: Value, parts: int) -> list[Value]:
    """timm ``_split_channels``: ``parts`` widths ⌊total/parts⌋, the first also taking the
    remainder (10 into 3 → 4, 3, 3)."""
    widths = [total // parts] * parts
    widths[0] = total - (parts - 1) * (total // parts)
    return widths


@register_block(MixedConv)
def mixed_conv(layer: MixedConv, inputs: list[Shape]) -> list[LayerSpec]:
    c_in = inputs[0][1]
    kernels = [require_int(k, "mixed_conv kernel") for k in layer.kernels]
    if not kernels:
        raise SpecError("mixed_conv needs at least one kernel size in 'kernels'")
    if layer.depthwise and layer.out is not None and not holds(
            layer.out, "==", c_in, "depthwise mixed_conv keeps C_in channels"):
        raise SpecError(f"a depthwise mixed_conv keeps its {c_in} input channels; "
                        f"drop 'out' or set 'depthwise: false'")
    out = c_in if layer.out is None else layer.out
    if len(kernels) == 1:
        return [Conv2d(op="conv2d", name="conv.0", out=out, kernel=kernels[0],
                       stride=layer.stride, padding=kernels[0] // 2,
                       depthwise=layer.depthwise, bias=layer.bias)]
    sizes_in = split_channels(c_in, len(kernels))
    sizes_out = sizes_in if layer.depthwise else split_channels(out, len(kernels))
    children: list[LayerSpec] = [Split(op="split", name="split", sections=sizes_in)]
    for i, (kernel, width) in enumerate(zip(kernels, sizes_out)):
        children.append(Conv2d(
            op="conv2d", name=f"conv.{i}", inputs=[f"split:{i}"], out=width, kernel=kernel,
            stride=layer.stride, padding=kernel // 2, depthwise=layer.depthwise, bias=layer.bias))
    children.append(Concat(op="concat", name="concat",
                           inputs=[f"conv.{i}" for i in range(len(kernels))]))
    return children
