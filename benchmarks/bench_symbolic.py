"""CPU time of `report --symbolic` and `report --symbolic --relaxed` on every shipped spec.

Target (issue 9): each under 4 s of CPU on the 2-core machine (the hostile corpus answers
every input within 10 s). With ``--variants``, also each variant of each spec whose bindings
differ from the defaults: its bindings ``--set`` (every parameter still symbolic, the
structure that at the variant's values). Each command runs
in a fresh process, output discarded; the CPU
time is the child's own (user + system, from ``wait4``), so a loaded machine slows the run
without inflating the figures much. Prints one row per spec, slowest first, and the exit
status (2: a one-line refusal, e.g. a parameter that cannot be decided symbolically).

    python benchmarks/bench_symbolic.py [--specs GLOB] [--variants] [--target 4]
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


def cases(pattern: str, variants: bool) -> list[tuple[str, Path, list[str]]]:
    """(label, spec, options before the symbolic ones) of each spec matching ``pattern``
    and, with ``variants``, of each variant whose bindings differ from the defaults."""
    sys.path.insert(0, str(ROOT))
    from costmodel.spec.load import load_spec

    result = []
    for spec in sorted((ROOT / "specs").glob(pattern)):
        result.append((spec.stem, spec, []))
        if not variants:
            continue
        model = load_spec(spec)
        seen: set[tuple[tuple[str, str], ...]] = set()
        for variant in model.variants:
            bound = tuple(sorted((name, str(value)) for name, value in variant.bindings.items()
                                 if str(value) != str(model.params[name].default)))
            if not bound or bound in seen:
                continue
            seen.add(bound)
            options = [item for name, value in bound for item in ("--set", f"{name}={value}")]
            result.append((f"{spec.stem}@{variant.name}", spec, options))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", default="*.yaml", help="glob under specs/")
    parser.add_argument("--target", type=float, default=4.0, help="CPU seconds each command must stay under")
    parser.add_argument("--variants", action="store_true", help="also each variant of each spec")
    args = parser.parse_args()
    prefix = [sys.executable, "-c", "from costmodel.cli import main; main(prog_name='costmodel')"]
    rows = []
    for label, spec, bound in cases(args.specs, args.variants):
        times = {name: cpu_seconds([*prefix, "report", str(spec), *bound, *options])
                 for name, options in COMMANDS.items()}
        rows.append((label, times))
        print(f"{label:40} " + "  ".join(f"{name} {t:5.2f} s (exit {s})"
                                         for name, (t, s) in times.items()), flush=True)
    over = [(stem, name, t) for stem, times in rows for name, (t, _) in times.items() if t >= args.target]
    slowest = sorted(((t, stem, name) for stem, times in rows for name, (t, _) in times.items()), reverse=True)
    print("slowest: " + ", ".join(f"{stem} {name} {t:.2f} s" for t, stem, name in slowest[:5]))
    print(f"{len(rows)} specs, {len(over)} command(s) at or over {args.target:g} s CPU"
          + "".join(f"\n  over: {stem} {name} {t:.2f} s" for stem, name, t in over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
