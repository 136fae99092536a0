"""Validate latency profiles: predicted (report --latency) vs measured onnxruntime latency of
every zoo spec and variant, for optimizations on (``all``) and off (``none``).

Prints per model predicted and measured ms and the error, then Spearman ρ, the median
absolute percentage error and the share within ±10 % per level. Measurements come from
benchmarks/bench_runtime.py's procedure (1 thread, CPU clock, interleaved rounds) —
re-run here with ``--measure`` (one pass), else read from its CSV (benchmarks/runtime_zoo.csv:
the lowest of its passes' medians).

    python benchmarks/bench_latency.py [--all PROFILE] [--none PROFILE] [--measure --rounds 9]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

import numpy as np

from costmodel.latency.device import shipped_profile
from costmodel.latency.model import DeviceProfile, predict
from costmodel.zoo import collect

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("all", "none")


def spearman(a: list[float], b: list[float]) -> float:
    """Pearson correlation of the ranks (no ties expected in latencies)."""
    ranks_a = np.argsort(np.argsort(a))
    ranks_b = np.argsort(np.argsort(b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


def measured_csv(path: Path) -> dict[str, dict[str, float]]:
    with open(path, encoding="utf-8") as stream:
        rows = csv.DictReader(line for line in stream if not line.startswith("#"))
        return {row["variant"]: {level: float(row.get(f"{level}_best_us") or row[f"{level}_median_us"])
                                 for level in LEVELS} for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", type=Path, default=shipped_profile("all")[0])
    parser.add_argument("--none", type=Path, default=shipped_profile("none")[0])
    parser.add_argument("--measured", type=Path, default=ROOT / "benchmarks" / "runtime_zoo.csv")
    parser.add_argument("--measure", action="store_true", help="Measure now instead of the CSV.")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    profiles = {"all": DeviceProfile.load(args.all), "none": DeviceProfile.load(args.none)}
    known = {} if args.measure else measured_csv(args.measured)
    if args.measure:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_runtime import time_model
    results: dict[str, list[tuple[str, float, float]]] = {level: [] for level in LEVELS}
    print(f"{'variant':32} {'all pred':>9} {'meas':>8} {'err%':>6}  {'none pred':>9} {'meas':>8} {'err%':>6}")
    for entry in collect(ROOT / "specs"):
        if args.only not in entry.name:
            continue
        if args.measure:
            times = time_model(entry.analysis, args.rounds, 2)
            measured = {level: statistics.median(times[level]) for level in LEVELS}
        elif entry.name in known:
            measured = known[entry.name]
        else:
            continue
        cells = []
        for level in LEVELS:
            predicted = predict(entry.analysis.network, profiles[level])[1]
            results[level].append((entry.name, predicted, measured[level]))
            cells.append(f"{predicted / 1e3:9.2f} {measured[level] / 1e3:8.2f} "
                         f"{100 * (predicted / measured[level] - 1):+6.1f}")
        print(f"{entry.name:32} {'  '.join(cells)}", flush=True)
    for level in LEVELS:
        rows = results[level]
        errors = [abs(p / m - 1) for _, p, m in rows]
        rho = spearman([p for _, p, _ in rows], [m for _, _, m in rows])
        within = sum(e <= 0.10 for e in errors) / len(errors)
        misses = ", ".join(f"{name} {100 * (p / m - 1):+.0f}%" for name, p, m in rows if abs(p / m - 1) > 0.10)
        print(f"{level}: {len(rows)} models, Spearman {rho:.3f}, median |err| "
              f"{100 * statistics.median(errors):.1f}%, within ±10% {100 * within:.0f}%; misses: {misses}")


if __name__ == "__main__":
    main()
