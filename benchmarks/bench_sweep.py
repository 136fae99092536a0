"""Sweep speed: the grids of MobileNetV2 by phase, then the worst cases of ``costmodel sweep``
as the command runs them, with CPU time and peak memory.

1. MobileNetV2 over (α, resolution) grids of 10⁴, 10⁵ and 10⁶ points, α from 0.350 (one
   structure) and from 0.100 (the inverted residuals gain adds below α ≈ 0.35: several
   structures, one build each). Each grid in a fresh process: wall and CPU time including
   imports, the builds ("compile") and the gathering ("evaluate") apart; 5 sampled points
   checked against ``costmodel.analyze``.
2. The worst cases, each ``costmodel sweep …`` in a fresh process, ``--repeat`` times: the
   median CPU time (user + sys, the steady figure on a shared machine), the median wall
   time, the largest peak RSS, and the outcome (rows written, or the one-line refusal).
   The hostile corpus runs every input under 10 s CPU, 10 s wall and 2 GiB.
3. With ``--all-specs``: every spec of specs/ with a width parameter over 10⁶ widths.

    python benchmarks/bench_sweep.py                 # 1 and 2
    python benchmarks/bench_sweep.py --all-specs     # 1, 2 and 3
    python benchmarks/bench_sweep.py 100 1000 1000   # one grid of part 1: α from 0.100, 1000 × 1000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "mobilenet_v2.yaml"
SIZES = ((100, 100), (250, 400), (1000, 1000))
"""(α values, resolutions): 10⁴, 10⁵ and 10⁶ points."""
FIRST_ALPHAS = {"α from 0.350 (one structure)": 350, "α from 0.100 (structures change)": 100}

V2 = "specs/mobilenet_v2.yaml"
WIDE = ["--width", "0.1:100:0.0001"]
"""999,001 widths: the longest axis the point limit allows."""
SQUARE = ["--width", "0.1:1.099:0.001", "--resolution", "96:1095:1"]
"""1000 widths × 1000 resolutions."""
WORST = [
    ("MobileNetV2, 10⁶ widths, csv", [V2, *WIDE]),
    ("MobileNetV2, 1000 α × 1000 r, csv", [V2, *SQUARE]),
    ("MobileNetV2, 1000 α × 100 r, json (10⁵ rows)",
     [V2, "--width", "0.1:1.099:0.001", "--resolution", "96:195:1", "--format", "json"]),
    ("MobileNetV2, 200 α × 10 r, table (2,000 rows)",
     [V2, "--width", "0.1:2.09:0.01", "--resolution", "96:105:1", "--format", "table"]),
    ("MobileNetV2, 10⁶ widths, csv + --plot", [V2, *WIDE, "--plot", "{tmp}/wide.png"]),
    ("MobileNetV2, 1000 α × 1000 r, csv + --plot", [V2, *SQUARE, "--plot", "{tmp}/square.png"]),
    ("MobileNetV2, 1000 α × 1000 r, csv + --closed-form", [V2, *SQUARE, "--closed-form"]),
    ("MobileNetV2, 10⁶ classes (--set-range)", [V2, "--set-range", "classes=1:1000000:1"]),
    ("GhostNet, 10⁶ widths", ["specs/ghostnet.yaml", *WIDE]),
    ("GhostNet, 2·10⁵ widths", ["specs/ghostnet.yaml", "--width", "0.1:20.0999:0.0001"]),
    ("MobileNetV3-Large, 10⁶ widths", ["specs/mobilenet_v3_large.yaml", *WIDE]),
    ("EfficientNet-B3 (depth 1.4), 10⁶ widths",
     ["specs/efficientnet_b0.yaml", "--set", "depth=1.4", "--set", "resolution=300", *WIDE]),
    ("EfficientNet-B0, 291 depths (a structure each)",
     ["specs/efficientnet_b0.yaml", "--set-range", "depth=0.1:3:0.01"]),
    ("EfficientNet-B0, 991 depths (refused on the way)",
     ["specs/efficientnet_b0.yaml", "--set-range", "depth=0.1:10:0.01"]),
    # within the declared domain (≤ 100,000); multiples of 48: filters = p // 24 stays even,
    # one structure (an odd one changes the factorized reductions' halves: a split each)
    ("NASNet-A, 2,074 penultimate filters × 10 r",
     ["specs/nasnet_a_mobile.yaml", "--set-range", "penultimate_filters=480:99984:48",
      "--resolution", "224:233:1"]),
    ("MobileOne, 1000 branch counts (refused on the first split)",
     ["specs/mobileone.yaml", "--set-range", "branches=1:1000:1"]),
    ("MobileNetV2, 1000 points --method exact (refused up front)",
     [V2, "--width", "0.1:100:0.1", "--method", "exact"]),
]


COMMAND = "import sys; from costmodel.cli import main; sys.argv[0] = 'costmodel'; main()"
"""``costmodel`` as its console script runs it."""


def run(first: int, widths: int, resolutions: int) -> dict[str, object]:
    """One grid of part 1 in this (fresh) process; its timings, then a few exactness checks."""
    started, cpu = time.perf_counter(), time.process_time()
    import costmodel
    from costmodel.lanes import reuse_memory

    reuse_memory()  # as `costmodel sweep` does in its process
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
            "builds": result.variants, **result.timings, "one_by_one": result.exact_points}


def phases() -> None:
    for label, first in FIRST_ALPHAS.items():
        print(f"MobileNetV2, {label}:")
        for widths, resolutions in SIZES:
            out = subprocess.run([sys.executable, __file__, str(first), str(widths), str(resolutions)],
                                 check=True, capture_output=True, text=True).stdout
            data = json.loads(out)
            print(f"  {widths:>4} α × {resolutions:>4} r = {data['points']:>9,} points: "
                  f"{data['wall']:.3f} s wall, {data['cpu']:.3f} s CPU (fresh process, imports "
                  f"included); compile {data['build']:.3f} s ({data['builds']} build(s)), "
                  f"evaluate {data['evaluate']:.3f} s, {data['one_by_one']} points one by one")
    print("every value exact (int64); 5 sampled points per grid equal costmodel.analyze")


def measure(args: list[str]) -> tuple[float, float, float, str]:
    """(CPU s, wall s, peak RSS MiB, outcome) of one ``costmodel sweep`` in a fresh process;
    csv to a temporary file (counted as rows), stderr's last line when it is refused."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", COMMAND, "sweep", *args],
                                   stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        rows = sum(1 for _ in out) - 1
        err.seek(0)
        lines = err.read().strip().splitlines()
    code = os.waitstatus_to_exitcode(status)
    outcome = f"{rows:,} lines out" if code == 0 else f"exit {code}: {lines[-1] if lines else ''}"
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, outcome


def worst(cases: list[tuple[str, list[str]]], repeat: int) -> None:
    print(f"\nworst cases: costmodel sweep in a fresh process, median of {repeat} "
          "(CPU = user + sys), peak RSS the largest")
    with tempfile.TemporaryDirectory() as tmp:
        for label, args in cases:
            runs = [measure([a.format(tmp=tmp) for a in args] + (["--format", "csv"]
                    if "--format" not in args else [])) for _ in range(repeat)]
            cpu = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            rss = max(r[2] for r in runs)
            print(f"  {label:<58} {cpu:6.2f} s CPU {wall:6.2f} s wall {rss:6.0f} MiB  {runs[-1][3][:160]}")


def all_specs() -> list[tuple[str, list[str]]]:
    sys.path.insert(0, str(ROOT))
    from costmodel.spec.load import load_spec

    return [(f"{path.stem}, 10⁶ widths", [str(path.relative_to(ROOT)), *WIDE])
            for path in sorted((ROOT / "specs").glob("*.yaml")) if "alpha" in load_spec(path).params]


def form_cases(pattern: str) -> list[tuple[str, list[str]]]:
    """Every command form of ``costmodel sweep`` at its documented limits over the specs
    matching ``pattern``: each declared parameter with numeric bounds over its domain
    (``--width`` for alpha, ``--resolution``, ``--set-range`` for the others) in csv at the
    grid limit and in a table of just over 64 points (the compiled path); the first such parameter at
    the json and table row limits; alpha × resolution at 1000 × 1000 in csv."""
    sys.path.insert(0, str(ROOT))
    from costmodel.analysis.sweep import EXACT_LIMIT, MAX_POINTS
    from costmodel.report.sweep_formats import ROW_LIMITS
    from costmodel.spec.load import load_spec

    cases = []
    for path in sorted((ROOT / "specs").glob(pattern)):
        spec, name = load_spec(path), str(path.relative_to(ROOT))

        bounded = [p for p in spec.params if _range(spec.params[p].min, spec.params[p].max, 2)]
        for position, param in enumerate(bounded):
            sizes = [(MAX_POINTS, "csv"), (EXACT_LIMIT + 2, "table")]
            if position == 0:
                sizes += [(ROW_LIMITS["json"], "json"), (ROW_LIMITS["table"], "table")]
            for points, fmt in sizes:
                argv = _values(spec, param, points)
                count = _count(argv[1].split("=")[-1])
                cases.append((f"{path.stem}: {param} × {count:,} {fmt}", [name, *argv, "--format", fmt]))
        if "alpha" in bounded and "resolution" in bounded:
            cases.append((f"{path.stem}: alpha × resolution 1000 × 1000 csv",
                          [name, *_values(spec, "alpha", 1000), *_values(spec, "resolution", 1000)]))
    return cases


def _values(spec: Any, param: str, points: int) -> list[str]:
    """The sweep option giving ``param`` at most ``points`` values over its domain."""
    option = {"alpha": "--width", "resolution": "--resolution"}.get(param, "--set-range")
    text = _range(spec.params[param].min, spec.params[param].max, points)
    return [option, f"{text}" if option != "--set-range" else f"{param}={text}"]


def _count(text: str) -> int:
    low, high, step = (Fraction(v) for v in text.split(":"))
    return int((high - low) / step) + 1


def _range(low: object, high: object, points: int) -> str | None:
    """``low:top:step`` with at most ``points`` values spread over [low, high] (the step
    whole for whole bounds, else a multiple of 10⁻⁶); None without numeric bounds."""
    if low is None or high is None:
        return None
    lo, hi = Fraction(str(low)), Fraction(str(high))
    unit = Fraction(1) if lo.denominator == hi.denominator == 1 else Fraction(1, 10**6)
    step = max(unit, math.ceil((hi - lo) / (points - 1) / unit) * unit)
    top = lo + step * int((hi - lo) / step)
    return ":".join(_decimal(v) for v in (lo, top, step))


def _decimal(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.10g}"


def main() -> None:
    if len(sys.argv) == 4 and all(a.isdigit() for a in sys.argv[1:]):
        print(json.dumps(run(*map(int, sys.argv[1:4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all-specs", action="store_true")
    parser.add_argument("--skip-phases", action="store_true")
    parser.add_argument("--only", metavar="TEXT", help="run the worst cases whose label holds TEXT")
    parser.add_argument("--forms", metavar="GLOB", help="instead: every sweep form at its limits "
                        "over the specs matching GLOB (e.g. 'm*.yaml'), one run each")
    options = parser.parse_args()
    if options.forms:
        worst(form_cases(options.forms), 1)
        return
    if not options.skip_phases:
        phases()
    worst([case for case in WORST if options.only is None or options.only in case[0]], options.repeat)
    if options.all_specs:
        worst(all_specs(), options.repeat)


if __name__ == "__main__":
    main()
