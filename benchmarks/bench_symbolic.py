"""CPU time of `report --symbolic` and `report --symbolic --relaxed` on every shipped spec.

Target (issue 9): each under 4 s of CPU on the 2-core machine (the hostile corpus answers
every input within 10 s). Each command runs in a fresh process, output discarded; the CPU
time is the child's own (user + system, from ``wait4``), so a loaded machine slows the run
without inflating the figures much. Prints one row per spec, slowest first, and the exit
status (2: a one-line refusal, e.g. a parameter that cannot be decided symbolically).

    python benchmarks/bench_symbolic.py [--specs GLOB] [--target 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {"symbolic": ["--symbolic"], "relaxed": ["--symbolic", "--relaxed", "--totals-only"]}
"""Column → the options after `report SPEC` (the corpus's case is the relaxed one)."""


def cpu_seconds(argv: list[str]) -> tuple[float, int]:
    """(CPU seconds, exit status) of one fresh process running ``argv``."""
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", default="*.yaml", help="glob under specs/")
    parser.add_argument("--target", type=float, default=4.0, help="CPU seconds each command must stay under")
    args = parser.parse_args()
    prefix = [sys.executable, "-c", "from costmodel.cli import main; main(prog_name='costmodel')"]
    rows = []
    for spec in sorted((ROOT / "specs").glob(args.specs)):
        times = {name: cpu_seconds([*prefix, "report", str(spec), *options])
                 for name, options in COMMANDS.items()}
        rows.append((spec.stem, times))
        print(f"{spec.stem:32} " + "  ".join(f"{name} {t:5.2f} s (exit {s})"
                                              for name, (t, s) in times.items()), flush=True)
    over = [(stem, name, t) for stem, times in rows for name, (t, _) in times.items() if t >= args.target]
    slowest = sorted(((t, stem, name) for stem, times in rows for name, (t, _) in times.items()), reverse=True)
    print("slowest: " + ", ".join(f"{stem} {name} {t:.2f} s" for t, stem, name in slowest[:5]))
    print(f"{len(rows)} specs, {len(over)} command(s) at or over {args.target:g} s CPU"
          + "".join(f"\n  over: {stem} {name} {t:.2f} s" for stem, name, t in over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
