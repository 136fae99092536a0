"""Measured onnxruntime latency of the zoo beside its exact costs → benchmarks/runtime_zoo.csv.

Every spec and variant in specs/ at its default bindings is exported (costmodel's seeded
weights) and run by onnxruntime on one thread, with graph optimizations on (``all``:
fusions, NCHWc layouts) and off (``none``: the exported graph as is). Per model, the two
sessions are warmed up and then timed in interleaved rounds (all, none, all, none, …) on
the calling thread's CPU clock, so a change of machine load hits both alike. The CSV
keeps, per model, the median and quartiles of each level beside params, maccs, mem_access,
elementwise and fragments — the data the latency model of the next issue is fitted on.

    python benchmarks/bench_runtime.py [--rounds 15] [--warmup 3] [--only mobilenet]
                                       [--output benchmarks/runtime_zoo.csv]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
from pathlib import Path

import onnxruntime

from costmodel.analysis.result import Analysis
from costmodel.export import export_network
from costmodel.runtime.base import RunOptions
from costmodel.runtime.onnxruntime_backend import OnnxRuntime
from costmodel.runtime.timing import Stats, sample
from costmodel.zoo import collect

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("all", "none")
COSTS = ("params", "maccs", "mem_access", "elementwise", "fragments")


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            return next(line.split(":", 1)[1].strip() for line in stream if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def time_model(analysis: Analysis, rounds: int, warmup: int) -> dict[str, Stats]:
    exported = export_network(analysis.network)
    data = exported.model.SerializeToString()
    feeds = {"input": exported.input}
    runtime = OnnxRuntime()
    sessions = {level: runtime.session(data, RunOptions(1, level)) for level in LEVELS}  # type: ignore[arg-type]
    calls = {level: (lambda s=session: s.run(None, feeds)) for level, session in sessions.items()}
    for level in LEVELS:
        sample(calls[level], 0, "cpu", warmup)
    times: dict[str, list[float]] = {level: [] for level in LEVELS}
    for _ in range(rounds):
        for level in LEVELS:
            times[level] += sample(calls[level], 1, "cpu")
    return {level: Stats.of(values) for level, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="Only specs whose file name contains this.")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "runtime_zoo.csv")
    args = parser.parse_args()
    start = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    rows = []
    header = ("spec", "variant", *COSTS,
              *(f"{level}_{stat}_us" for level in LEVELS for stat in ("median", "q1", "q3")), "rounds")
    print(f"{'variant':30} {'maccs':>14} {'mem_access':>12} {'all ms':>8} {'IQR':>6} "
          f"{'none ms':>8} {'IQR':>6}")
    for entry in collect(ROOT / "specs"):
        if args.only not in Path(entry.spec).name:
            continue
        stats = time_model(entry.analysis, args.rounds, args.warmup)
        totals = entry.analysis.totals
        costs = [getattr(totals, name) for name in COSTS]
        rows.append((Path(entry.spec).name, entry.name, *costs,
                     *(f"{value:.1f}" for level in LEVELS
                       for value in (stats[level].median, stats[level].q1, stats[level].q3)),
                     args.rounds))
        print(f"{entry.name:30} {totals.maccs:>14,} {totals.mem_access:>12,} "
              f"{stats['all'].median / 1e3:8.2f} {stats['all'].iqr / 1e3:6.2f} "
              f"{stats['none'].median / 1e3:8.2f} {stats['none'].iqr / 1e3:6.2f}", flush=True)
    notes = [
        f"measured {start:%Y-%m-%d %H:%M} UTC by benchmarks/bench_runtime.py; onnxruntime "
        f"{onnxruntime.__version__} CPUExecutionProvider, 1 intra-op thread, sequential",
        f"cpu: {cpu_name()}, {os.cpu_count()} cores; load average {load_before[0]:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end",
        "SHARED MACHINE: other busy processes ran during the measurement. Times are the calling "
        "thread's CPU time (time.thread_time), which leaves out time descheduled, but caches and "
        "memory bandwidth were still shared: expect a few % noise, more on large models",
        f"per model: {args.warmup} warm-up runs per level, then {args.rounds} interleaved rounds "
        "(all, none); medians and quartiles (q1, q3) in microseconds",
        "all = ORT_ENABLE_ALL (fusions, NCHWc layouts); none = ORT_DISABLE_ALL (the exported graph "
        "as is); costs are costmodel's exact totals at the default bindings (mem_access in "
        "elements; bytes = 4x at fp32)",
    ]
    with open(args.output, "w", encoding="utf-8", newline="") as stream:
        stream.writelines(f"# {note}\n" for note in notes)
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {args.output} ({len(rows)} models); lines starting with # are notes")


if __name__ == "__main__":
    main()
