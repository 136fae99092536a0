"""Sweep speed: MobileNetV2 over a 1000 × 1000 (α, resolution) grid, compiled path.

Reports separately: the symbolic build, compiling the totals into separable exact
tables, evaluating every total at the 1,000,000 points, and the structural check (one
numeric build per equality class). Then spot-checks exactness against analyze.

    python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import random
import time
from fractions import Fraction
from pathlib import Path

import costmodel

SPEC = Path(__file__).resolve().parents[1] / "specs" / "mobilenet_v2.yaml"


def main() -> None:
    alphas = [Fraction(350 + i, 1000) for i in range(1000)]   # 0.350 … 1.349
    resolutions = list(range(96, 1096))                          # 96 … 1095
    started = time.perf_counter()
    result = costmodel.sweep(SPEC, alpha=alphas, resolution=resolutions, method="compiled")
    wall = time.perf_counter() - started
    points = result.totals["maccs"].size
    print(f"MobileNetV2, {points:,} (alpha, resolution) points, {len(result.totals)} totals each")
    for step in ("build", "compile", "evaluate", "verify", "exact"):
        print(f"  {step:9s} {result.timings.get(step, 0.0):7.3f} s")
    print(f"  total     {wall:7.3f} s (spec loading included); "
          f"{result.exact_points} points built one by one; dtype {result.totals['maccs'].dtype}")
    rng = random.Random(0)
    for _ in range(5):
        i, j = rng.randrange(len(alphas)), rng.randrange(len(resolutions))
        expected = costmodel.analyze(SPEC, alpha=alphas[i], resolution=resolutions[j]).totals
        assert int(result.totals["maccs"][i, j]) == expected.maccs
        assert int(result.totals["mem_access"][i, j]) == expected.mem_access
    print("  5 sampled points equal costmodel.analyze exactly")


if __name__ == "__main__":
    main()
