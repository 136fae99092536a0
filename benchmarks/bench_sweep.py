"""Sweep speed: MobileNetV2 over 1000 × 1000 (α, resolution) grids, compiled path.

Two grids: α = 0.350 … 1.349 (one structure) and α = 0.100 … 1.399 (the inverted
residuals gain adds below α ≈ 0.35: several structures, each compiled once). Each grid
runs in a fresh process, so a figure includes importing sympy, the symbolic builds, the
compilation and the evaluation of every total at the 1,000,000 points. Then spot-checks
exactness against analyze.

    python benchmarks/bench_sweep.py
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
GRIDS = {"alpha 0.350-1.349": 350, "alpha 0.100-1.099": 100}


def run(first: int) -> dict[str, object]:
    """One sweep (in this process); its timings and a few exactness checks."""
    started = time.perf_counter()
    import costmodel

    alphas = [Fraction(first + i, 1000) for i in range(1000)]
    resolutions = list(range(96, 1096))
    result = costmodel.sweep(SPEC, alpha=alphas, resolution=resolutions, method="compiled")
    wall = time.perf_counter() - started
    rng = random.Random(first)
    for _ in range(5):
        i, j = rng.randrange(len(alphas)), rng.randrange(len(resolutions))
        expected = costmodel.analyze(SPEC, alpha=alphas[i], resolution=resolutions[j]).totals
        assert int(result.totals["maccs"][i, j]) == expected.maccs
        assert int(result.totals["mem_access"][i, j]) == expected.mem_access
    return {"wall": wall, "points": result.totals["maccs"].size, "variants": result.variants,
            "exact": result.exact_points, **result.timings}


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(run(int(sys.argv[1]))))
        return
    for label, first in GRIDS.items():
        out = subprocess.run([sys.executable, __file__, str(first)], check=True,
                             capture_output=True, text=True).stdout
        data = json.loads(out)
        print(f"MobileNetV2 {label} × resolution 96-1095: {data['points']:,} points, "
              f"{data['variants']} structure(s), {data['exact']} points built one by one")
        print(f"  symbolic build {data['build']:.3f} s, compile+evaluate {data['compile']:.3f} s; "
              f"total {data['wall']:.3f} s in a fresh process (imports included); "
              "5 sampled points equal costmodel.analyze")


if __name__ == "__main__":
    main()
