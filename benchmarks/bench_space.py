"""Search-space speed and the sampling check: Once-for-All MobileNetV3 (w1.0).

1. The whole space at r = 224 (7371⁵ ≈ 2.2×10¹⁹ subnets): building the graph (every slot
   choice costed by the ordinary analysis), the count, exact min/max MACCs and the MACC
   distribution with the count under 300 M. Target ≤ 0.5 s.
2. The same over all 25 resolutions 128…224 (one graph each). Target ≤ 10 s.
3. 10⁵ uniform samples at r = 224: their share under 300 M against the exact share.
4. Once-for-All's own sampler (depth uniform per stage, kernel and expand ratio uniform per
   block, for all 20 blocks): its exact share under 300 M (the space weighted by sampler
   settings) and 10⁵ of its samples.

Times are CPU seconds of this process (the machine is shared; wall time in brackets).

    python benchmarks/bench_space.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from costmodel.space.graph import build_space
from costmodel.space.stats import SpaceStats
from costmodel.spec.load import load_spec

SPEC = Path(__file__).resolve().parents[1] / "specs" / "spaces" / "ofa_mbv3.yaml"
BUDGET = 300_000_000
SAMPLES = 100_000


def timed(label: str, work: Callable[[], Any]) -> Any:
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    print(f"  {label:52s} {time.process_time() - cpu:7.3f} s  [{time.perf_counter() - wall:6.3f} s wall]")
    return result


def whole_space(bindings: dict[str, Any], settings: bool = False) -> tuple[SpaceStats, tuple[int, int]]:
    stats = SpaceStats(build_space(load_spec(SPEC), str(SPEC), bindings, settings=settings))
    assert stats.extreme("maccs", min) is not None and stats.extreme("maccs", max) is not None
    return stats, stats.at_most("maccs", BUDGET)


def share(counts: tuple[int, int], total: int) -> str:
    low, high = (100 * c / total for c in counts)
    return f"{low:.4f} %" if counts[0] == counts[1] else f"{low:.4f} % – {high:.4f} %"


def sampled(stats: SpaceStats, exact: float) -> None:
    drawn = timed(f"{SAMPLES:,} uniform samples", lambda: stats.sample(SAMPLES, seed=2026))
    under = sum(sum(edge.values["maccs"] for edge in path) <= BUDGET for _, path in drawn)
    sigma = (exact * (1 - exact) / SAMPLES) ** 0.5
    print(f"  sampled share {100 * under / SAMPLES:.3f} % vs exact {100 * exact:.4f} %: "
          f"{(under / SAMPLES - exact) / sigma:+.2f} standard errors")


def main() -> None:
    print("Once-for-All MobileNetV3 w1.0 (specs/spaces/ofa_mbv3.yaml)")
    stats, under = timed("r = 224: graph, count, min/max, distribution, ≤ 300 M", lambda: whole_space({"resolution": 224}))
    print(f"  {stats.count:,} subnets; maccs {stats.extreme('maccs', min).value:,} … "
          f"{stats.extreme('maccs', max).value:,}; ≤ 300 M: {share(under, stats.count)}")
    everything, all_under = timed("25 resolutions: the same", lambda: whole_space({}))
    print(f"  {everything.count:,} subnets; ≤ 300 M: {share(all_under, everything.count)}")
    sampled(stats, under[0] / stats.count)
    print("Once-for-All's sampler (per-stage-uniform depth), r = 224")
    settings, settings_under = timed("weighted by sampler settings", lambda: whole_space({"resolution": 224}, True))
    print(f"  {settings.count:,} settings; ≤ 300 M: {share(settings_under, settings.count)}")
    sampled(settings, settings_under[0] / settings.count)


if __name__ == "__main__":
    main()
