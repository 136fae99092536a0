"""Validate latency profiles: predicted (report --latency) vs measured onnxruntime latency of
every zoo spec and variant, for optimizations on (``all``) and off (``none``).

Prints per model predicted and measured ms and the error, then Spearman ρ, the median
absolute percentage error and the share within ±10 % per level. Measurements come from
benchmarks/bench_runtime.py's procedure (1 thread, CPU clock, interleaved rounds) —
re-run here with ``--measure`` (one pass), else read from its CSV (benchmarks/runtime_zoo.csv:
the lowest of its passes' medians).

    python benchmarks/bench_latency.py [--all PROFILE] [--none PROFILE] [--measure --rounds 9]

``--onnx DIR`` validates on the ONNX files in DIR instead (networks exported from their
reference implementations, e.g. a held-out set): each is imported as `report X.onnx
--latency` does and the file itself is timed as bench_runtime.py times the zoo (``--passes``
passes of ``--rounds`` interleaved rounds, the lowest pass median); a file the import
refuses is listed and left out.

    python benchmarks/bench_latency.py --onnx /work/heldout [--glob '*.ts17.onnx'] [--passes 5 --rounds 3]

``--drift`` first times the profiles' reference models (calibrate.REFERENCES) as their
calibration did and prints how much slower (> 1) or faster this machine runs them now
(the geometric mean of now / then), then also scores the predictions scaled by it
("anchored"): on a shared VM whose speed moves by tens of percent between windows, that
separates the model's error from the machine's drift.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

import numpy as np
import onnxruntime

from costmodel.graph import Network
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


def onnx_models(folder: Path, passes: int, rounds: int,
                pattern: str = "*.onnx") -> list[tuple[str, Network, dict[str, float]]]:
    """Each importable ONNX file of ``folder`` matching ``pattern``: its name, imported
    network and measured latency per level (µs, the lowest of ``passes`` pass medians)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_runtime import best, time_exported

    from costmodel.errors import SpecError
    from costmodel.graph import build
    from costmodel.importer import load_onnx

    models = []
    for path in sorted(folder.glob(pattern)):
        try:
            network = build(load_onnx(str(path)), str(path), {})
        except SpecError as error:
            print(f"{path.name}: not imported ({str(error).splitlines()[0][:100]})", flush=True)
            continue
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        feed = session.get_inputs()[0]
        shape = [dim if isinstance(dim, int) else 1 for dim in feed.shape]
        feeds = {feed.name: np.random.default_rng(0).standard_normal(shape, dtype=np.float32)}
        models.append((path.stem, network, (path.read_bytes(), feeds)))
    runs: dict[str, dict[str, list[list[float]]]] = {name: {level: [] for level in LEVELS} for name, _, _ in models}
    for _ in range(passes):
        for name, _, model in models:
            times = time_exported(model, rounds, 2)
            for level in LEVELS:
                runs[name][level].append(times[level])
    return [(name, network, {level: best(runs[name][level]) for level in LEVELS}) for name, network, _ in models]


def drift(profiles: dict[str, DeviceProfile]) -> dict[str, float]:
    """Per level: the reference models' time now over the profile's (geometric mean); 1
    for a profile without references."""
    from costmodel.latency.calibrate import measure_references

    factors = {}
    for level, profile in profiles.items():
        if not profile.reference_us:
            factors[level] = 1.0
            print(f"drift {level}: the profile records no reference times")
            continue
        now = measure_references(optimize=level, runtime_name="onnxruntime", rounds=5, runs=7)
        ratios = {name: now[name] / then for name, then in profile.reference_us.items() if then > 0}
        factors[level] = float(np.exp(np.mean(np.log(list(ratios.values())))))
        print(f"drift {level}: x{factors[level]:.3f} since calibration ("
              + ", ".join(f"{name} x{ratio:.3f}" for name, ratio in ratios.items()) + ")", flush=True)
    return factors


def summary(results: dict[str, list[tuple[str, float, float]]], factors: dict[str, float] | None = None) -> None:
    """Per level: Spearman ρ, median |error|, the share within ±10 % and the misses; with
    ``factors``, again with each prediction scaled by its level's drift ("anchored")."""
    for level in LEVELS:
        score(level, results[level])
    for level, factor in (factors or {}).items():
        score(f"{level} anchored x{factor:.3f}", [(name, p * factor, m) for name, p, m in results[level]])


def score(label: str, rows: list[tuple[str, float, float]]) -> None:
    """One summary line of (name, predicted, measured) rows."""
    if not rows:
        print(f"{label}: no models")
        return
    errors = [abs(p / m - 1) for _, p, m in rows]
    rho = spearman([p for _, p, _ in rows], [m for _, _, m in rows]) if len(rows) > 1 else float("nan")
    within = sum(e <= 0.10 for e in errors) / len(errors)
    misses = ", ".join(f"{name} {100 * (p / m - 1):+.0f}%" for name, p, m in rows if abs(p / m - 1) > 0.10)
    print(f"{label}: {len(rows)} models, Spearman {rho:.3f}, median |err| "
          f"{100 * statistics.median(errors):.1f}%, within ±10% {100 * within:.0f}%; misses: {misses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", type=Path, default=shipped_profile("all")[0])
    parser.add_argument("--none", type=Path, default=shipped_profile("none")[0])
    parser.add_argument("--measured", type=Path, default=ROOT / "benchmarks" / "runtime_zoo.csv")
    parser.add_argument("--measure", action="store_true", help="Measure now instead of the CSV.")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--only", default="")
    parser.add_argument("--onnx", type=Path, help="Validate on the ONNX files in this folder.")
    parser.add_argument("--glob", default="*.onnx", help="Which files of --onnx (a glob pattern).")
    parser.add_argument("--passes", type=int, default=5, help="Passes over the --onnx files.")
    parser.add_argument("--drift", action="store_true", help="Time the profiles' reference models "
                        "first; also score the predictions scaled by the drift.")
    args = parser.parse_args()
    profiles = {"all": DeviceProfile.load(args.all), "none": DeviceProfile.load(args.none)}
    factors = drift(profiles) if args.drift else None
    results: dict[str, list[tuple[str, float, float]]] = {level: [] for level in LEVELS}
    if args.onnx is not None:
        print(f"{'model':32} {'all pred':>9} {'meas':>8} {'err%':>6}  {'none pred':>9} {'meas':>8} {'err%':>6}")
        for name, network, measured in onnx_models(args.onnx, args.passes, args.rounds, args.glob):
            print(f"{name:32} {row(network, measured, profiles, name, results)}", flush=True)
        summary(results, factors)
        return
    known = {} if args.measure else measured_csv(args.measured)
    if args.measure:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_runtime import time_model
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
        print(f"{entry.name:32} {row(entry.analysis.network, measured, profiles, entry.name, results)}", flush=True)
    summary(results, factors)


def row(network: Network, measured: dict[str, float], profiles: dict[str, DeviceProfile], name: str,
        results: dict[str, list[tuple[str, float, float]]]) -> str:
    """A model's predicted and measured ms and error per level (kept in ``results``)."""
    cells = []
    for level in LEVELS:
        predicted = predict(network, profiles[level])[1]
        results[level].append((name, predicted, measured[level]))
        cells.append(f"{predicted / 1e3:9.2f} {measured[level] / 1e3:8.2f} "
                     f"{100 * (predicted / measured[level] - 1):+6.1f}")
    return "  ".join(cells)


if __name__ == "__main__":
    main()
