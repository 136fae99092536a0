"""Normalizations computed at run time: layernorm, groupnorm and softmax.

Unlike inference batchnorm (a fixed scale and shift), these compute statistics of their
input while running, so each costs two passes: a statistics pass that combines every
element once (mean and variance; maximum and sum of exponentials) and the element-wise
normalization: elementwise = 2·|x|. The input is read once and the output written once
(a fused kernel): mem_access = 2·|x| (+ the 2C affine parameters).
"""

from __future__ import annotations

from costmodel.arith import Value, is_symbolic
from costmodel.cost import Cost
from costmodel.errors import SpecError
from costmodel.ops.base import OpResult, Shape, channel_axis, numel, register_op, require_int
from costmodel.spec.layers import GroupNorm, LayerNorm, Softmax

__all__ = ["layernorm", "groupnorm", "softmax"]


def _normalization(x: Shape, channels: Value) -> OpResult:
    size = numel(x)
    affine = 2 * channels if channels else 0
    return OpResult([x], Cost(params=affine, mem_access=2 * size + affine, elementwise=2 * size,
                              fragments=1))


@register_op(LayerNorm, categories=("normalization", "runtime_statistics"))
def layernorm(layer: LayerNorm, x: Shape) -> OpResult:
    """params = 2C; mem_access = 2·|x| + 2C; elementwise = 2·|x| (statistics + normalization)."""
    if len(x) < 2:
        raise SpecError("layernorm needs a batch axis and a channel axis")
    return _normalization(x, x[channel_axis(x)])


@register_op(GroupNorm, categories=("normalization", "runtime_statistics"))
def groupnorm(layer: GroupNorm, x: Shape) -> OpResult:
    """params = 2C; mem_access = 2·|x| + 2C; elementwise = 2·|x| (statistics + normalization)."""
    if len(x) != 4:
        raise SpecError("groupnorm needs an N×C×H×W input")
    groups = require_int(layer.groups, "groups")
    channels = x[1]
    if not (is_symbolic(channels) or is_symbolic(groups)) and channels % groups:
        raise SpecError(f"{channels} channels not divisible by groups={groups}")
    return _normalization(x, channels)


@register_op(Softmax, categories=("nonlinearity", "exponential", "axis_softmax"))
def softmax(layer: Softmax, x: Shape) -> OpResult:
    """mem_access = 2·|x|; elementwise = 2·|x| (maximum and sum of exponentials + division)."""
    if not -len(x) <= layer.axis < len(x) or layer.axis in (0, -len(x)):
        raise SpecError(f"softmax axis {layer.axis} is not a non-batch axis of a "
                        f"{len(x)}-D input")
    return _normalization(x, 0)
