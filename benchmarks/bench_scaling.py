"""Time `report`, `lint` and `check` on generated 1k/10k/100k-layer specs; print the growth.

Three shapes of network, all at 8 channels and 8×8 resolution so the time is the tool's,
not the arithmetic's: conv 3×3, BN, ReLU written layer by layer (``written``; 100,000
such lines exceed the 4 MiB file limit), the same as a repeated user block (``chain``),
and a repeated residual block whose layers name their ``inputs`` (``branchy``: a 3×3 conv
and ReLU beside a 1×1 conv, then an add). Each run is a fresh ``costmodel`` process;
its CPU time (user + system, from the kernel's accounting of the child) is printed, as
wall time on a shared machine measures the neighbours.

Targets (issue 9): 10,000 layers ≤ 2 s, 100,000 layers ≤ 20 s for each command. The growth
exponent between sizes a and b is log(t_b / t_a) / log(b / a): 1 is linear.

    python benchmarks/bench_scaling.py [--sizes 1000,10000,100000] [--timeout 120]
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

HEADER = "model: {name}\ninput: [8, 8, 8]\n"
COMMANDS = {"report": ["report"], "lint": ["lint"], "check": ["check"]}


def written(layers: int) -> str:
    """conv, batchnorm, relu, … written out layer by layer in one list."""
    pattern = ("  - {op: conv2d, out: 8, kernel: 3, padding: 1}\n",
               "  - {op: batchnorm}\n",
               "  - {op: relu}\n")
    return HEADER.format(name="written") + "layers:\n" + "".join(
        pattern[i % 3] for i in range(layers))


def chain(layers: int) -> str:
    """A user block (conv, batchnorm, relu) repeated: ``layers`` / 3 top-level blocks."""
    return HEADER.format(name="chain") + (
        "blocks:\n  unit:\n    layers:\n"
        "      - {op: conv2d, out: 8, kernel: 3, padding: 1}\n"
        "      - {op: batchnorm}\n      - {op: relu}\n"
        f"layers:\n  - {{name: body, op: unit, repeat: {max(1, layers // 3)}}}\n")


def branchy(layers: int) -> str:
    """A residual user block whose layers name their inputs (3×3 conv and ReLU beside a
    1×1 conv, then an add), repeated: ``layers`` / 4 top-level blocks."""
    return HEADER.format(name="branchy") + (
        "blocks:\n  unit:\n    layers:\n"
        "      - {name: a, op: conv2d, out: 8, kernel: 3, padding: 1, inputs: input}\n"
        "      - {name: b, op: relu, inputs: a}\n"
        "      - {name: c, op: conv2d, out: 8, kernel: 1, inputs: input}\n"
        "      - {name: u, op: add, inputs: [b, c]}\n"
        f"layers:\n  - {{name: body, op: unit, repeat: {max(1, layers // 4)}}}\n")


SHAPES = {"written": written, "chain": chain, "branchy": branchy}

REFUSALS: list[str] = []
"""Runs that did not exit 0 or 1, with their last stderr line (printed after the table: a
refusal such as the 4 MiB file limit is a result, not a crash)."""


def timed(command: list[str], timeout: float) -> str | float:
    """CPU seconds of one fresh process; a word when it timed out or refused the spec."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=timeout, check=False, text=True)
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode not in (0, 1):
        REFUSALS.append(f"{' '.join(command[1:])}: exit {done.returncode}: "
                        f"{(done.stderr.strip().splitlines() or [''])[-1][:200]}")
        return f"exit {done.returncode}"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--commands", default=",".join(COMMANDS))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    executable = shutil.which("costmodel") or "costmodel"
    print(f"{'spec':<8} {'command':<7} " + " ".join(f"{size:>9,}" for size in sizes)
          + "  growth exponents (CPU seconds)")
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes.split(","):
            paths = []
            for size in sizes:
                path = Path(folder) / f"{shape}_{size}.yaml"
                path.write_text(SHAPES[shape](size))
                paths.append(path)
            for command in args.commands.split(","):
                times = [timed([executable, *COMMANDS[command], str(path)], args.timeout)
                         for path in paths]
                cells = " ".join(f"{t:>8.2f}s" if isinstance(t, float) else f"{t:>9}"
                                 for t in times)
                growth = [f"{math.log(tb / ta) / math.log(b / a):.2f}"
                          if isinstance(ta, float) and isinstance(tb, float) else "—"
                          for a, ta, b, tb in zip(sizes, times, sizes[1:], times[1:])]
                print(f"{shape:<8} {command:<7} {cells}  {' '.join(growth)}", flush=True)
    for refusal in REFUSALS:
        print(f"refused: {refusal}")


if __name__ == "__main__":
    main()
