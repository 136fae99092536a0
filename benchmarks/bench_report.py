"""Time `report` on MobileNetV2: in-process numeric analysis and a cold CLI process.

Targets (issue 2): in-process ≤ 20 ms, cold `costmodel report specs/mobilenet_v2.yaml`
≤ 0.6 s on the 2-core machine. Prints medians over repeated runs.

    python benchmarks/bench_report.py [--runs 30] [--cold-runs 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "mobilenet_v2.yaml"


def in_process(runs: int) -> list[float]:
    """Seconds per `analyze(...).totals` (spec loading, expansion, shapes, costs)."""
    import costmodel

    _ = costmodel.analyze(SPEC).totals  # warm imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _ = costmodel.analyze(SPEC).totals
        times.append(time.perf_counter() - start)
    return times


def cold_process(runs: int) -> list[float]:
    """Seconds per fresh `costmodel report SPEC` process, output discarded."""
    command = [shutil.which("costmodel") or "costmodel", "report", str(SPEC)]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=10)
    args = parser.parse_args()
    warm = in_process(args.runs)
    cold = cold_process(args.cold_runs)
    print(f"in-process analysis: median {statistics.median(warm) * 1e3:.1f} ms "
          f"(min {min(warm) * 1e3:.1f} ms, {args.runs} runs; target ≤ 20 ms)")
    print(f"cold `costmodel report`: median {statistics.median(cold):.3f} s "
          f"(min {min(cold):.3f} s, {args.cold_runs} runs; target ≤ 0.6 s)")
    sys.exit(0)


if __name__ == "__main__":
    main()
