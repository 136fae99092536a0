"""Measured onnxruntime latency of the zoo beside its exact costs → benchmarks/runtime_zoo.csv.

Every spec and variant in specs/ at its default bindings is exported (costmodel's seeded
weights) and run by onnxruntime on one thread, with graph optimizations on (``all``:
fusions, NCHWc layouts) and off (``none``: the exported graph as is). Per model, the two
sessions are warmed up and then timed in interleaved rounds (all, none, all, none, …) on
the calling thread's CPU clock, so a change of machine load hits both alike.

The zoo is timed in ``--passes`` passes (each pass: every model, ``--rounds`` rounds), so a
burst of load from other processes — which lasts seconds on the shared development machine
and slows the CPU clock too (shared caches and memory bandwidth) — hits one pass of a model,
not all of them. Per model and level the CSV keeps ``best``: the lowest of the passes'
medians (the least disturbed estimate, which the latency validation uses), and the median
and quartiles of all runs, beside params, maccs, mem_access, elementwise and fragments and
the load average when the model was timed.

The end line gives the passes' spread: per model and level the slowest pass median over the
fastest (median over the zoo) and the share of models whose pass medians all lie within 10 %.

    python benchmarks/bench_runtime.py [--passes 3] [--rounds 5] [--warmup 2] [--only mobilenet]
                                       [--output benchmarks/runtime_zoo.csv] [--cache DIR]

``--cache DIR`` keeps the exported models (DIR/<variant>.onnx and .npy) and reuses the ones
there, so that a quiet window is spent timing, not exporting; delete DIR when the specs or
the exporter change.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import statistics
import tempfile
from pathlib import Path

import numpy as np
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


def time_model(analysis: Analysis, rounds: int, warmup: int) -> dict[str, list[float]]:
    """Each level's run times (µs): ``warmup`` runs per level, then ``rounds`` interleaved rounds."""
    return time_exported(export(analysis), rounds, warmup)


def export(analysis: Analysis) -> tuple[bytes, dict[str, np.ndarray]]:
    exported = export_network(analysis.network)
    return exported.model.SerializeToString(), {"input": exported.input}


def time_exported(model: tuple[bytes, dict[str, np.ndarray]], rounds: int,
                  warmup: int) -> dict[str, list[float]]:
    data, feeds = model
    runtime = OnnxRuntime()
    sessions = {level: runtime.session(data, RunOptions(1, level)) for level in LEVELS}  # type: ignore[arg-type]
    calls = {level: (lambda s=session: s.run(None, feeds)) for level, session in sessions.items()}
    for level in LEVELS:
        sample(calls[level], 0, "cpu", warmup)
    times: dict[str, list[float]] = {level: [] for level in LEVELS}
    for _ in range(rounds):
        for level in LEVELS:
            times[level] += sample(calls[level], 1, "cpu")
    return times


def best(passes: list[list[float]]) -> float:
    """The lowest of the passes' median times."""
    return min(statistics.median(times) for times in passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", default="", help="Only specs whose file name contains this.")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "runtime_zoo.csv")
    parser.add_argument("--cache", type=Path, help="Keep (and reuse) the exported models here.")
    args = parser.parse_args()
    start = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    entries = [entry for entry in collect(ROOT / "specs") if args.only in Path(entry.spec).name]
    runs: dict[str, dict[str, list[list[float]]]] = {e.name: {level: [] for level in LEVELS} for e in entries}
    loads: dict[str, list[float]] = {e.name: [] for e in entries}
    with tempfile.TemporaryDirectory() as scratch:  # exported once, timed in every pass
        folder = args.cache or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        files = {entry.name: folder / f"{entry.name}.onnx" for entry in entries}
        for entry in entries:
            if not (files[entry.name].exists() and files[entry.name].with_suffix(".npy").exists()):
                data, feeds = export(entry.analysis)
                files[entry.name].write_bytes(data)
                np.save(files[entry.name].with_suffix(".npy"), feeds["input"])
        started = datetime.datetime.now(datetime.UTC)
        for index in range(args.passes):
            for entry in entries:
                model = (files[entry.name].read_bytes(),
                         {"input": np.load(files[entry.name].with_suffix(".npy"))})
                times = time_exported(model, args.rounds, args.warmup)
                for level in LEVELS:
                    runs[entry.name][level].append(times[level])
                loads[entry.name].append(os.getloadavg()[0])
                print(f"pass {index + 1}/{args.passes} {entry.name:30} "
                      f"all {statistics.median(times['all']) / 1e3:8.2f} ms  "
                      f"none {statistics.median(times['none']) / 1e3:8.2f} ms  "
                      f"load {loads[entry.name][-1]:.1f}", flush=True)
    header = ("spec", "variant", *COSTS,
              *(f"{level}_{stat}_us" for level in LEVELS for stat in ("best", "median", "q1", "q3")),
              "passes", "rounds", "load1")
    rows = []
    for entry in entries:
        totals = entry.analysis.totals
        cells = []
        for level in LEVELS:
            stats = Stats.of([t for times in runs[entry.name][level] for t in times])
            cells += [best(runs[entry.name][level]), stats.median, stats.q1, stats.q3]
        rows.append((Path(entry.spec).name, entry.name, *(getattr(totals, name) for name in COSTS),
                     *(f"{value:.1f}" for value in cells), args.passes, args.rounds,
                     "/".join(f"{load:.1f}" for load in loads[entry.name])))
    notes = [
        f"measured {start:%Y-%m-%d %H:%M} UTC by benchmarks/bench_runtime.py; onnxruntime "
        f"{onnxruntime.__version__} CPUExecutionProvider, 1 intra-op thread, sequential",
        f"cpu: {cpu_name()}, {os.cpu_count()} cores; load average {load_before[0]:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end",
        "SHARED MACHINE: other busy processes ran during the measurement. Times are the calling "
        "thread's CPU time (time.thread_time), which leaves out time descheduled, but caches and "
        "memory bandwidth were still shared: expect a few % noise, more on large models",
        f"per model and pass: {args.warmup} warm-up runs per level, then {args.rounds} interleaved "
        f"rounds (all, none); {args.passes} passes over the zoo; best = the lowest pass median, "
        "median and quartiles (q1, q3) of all runs, in microseconds; load1 = load average after "
        "each pass of the model",
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
    print(f"timed {started:%H:%M:%S}-{datetime.datetime.now(datetime.UTC):%H:%M:%S} UTC; "
          + "; ".join(spread(level, [runs[entry.name][level] for entry in entries]) for level in LEVELS))


def spread(level: str, models: list[list[list[float]]]) -> str:
    """How far a level's passes disagree: per model the slowest pass median over the
    fastest, its median over the models, and the share of models within 10 %."""
    ratios = [max(medians) / min(medians)
              for medians in ([statistics.median(times) for times in passes] for passes in models)]
    return (f"{level}: slowest/fastest pass median x{statistics.median(ratios):.3f}, "
            f"all passes within 10 % for {100 * sum(r <= 1.10 for r in ratios) / len(ratios):.0f} %")


if __name__ == "__main__":
    main()
