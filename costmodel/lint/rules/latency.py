"""L: what a device's latency profile says (runs only with ``lint --latency``)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from costmodel.lint.context import LintContext
from costmodel.lint.registry import Finding, Threshold, register_rule

__all__: list[str] = []


@register_rule("L1", "slow-for-its-maccs",
               {"ratio": Threshold(3, "largest share of predicted time / share of maccs",
                                   "issue 13's measurements: time per MACC varies 2.8× across "
                                   "whole zoo networks; a kernel beyond 3× is an outlier even "
                                   "among them"),
                "min_share": Threshold(Fraction(1, 100), "smallest share of predicted time flagged",
                                       "below 1% of the time a kernel is not worth a redesign")})
def slow_for_its_maccs(ctx: LintContext) -> Iterator[Finding]:
    """A kernel whose share of the predicted latency is far above its share of the MACCs
    (depthwise convs, data movement, element-wise passes on the target device).

    What it does:
        Needs a latency profile (``costmodel lint --latency [PROFILE]``; without one the
        rule reports nothing). For each kernel the runtime executes (costmodel.latency:
        fused as the profile's optimization level fuses), with predicted time t of the
        kernels' total T and maccs m of the total M, flags t/T ≥ ``min_share`` and
        t/T > ``ratio``·m/M. The value is the kernel's share of the predicted time, the
        threshold ``ratio`` times its share of the maccs.
    Why is this bad?
        MACCs are what a design is usually budgeted in, but time per MACC varies by an
        order of magnitude across kernel kinds: on the profiled machine a depthwise conv
        runs at a tenth of a 1×1 conv's maccs per second, and a zero-MACC add, concat or
        activation costs a full pass over memory. Such a layer is where a MACC-efficient
        design loses its speed (ShuffleNetV2, Sec. 1: FLOPs are an indirect metric).
    Example:
        MobileNetV2's first depthwise 3×3 convs (112×112 and 56×56 maps) with the shipped
        profile: 0.9 % of the MACCs, 5.2 % of the predicted time.
    Use instead:
        Spend the time where it buys accuracy: fewer, wider depthwise stages, fused or
        removed element-wise ops, or a kernel kind the device runs faster (measure it).
    References:
        Ma et al., ShuffleNet V2, ECCV 2018, Sec. 1 and Fig. 1 (FLOPs vs speed);
        Zhang et al., nn-Meter, MobiSys 2021 (kernel-level latency on edge devices).
    """
    times = ctx.kernel_times
    if not times:
        return
    ratio, min_share = ctx.threshold("L1", "ratio"), ctx.threshold("L1", "min_share")
    total_time = sum(t.time_us for t in times)
    total_maccs = sum(t.kernel.maccs for t in times)
    if total_time <= 0 or total_maccs <= 0:
        return
    for t in times:
        share = t.time_us / total_time
        limit = float(ratio) * t.kernel.maccs / total_maccs
        if share >= min_share and share > limit:
            head = ctx.network.nodes[t.kernel.layers[0]]
            yield ctx.finding("L1", head, f"{t.kernel.kind} kernel: {share:.1%} of the predicted "
                              f"time for {t.kernel.maccs / total_maccs:.1%} of the maccs",
                              share, limit)
