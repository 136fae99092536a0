"""G: the four practical guidelines of ShuffleNetV2 (Ma et al., ECCV 2018, Sec. 2)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

from costmodel.analysis.fragments import top_block_fragmentation
from costmodel.analysis.shares import elementwise_mem_access, elementwise_share
from costmodel.arith import integer
from costmodel.graph import Node
from costmodel.lint.context import LintContext
from costmodel.lint.registry import Finding, Threshold, register_rule
from costmodel.ops.base import Geometry, Traffic
from costmodel.units import readable

__all__: list[str] = []

_PAPER = "Ma et al., ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design, ECCV 2018"


def _exceeds(measured: int, constant: int, root_of: int, scale: int, t: Fraction) -> bool:
    """measured > t·(scale·√root_of + constant), exactly: with t = p/q, compare
    q·measured − p·constant with p·scale·√root_of, by squares when both sides are ≥ 0."""
    left = t.denominator * measured - t.numerator * constant
    return left > 0 and left * left > (t.numerator * scale) ** 2 * root_of


def _convolutions(ctx: LintContext) -> Iterator[tuple[Node, Geometry, Traffic]]:
    """Convolutions with their resolved geometry and traffic (those that have both)."""
    for node in ctx.nodes("convolution"):
        if node.geometry is not None and node.traffic is not None:
            yield node, node.geometry, node.traffic


@register_rule("G1", "unbalanced-pointwise-channels",
               {"ratio": Threshold(Fraction(6, 5), "largest mem_access / lower bound allowed",
                                   "ShuffleNetV2 Table 1: 1:1 is fastest and speed falls as widths "
                                   "diverge, 1:6 (ratio 1.43) at 59% of it on GPU; 6/5 (widths "
                                   "≈ 1:3.5) lies between the table's 1:2 (1.06) and 1:6")})
def unbalanced_pointwise_channels(ctx: LintContext) -> Iterator[Finding]:
    """A 1×1 convolution whose input and output widths differ (G1: equal channel width
    minimizes memory access cost).

    What it does:
        For each 1×1 conv that keeps the map size, with c1 input and c2 output channels in g groups on an
        h×w map (x = N·h·w positions), compares its memory access
        MAC = x·(c1 + c2) + c1·c2/g with the lower bound at the same MACCs B = x·c1·c2/g,
        2·√(g·x·B) + B/x = 2·x·√(c1·c2) + c1·c2/g, reached when c1 = c2 (AM–GM). For g = 1
        this is the paper's bound 2√(hw·B) + B/hw; keeping g fixed leaves grouping to G2.
        Flags MAC / bound > ``ratio`` (compared exactly, by squares).
    Why is this bad?
        At equal MACCs, unequal widths move more data: on the paper's GPU a 1:6 stack of
        1×1 convs ran at 59% of the 1:1 speed (Table 1). For large maps the ratio tends to
        (1 + r)/(2√r) for r = c2/c1: 1.06 at r = 2, 1.25 at r = 4, 1.43 at r = 6.
    Example:
        A bottleneck 1×1 conv 16 → 96 channels on 112×112 (MobileNetV2's expansion):
        MAC is 1.43× the bound.
    Use instead:
        Keep c_in ≈ c_out in 1×1 convs; change width at stage transitions, or split
        channels (ShuffleNetV2's channel split) instead of squeezing and expanding.
    References:
        Ma et al., ShuffleNet V2, ECCV 2018, Sec. 2 G1, Eq. (1), Table 1.
    """
    ratio = ctx.threshold("G1", "ratio")
    for node, geometry, traffic in _convolutions(ctx):
        n, c1, h, w = ctx.input_shape(node)
        c2, groups = node.outputs[0][1], geometry.groups
        if geometry.kernel != (1, 1) or node.outputs[0][2:] != (h, w) or groups == c1 != 1:
            continue
        x, weights = n * h * w, traffic.weights
        mac = traffic.reads + traffic.writes + weights  # the paper's MAC has no bias term
        if _exceeds(integer(mac), integer(weights), c1 * c2, 2 * x, ratio):
            value = mac / (2 * x * math.sqrt(c1 * c2) + weights)
            yield ctx.finding("G1", node, f"1×1 conv {c1}→{c2} channels: "
                              f"mem_access {readable(value, 3)}× the bound at equal maccs", value, ratio)


@register_rule("G2", "excessive-group-convolution",
               {"ratio": Threshold(Fraction(6, 5), "largest mem_access / dense equivalent allowed",
                                   "ShuffleNetV2 Table 2: every g > 1 ran slower than g = 1, g = 8 "
                                   "over 2× slower on GPU and up to 30% on ARM; 6/5 spares a few "
                                   "groups on small widths")})
def excessive_group_convolution(ctx: LintContext) -> Iterator[Finding]:
    """A grouped convolution (1 < g < C_in) costing more memory access than a dense one
    of the same MACCs (G2: excessive group convolution increases memory access cost).

    What it does:
        For a k_h×k_w conv with c1 → c2 channels in g groups, input x_in = N·H·W and output
        x_out = N·H′·W′ positions, MAC_g = x_in·c1 + x_out·c2 + k_h·k_w·c1·c2/g. The dense
        conv with the same input and the same MACCs has c2/g outputs:
        MAC_1 = x_in·c1 + x_out·c2/g + k_h·k_w·c1·c2/g. Flags MAC_g / MAC_1 > ``ratio``
        (an exact fraction). Depthwise convs (g = C_in) are G4's and G1's business, not G2's.
    Why is this bad?
        For a given input and computational cost, MAC grows with g (Eq. 2): more groups let
        the layer afford more output channels, which must be written and read again. On the
        paper's GPU, g = 8 ran at under a third of the speed of g = 1 (Table 2).
    Example:
        ShuffleNetV1's 1×1 group conv 60 → 240 channels, g = 3, on 28×28: MAC_g / MAC_1 ≈ 2.1.
    Use instead:
        Dense 1×1 convs with a channel split (ShuffleNetV2), or choose g by measuring speed
        on the target platform rather than by MACCs.
    References:
        Ma et al., ShuffleNet V2, ECCV 2018, Sec. 2 G2, Eq. (2), Table 2.
    """
    ratio = ctx.threshold("G2", "ratio")
    for node, geometry, traffic in _convolutions(ctx):
        c1, c2, groups = ctx.input_shape(node)[1], node.outputs[0][1], geometry.groups
        if not 1 < groups < c1:
            continue
        # the dense conv of equal maccs reads the same input and weights, writes c2/g channels
        grouped = traffic.reads + traffic.writes + traffic.weights
        dense = traffic.reads + traffic.writes // groups + traffic.weights
        value = Fraction(integer(grouped), integer(dense))
        if value > ratio:
            yield ctx.finding("G2", node, f"{groups}-group conv {c1}→{c2} channels: mem_access "
                              f"{readable(value, 3)}× a dense conv of equal maccs", value, ratio)


@register_rule("G3", "fragmented-block",
               {"max_parallel": Threshold(2, "most kernels allowed side by side in a block",
                                          "ShuffleNetV2 Appendix Table 1: 4 parallel fragments "
                                          "ran at 0.47–0.66× one fragment's speed; its own units "
                                          "have 2 branches")})
def fragmented_block(ctx: LintContext) -> Iterator[Finding]:
    """A block whose kernels run side by side in many parallel branches (G3: network
    fragmentation reduces degree of parallelism).

    What it does:
        For each top-level block, counts its kernels (ops with a fragment under the chosen
        ``--fuse`` execution model), the longest chain of kernels (series) and the largest
        number of kernels at one depth (parallel; depth = 1 + the deepest kernel read).
        Flags parallel > ``max_parallel``. ``costmodel lint --statistics`` adds the
        model-level kernel count, average maccs per kernel and the widest graph level.
    Why is this bad?
        Many small kernels launch and synchronize more often and keep a wide device busy
        less: the paper's 4-fragment parallel structure ran at 0.47–0.66× the speed of one
        fragment on GPU (Appendix Table 1). NASNet-A cells are the typical case.
    Example:
        A cell with five pairs of separable-conv branches combined by adds (NASNet-A):
        parallel ≥ 5.
    Use instead:
        Few wide branches: at most two per block, as in ShuffleNetV2's units.
    References:
        Ma et al., ShuffleNet V2, ECCV 2018, Sec. 2 G3 and Appendix Fig. 1, Table 1;
        Zoph et al., Learning Transferable Architectures (NASNet), CVPR 2018.
    """
    limit = ctx.threshold("G3", "max_parallel")
    for block, shape in top_block_fragmentation(ctx.network, ctx.costs).items():
        if shape.parallel > limit:
            instance = ctx.network.blocks[block]
            yield ctx.finding("G3", None, f"{instance.op} block: {shape.kernels} kernels, "
                              f"{shape.series} in series, {shape.parallel} in parallel",
                              shape.parallel, limit, layer=block, line=instance.line)


@register_rule("G4", "elementwise-heavy",
               {"expansion": Threshold(3, "block-input width multiple above which a map is thick",
                                       "ShuffleNetV2 Sec. 3 faults MobileNetV2's ReLUs on 6×-expanded "
                                       "maps; Table 4: dropping ReLU and shortcut gave ~20% speed-up; "
                                       "3 catches expansions of half that"),
                "share": Threshold(None, "largest share of mem_access in element-wise ops "
                                         "(off by default; e.g. 1/2)",
                                 "off: in the per-op view unfolded batchnorm alone puts most of "
                                 "the zoo above 1/2, which the paper's element-wise list (ReLU, "
                                 "AddTensor, AddBias) leaves out")})
def elementwise_heavy(ctx: LintContext) -> Iterator[Finding]:
    """Element-wise ops that move much memory: nonlinearities on thick (expanded) maps,
    and a model whose element-wise ops take a large share of all memory access (G4:
    element-wise operations are non-negligible).

    What it does:
        Element-wise ops are the pointwise maps: activations, add, mul and batchnorm (unless
        folded by ``--fuse conv-bn-act``); copies (concat, split, shuffle) and pooling are
        not, and a conv's bias add has no traffic of its own. Per top-level block, flags the
        nonlinearities that still move memory on maps at least ``expansion`` times as wide
        as the block's input and output (value: the widest such multiple). For the model,
        flags elementwise_share = Σ element-wise mem_access / total mem_access > ``share``
        (an exact fraction; docs/glossary.md). In the per-op view BN alone moves as much as
        the conv's output, and the specs of the zoo sit at 0.23–0.71; folding with
        ``--fuse conv-bn-act`` shows what a runtime still pays (0–0.62).
    Why is this bad?
        Element-wise ops have few FLOPs but relatively heavy memory access; the paper
        measured them (ReLU, AddTensor, AddBias) at a considerable share of run time, and
        removing ReLU and shortcut gave ~20% speed-up on GPU and ARM (Table 4). Applied to
        an expanded map, every nonlinearity reads and writes all of its channels.
    Example:
        MobileNetV2's ReLU6 after the 6× expansion and after the depthwise conv.
    Use instead:
        Apply nonlinearities on the narrow side, fuse them into the preceding kernel, or
        keep maps unexpanded (ShuffleNetV2 applies them to half of the channels).
    References:
        Ma et al., ShuffleNet V2, ECCV 2018, Sec. 2 G4, Fig. 2, Table 4.
    """
    expansion = ctx.threshold("G4", "expansion")
    nonlinearities: dict[str, list[Node]] = {block: [] for block in ctx.top_blocks()}
    for node in ctx.nodes("nonlinearity"):
        if node.block and ctx.costs[node.name].mem_access:
            nonlinearities[node.block[0]].append(node)
    for block, nodes in nonlinearities.items():
        base = max(ctx.block_channels[block])
        thick = [node for node in nodes if base and node.outputs[0][1] >= expansion * base]
        if thick:
            widest = max(thick, key=lambda node: node.outputs[0][1])
            value = Fraction(widest.outputs[0][1], base)
            traffic = sum(ctx.costs[node.name].mem_access for node in thick)
            yield ctx.finding("G4", widest, f"{len(thick)} nonlinearities on maps {float(value):.3g}× "
                              f"as wide as the block's input or output "
                              f"({widest.outputs[0][1]} vs {base} channels) move {traffic} elements",
                              value, expansion, layer=block,
                              at_stake=[node.name for node in thick])
    share_limit = ctx.threshold("G4", "share")
    share = elementwise_share(ctx.network, ctx.costs) if share_limit is not None else None
    if share is not None and share > share_limit:
        part = elementwise_mem_access(ctx.network, ctx.costs)
        total = sum(cost.mem_access for cost in ctx.costs.values())
        yield ctx.finding("G4", None, f"element-wise ops take {float(share):.1%} of mem_access "
                          f"({part} of {total} elements)", share, share_limit, line=1,
                          at_stake=[node.name for node in ctx.nodes() if node.has("elementwise")])
