"""Time `report`, `lint` and `check` on generated 1k/10k/100k-layer specs; print the growth
and each run's peak memory.

Three shapes of network, all at 8 channels (the parameter ``width``, so ``sweep`` has an
axis) and 8×8 resolution so the time is the tool's, not the arithmetic's: conv 3×3, BN,
ReLU written layer by layer (``written``; from ~22,000 layers such a file has more YAML
values than a spec may), the same as a repeated user block (``chain``), and a repeated
residual block whose layers name their ``inputs`` (``branchy``: a 3×3 conv and ReLU beside
a 1×1 conv, then an add). Each run is a fresh ``costmodel`` process, as a user runs it; its
CPU time (user + system) and peak resident memory come from the kernel's accounting of
that child (``wait4``), as wall time on a shared machine measures the neighbours. ``export``
and ``sweep`` (two points of ``width``) can be timed too (``--commands``).

``--timeout`` is CPU seconds too (the child's RLIMIT_CPU), so a run is cut for its own
work, never because a loaded machine (or ``nice``) gave it little of the CPU: a 17 s
``check`` of 100,000 layers took 52 s of wall time at load 10. A wall-clock backstop of
ten times that, at least 10 minutes, only catches a run that waits without working.

The costmodel package is byte-compiled first, as ``pip install`` leaves it: without its
``.pyc`` files (a source checkout run with PYTHONDONTWRITEBYTECODE set, as on the shared
machine) every process compiles the modules it imports again (``report`` of the
1,000-layer chain: 0.40–0.43 s of CPU with them, 0.46–0.52 s without).

Targets (issue 9): 10,000 layers ≤ 2 s and 100,000 layers ≤ 20 s of CPU for each command,
within 2 GiB; a network past the node limit (100,000 ops, MAX_NETWORK_NODES; e.g.
``--sizes 200000``) is refused in one line. The growth exponent between sizes a and b is
log(t_b / t_a) / log(b / a): 1 is linear.

    python benchmarks/bench_scaling.py [--sizes 1000,10000,100000] [--timeout 120] [--repeat 3]

``--sizes 3 --shapes written`` times start-up: a 3-layer spec is what every command pays
before its work (imports, the spec classes). Building the layer classes on first use cut
it from 0.89 to 0.74 s (report), 0.90 to 0.73 s (lint) and 1.09 to 0.93 s (check): medians
of 5 runs at load 6–10, 2026-12-03.
"""

from __future__ import annotations

import argparse
import compileall
import math
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

HEADER = "model: {name}\nparams:\n  width: {{default: 8, min: 1}}\ninput: [8, 8, 8]\n"
COMMANDS = {"report": ["report"], "lint": ["lint"], "check": ["check"],
            "export": ["export", "--force", "-o", "{folder}/out.onnx"],
            "sweep": ["sweep", "--set-range", "width=8,16"]}
DEFAULT_COMMANDS = "report,lint,check"


def written(layers: int) -> str:
    """conv, batchnorm, relu, … written out layer by layer in one list."""
    pattern = ("  - {op: conv2d, out: width, kernel: 3, padding: 1}\n",
               "  - {op: batchnorm}\n",
               "  - {op: relu}\n")
    return HEADER.format(name="written") + "layers:\n" + "".join(
        pattern[i % 3] for i in range(layers))


def chain(layers: int) -> str:
    """A user block (conv, batchnorm, relu) repeated: ``layers`` / 3 top-level blocks."""
    return HEADER.format(name="chain") + (
        "blocks:\n  unit:\n    layers:\n"
        "      - {op: conv2d, out: width, kernel: 3, padding: 1}\n"
        "      - {op: batchnorm}\n      - {op: relu}\n"
        f"layers:\n  - {{name: body, op: unit, repeat: {max(1, layers // 3)}}}\n")


def branchy(layers: int) -> str:
    """A residual user block whose layers name their inputs (3×3 conv and ReLU beside a
    1×1 conv, then an add), repeated: ``layers`` / 4 top-level blocks."""
    return HEADER.format(name="branchy") + (
        "blocks:\n  unit:\n    layers:\n"
        "      - {name: a, op: conv2d, out: width, kernel: 3, padding: 1, inputs: input}\n"
        "      - {name: b, op: relu, inputs: a}\n"
        "      - {name: c, op: conv2d, out: width, kernel: 1, inputs: input}\n"
        "      - {name: u, op: add, inputs: [b, c]}\n"
        f"layers:\n  - {{name: body, op: unit, repeat: {max(1, layers // 4)}}}\n")


SHAPES = {"written": written, "chain": chain, "branchy": branchy}

REFUSALS: list[str] = []
"""Runs that did not exit 0 or 1, with their last stderr line (printed after the table: a
refusal such as the 4 MiB file limit is a result, not a crash)."""


def timed(command: list[str], timeout: float) -> str | tuple[float, int]:
    """(CPU seconds, peak resident bytes) of one fresh process; a word when it ran out of
    ``timeout`` CPU seconds (or of the wall-clock backstop) or refused the spec."""
    seconds = math.ceil(timeout)

    def limit_cpu() -> None:  # in the child: SIGXCPU at the soft limit, SIGKILL a second later
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))

    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr,
                                   preexec_fn=limit_cpu)
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            process.kill()

        timer = threading.Timer(max(600.0, 10.0 * timeout), kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, max RSS included
        timer.cancel()
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if fired.is_set() or code in (-signal.SIGXCPU, -signal.SIGKILL):
            return "timeout"
        if code not in (0, 1):
            stderr.seek(0)
            last = (stderr.read().decode(errors="replace").strip().splitlines() or [""])[-1]
            REFUSALS.append(f"{' '.join(command[1:])}: exit {code}: {last[:200]}")
            return f"exit {code}"
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _median(results: list[str | tuple[float, int]]) -> str | tuple[float, int]:
    """The run of median CPU time (the first refusal or timeout, if any)."""
    failed = [result for result in results if isinstance(result, str)]
    if failed:
        return failed[0]
    ordered = sorted(result for result in results if not isinstance(result, str))
    return ordered[len(ordered) // 2]


def _cell(result: str | tuple[float, int]) -> str:
    if isinstance(result, str):
        return f"{result:>16}"
    seconds, memory = result
    return f"{seconds:>7.2f}s {memory / 2**20:>6.0f}M"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="CPU seconds a run may take (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each command, the median shown (a shared machine is noisy)")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--commands", default=DEFAULT_COMMANDS,
                        help=f"any of {','.join(COMMANDS)} (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    executable = shutil.which("costmodel") or "costmodel"
    import costmodel

    compileall.compile_dir(str(Path(costmodel.__file__).parent), quiet=1)
    print(f"{'spec':<8} {'command':<7} " + " ".join(f"{size:>16,}" for size in sizes)
          + "  growth exponents (CPU seconds, peak RSS)")
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes.split(","):
            paths = []
            for size in sizes:
                path = Path(folder) / f"{shape}_{size}.yaml"
                path.write_text(SHAPES[shape](size))
                paths.append(path)
            for command in args.commands.split(","):
                words = [word.format(folder=folder) for word in COMMANDS[command]]
                results = [_median([timed([executable, *words, str(path)], args.timeout)
                                    for _ in range(args.repeat)]) for path in paths]
                growth = [f"{math.log(tb[0] / ta[0]) / math.log(b / a):.2f}"
                          if isinstance(ta, tuple) and isinstance(tb, tuple) else "—"
                          for a, ta, b, tb in zip(sizes, results, sizes[1:], results[1:])]
                print(f"{shape:<8} {command:<7} {' '.join(map(_cell, results))}  {' '.join(growth)}",
                      flush=True)
    for refusal in dict.fromkeys(REFUSALS):  # once, however many repeats
        print(f"refused: {refusal}")


if __name__ == "__main__":
    main()
