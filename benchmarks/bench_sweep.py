"""Sweep speed: MobileNetV2 over (α, resolution) grids of 10⁴, 10⁵ and 10⁶ points.

Two α ranges: 0.350 … (one structure) and 0.100 … (the inverted residuals gain adds below
α ≈ 0.35: several structures, one build each). Every grid runs in a fresh process and its
figure includes importing costmodel, loading the spec, the builds over the grid
("compile": one numeric build per structure, every point at once), gathering the totals
("evaluate": one exact integer matrix product per total) and the point-by-point fallback
(none expected). Wall and CPU time of the process are both shown: on a shared machine the
CPU time is the steadier figure. Then spot-checks exactness against analyze.

    python benchmarks/bench_sweep.py            # every grid
    python benchmarks/bench_sweep.py 100 1000 1000   # α from 0.100, 1000 α × 1000 resolutions
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

SPEC = Path(__file__).resolve().parents[1] / "specs" / "mobilenet_v2.yaml"
SIZES = ((100, 100), (250, 400), (1000, 1000))
"""(α values, resolutions): 10⁴, 10⁵ and 10⁶ points."""
FIRST_ALPHAS = {"α from 0.350 (one structure)": 350, "α from 0.100 (structures change)": 100}


def run(first: int, widths: int, resolutions: int) -> dict[str, object]:
    """One sweep in this (fresh) process; its timings, then a few exactness checks."""
    started, cpu = time.perf_counter(), time.process_time()
    import costmodel

    alphas = [Fraction(first + i, 1000) for i in range(widths)]
    sizes = list(range(96, 96 + resolutions))
    result = costmodel.sweep(SPEC, alpha=alphas, resolution=sizes, method="compiled")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    rng = random.Random(first)
    for _ in range(5):
        i, j = rng.randrange(len(alphas)), rng.randrange(len(sizes))
        expected = costmodel.analyze(SPEC, alpha=alphas[i], resolution=sizes[j]).totals.as_dict()
        assert {key: int(result.totals[key][i, j]) for key in expected} == expected
    return {"wall": wall, "cpu": cpu, "points": result.totals["maccs"].size,
            "builds": result.variants, "exact": result.exact_points, **result.timings}


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(run(*map(int, sys.argv[1:4]))))
        return
    for label, first in FIRST_ALPHAS.items():
        print(f"MobileNetV2, {label}:")
        for widths, resolutions in SIZES:
            out = subprocess.run([sys.executable, __file__, str(first), str(widths), str(resolutions)],
                                 check=True, capture_output=True, text=True).stdout
            data = json.loads(out)
            print(f"  {widths:>4} α × {resolutions:>4} r = {data['points']:>9,} points: "
                  f"{data['wall']:.3f} s wall, {data['cpu']:.3f} s CPU (fresh process, imports "
                  f"included); compile {data['build']:.3f} s ({data['builds']} build(s)), "
                  f"evaluate {data['evaluate']:.3f} s, {data['exact']} points one by one")
    print("every value exact (int64); 5 sampled points per grid equal costmodel.analyze")


if __name__ == "__main__":
    main()
