"""Time each spec's report (all of its variants, load + build + analysis + JSON totals)
and the whole zoo (`costmodel zoo` minus the file write). Targets: each spec well under
1 s, the whole zoo under 15 s. Prints medians of --repeat runs.

    python benchmarks/bench_zoo.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from costmodel.api import analyze
from costmodel.report.formats import ReportOptions, to_json_data
from costmodel.report.zoo_markdown import render_zoo_markdown
from costmodel.spec.load import load_spec
from costmodel.zoo import collect, spec_paths, zoo_variants

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(f"{'spec / variant':48} median")
    for path in spec_paths(ROOT / "specs"):
        for variant in zoo_variants(load_spec(path)):
            def report(path=path, bindings=variant.bindings) -> None:
                to_json_data(analyze(path, **bindings), ReportOptions())
            print(f"{path.name + ' ' + variant.name:48} {median_seconds(report, repeat) * 1000:7.1f} ms")
    whole = median_seconds(lambda: render_zoo_markdown(collect(ROOT / "specs"),
                                                       ROOT / "docs/zoo_notes"), repeat)
    print(f"{'whole zoo (collect + docs/zoo.md text)':48} {whole * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
