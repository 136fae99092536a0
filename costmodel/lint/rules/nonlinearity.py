"""N: where nonlinearities hurt accuracy for no cost benefit (MobileNetV2, Xception)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from costmodel.lint.context import LintContext
from costmodel.lint.registry import Finding, Threshold, register_rule

__all__: list[str] = []

@register_rule("N1", "nonlinear-bottleneck",
               {"narrowing": Threshold(2, "c_in / c_out from which a 1×1 conv is a projection",
                                       "MobileNetV2 Fig. 6a: linear bottlenecks won at expansion "
                                       "6; 2 is the smallest narrowing that is a projection")})
def nonlinear_bottleneck(ctx: LintContext) -> Iterator[Finding]:
    """A nonlinearity after the narrow projection of an inverted residual (the linear
    bottleneck of MobileNetV2).

    What it does:
        Flags an activation whose input is (through batchnorm) a 1×1 conv that narrows its
        input by at least ``narrowing`` (c_in / c_out) inside a block that first widened its
        input (the conv's c_in exceeds the block's input channels): the projection of an
        inverted residual. Convs on 1×1 maps (squeeze-and-excitation) are not projections.
    Why is this bad?
        A ReLU on a low-dimensional bottleneck destroys information that the narrow space
        cannot spare; MobileNetV2 measured higher accuracy with linear bottlenecks
        (Fig. 6a) at no extra cost.
    Example:
        expand 1×1 16→96, ReLU6, depthwise 3×3, ReLU6, project 1×1 96→24, **ReLU6**.
    Use instead:
        No activation after the projection (``act: none`` on its conv_bn_act).
    References:
        Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018,
        Sec. 3.2, Fig. 6a.
    """
    narrowing = ctx.threshold("N1", "narrowing")
    for node in ctx.nodes("nonlinearity"):
        conv = ctx.source(node, "normalization")
        if conv.geometry is None or not conv.has("convolution") or not conv.block:
            continue
        c_in, c_out = ctx.input_shape(conv)[1], conv.outputs[0][1]
        if (conv.geometry.kernel != (1, 1) or c_in < narrowing * c_out
                or conv.outputs[0][2] * conv.outputs[0][3] == 1):  # an SE squeeze, not a projection
            continue
        if c_in > ctx.block_channels[conv.block[0]][0]:
            value = Fraction(c_in, c_out)
            yield ctx.finding("N1", node, f"{node.op} after the projection {c_in}→{c_out} of "
                              f"an expanded block", value, narrowing)


@register_rule("N2", "depthwise-nonlinearity",
               {"max_group_depth": Threshold(1, "channels per group up to which a conv is shallow",
                                             "Xception Fig. 10: depthwise (1 channel per "
                                             "group) without a nonlinearity trained best")},
               default=False)
def depthwise_nonlinearity(ctx: LintContext) -> Iterator[Finding]:
    """A nonlinearity right after a depthwise (or nearly depthwise) convolution, whose
    per-group feature space is shallow.

    What it does:
        Flags an activation whose input is (through batchnorm) a grouped conv with at most
        ``max_group_depth`` input channels per group.
    Why is this bad?
        Xception found that a nonlinearity between the depthwise and the pointwise conv of a
        separable conv lowers accuracy and slows convergence: it helps deep feature spaces,
        but may hurt 1-channel-deep ones. ShuffleNet drops ReLU after depthwise convs for the
        same reason; the activation also costs an element-wise pass (G4).
    Example:
        depthwise 3×3 → BN → ReLU6 → 1×1 (MobileNetV1/V2).
    Use instead:
        depthwise 3×3 → BN → 1×1 → BN → ReLU (Xception, ShuffleNet, ShuffleNetV2).
    References:
        Chollet, Xception, CVPR 2017, Sec. 4.7, Fig. 10; Zhang et al., ShuffleNet,
        CVPR 2018, Sec. 3.2.
    """
    depth_limit = ctx.threshold("N2", "max_group_depth")
    for node in ctx.nodes("nonlinearity"):
        conv = ctx.source(node, "normalization")
        if conv.geometry is None or not conv.has("convolution"):
            continue
        c_in, groups = ctx.input_shape(conv)[1], conv.geometry.groups
        if groups > 1 and c_in // groups <= depth_limit:
            yield ctx.finding("N2", node, f"{node.op} right after a conv with {c_in // groups} "
                              f"channel(s) per group", c_in // groups, depth_limit)
