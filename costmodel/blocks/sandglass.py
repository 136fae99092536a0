"""MobileNeXt's sandglass block (Zhou et al., ECCV 2020), with the rules of the official
code (zhoudaquan/rethinking_bottleneck_design, ``mnext.py`` ``SGBlock`` and
``efficient_mnext/model.py`` ``MBConvBlockV1``).

Full form: depthwise k×k (C_in), BN, act → 1×1 reduce C_in → hidden, BN (linear) → 1×1
expand hidden → ``out``, BN, act → depthwise k×k stride s (``out``), BN → [SE on ``out``]
→ [identity add]. hidden = ⌊C_in / ``reduction``⌋, raised to make_divisible(⌈out/6⌉, 16)
when below out/6 and ``min_hidden`` (``mnext.py``; the SE model's code compares hidden
with hidden/6, so the rule never fires there: ``min_hidden: false``).

Which depthwise convs are kept (the official rules):

* C_in = out (residual blocks) or ``keep_3x3``: both, stride 1; identity add unless
  ``keep_3x3`` (``keep_3x3`` = the stage is one stride-1 block).
* otherwise the first is dropped (``first_dw: true`` keeps it — the code's t = 2 branch,
  the first stage) and the last is kept only when s = 2, carrying the stride.

SE (``se_ratio``): squeeze = max(1, ⌊out / reduction · se_ratio⌋), convs with bias,
``act`` then sigmoid (``MBConvBlockV1``).

Identity tensor multiplier (``identity`` m < 1, the paper's §3.3 and the official
``SGBlock.identity_div`` = 1/m): the shortcut adds only the first k = ⌊C·m⌋ channels —
``id_in`` and ``id_out`` (free views of the input and the block's last output), ``add``
(k·H·W additions instead of C·H·W), and ``out`` = concat(add, ``rest``). PyTorch adds in
place (``out[:, :k] += x[:, :k]``); the concat here is counted as a copy, so mem_access is
an upper bound; params and MACCs are those of m = 1.
"""

from __future__ import annotations

from fractions import Fraction

from costmodel.arith import Value, below, ceil, floor, make_divisible
from costmodel.assumptions import holds, require
from costmodel.blocks.base import child_name, register_block
from costmodel.blocks.squeeze_excitation import squeeze_channels
from costmodel.errors import SpecError
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec
from costmodel.spec.layers import Add, Concat, ConvBnAct, Sandglass, Slice, SqueezeExcitation

__all__ = ["sandglass"]


def _raised(hidden: Value, floor_width: Value) -> Value:
    """``mnext.py``: if hidden < out/6, hidden = make_divisible(⌈out/6⌉, 16)."""
    raised = make_divisible(ceil(floor_width), 16)
    return hidden + (raised - hidden) * below(hidden, floor_width)


@register_block(Sandglass)
def sandglass(layer: Sandglass, inputs: list[Shape]) -> list[LayerSpec]:
    c_in, out, stride = inputs[0][1], layer.out, layer.stride
    hidden = c_in // layer.reduction
    if layer.min_hidden:
        hidden = _raised(hidden, out * Fraction(1, 6))
    residual = holds(c_in, "==", out, "residual, both depthwise convs when C_in = out")
    full = residual or layer.keep_3x3
    if full and not require(stride, "==", 1, "stride 1 when both depthwise convs are kept"):
        raise SpecError("the official sandglass block ignores the stride when both depthwise "
                        "convs are kept (C_in = out or keep_3x3); use stride 1")
    dw = dict(op="conv_bn_act", kernel=layer.kernel, depthwise=True)
    children: list[LayerSpec] = []
    if full or layer.first_dw:
        children.append(ConvBnAct(name="dw1", act=layer.act, **dw))
    children += [
        ConvBnAct(op="conv_bn_act", name="reduce", out=hidden, act="none"),
        ConvBnAct(op="conv_bn_act", name="expand", out=out, act=layer.act),
    ]
    if full or layer.first_dw or holds(stride, "!=", 1, "last depthwise conv when stride ≠ 1"):
        children.append(ConvBnAct(name="dw2", stride=stride, act="none", **dw))
    if layer.se_ratio is not None:
        children.append(SqueezeExcitation(
            op="squeeze_excitation", name="se", act=layer.act,
            squeeze=squeeze_channels(out, layer.se_ratio * Fraction(1) / layer.reduction)))
    if residual and not layer.keep_3x3:
        last = child_name(children[-1])
        if layer.identity == 1:
            children.append(Add(op="add", name="add", inputs=["input", last]))
        else:
            kept = floor(c_in * layer.identity)
            children += [Slice(op="slice", name="id_in", inputs=["input"], stop=kept),
                         Slice(op="slice", name="id_out", inputs=[last], stop=kept),
                         Add(op="add", name="add", inputs=["id_out", "id_in"]),
                         Slice(op="slice", name="rest", inputs=[last], start=kept),
                         Concat(op="concat", name="out", inputs=["add", "rest"])]
    return children
