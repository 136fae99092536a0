"""Time ``costmodel lint`` over every spec of the zoo (target: under 10 s in total).

Run: python benchmarks/bench_lint.py   (all rules, per-op view, plus the D4 peak-memory
search, which the default run skips because its budget is off)
"""

from __future__ import annotations

import time
from pathlib import Path

from costmodel.lint import LintOptions, lint_path

SPECS = sorted((Path(__file__).parents[1] / "specs").glob("*.yaml"))


def main() -> None:
    options = LintOptions(overrides={"D4": {"budget": 256 * 1024}})
    start = time.perf_counter()
    total = 0
    for spec in SPECS:
        begin = time.perf_counter()
        findings = lint_path(spec, options=options)
        total += len(findings)
        print(f"{spec.name:28} {len(findings):4} findings {time.perf_counter() - begin:6.3f} s")
    elapsed = time.perf_counter() - start
    print(f"{len(SPECS)} specs, {total} findings, {elapsed:.2f} s (target < 10 s)")


if __name__ == "__main__":
    main()
