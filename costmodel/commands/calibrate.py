"""``costmodel calibrate``: micro-benchmark single kernels and fit a device profile."""

from __future__ import annotations

import click

from costmodel.commands.common import WholeNumber, seed_option, spec_errors
from costmodel.commands.optional import require
from costmodel.commands.progress import progress_bar
from costmodel.commands.runtime_options import optimize_option, runtime_option
from costmodel.errors import printable

__all__ = ["calibrate", "MAX_POINTS", "MAX_ROUNDS"]

MAX_POINTS = 1_000
"""Most grid points per kernel kind (each is a model built and timed every round)."""
MAX_ROUNDS = 100
"""Most timing rounds over the whole grid."""


def _round(text: str) -> tuple[int, int]:
    """``"round 2/3"`` (latency.calibrate's progress text) → (2, 3); other text → (0, 1)."""
    done, _, total = text.rpartition(" ")[2].partition("/")
    return (int(done), int(total)) if done.isdigit() and total.isdigit() else (0, 1)


@click.command()
@runtime_option
@click.option("--threads", default=1, show_default=True, type=WholeNumber(1, 1),
              help="Intra-op threads (1: timed by the calling thread's CPU clock).")
@optimize_option("Runtime graph optimizations (fused kernels) on or off.")
@click.option("--points", default=48, show_default=True, type=WholeNumber(2, MAX_POINTS),
              help=f"Grid points (single-kernel models) per kernel kind; at most {MAX_POINTS:,}.")
@click.option("--rounds", default=5, show_default=True, type=WholeNumber(1, MAX_ROUNDS),
              help="Interleaved timing rounds over the grid (5: ~2 min per level on a "
                   f"2-core AMD EPYC; more rounds, steadier times); at most {MAX_ROUNDS}.")
@seed_option("Seed of the grid, weights and inputs.")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Where to write the device profile (JSON); an existing FILE only with --force.")
@click.option("--force", is_flag=True, help="Let -o replace an existing file (whole).")
@click.pass_context
def calibrate(ctx: click.Context, runtime_name: str, threads: int, optimize: str, points: int,
              rounds: int, seed: int, output: str, force: bool) -> None:
    """Fit a latency profile of this device from micro-benchmarks of single kernels.

    Times one-kernel models (convs dense/pointwise/depthwise/grouped with their fused BN
    and activation, 3x as many as --points, over the design space of efficient CNNs; linear,
    pooling, activations, add/mul, concat/split/shuffle) and fits per kind
    t = (overhead + max(maccs/P, bytes/B)) * exp(c): for convs and linears c is a locally
    weighted linear fit of the points' ln(t / roofline) in ln C_in, ln C_out, ln positions,
    ln window, ln stride, ln groups; for the other kinds c = w . [1, ln C_out, ln positions]
    (~2 min per level at --points 48 --rounds 5 on a 2-core AMD EPYC). Use it with
    `report --latency FILE`.

    Example: costmodel calibrate --optimize none -o mydevice.json
    """
    require(runtime_name, "calibrate")
    from costmodel.latency.calibrate import calibrate as run
    from costmodel.outputs import check_output, write_output

    with spec_errors(ctx.obj["debug"]):
        check_output(output, overwrite=force)  # refuse before the minutes of benchmarking
        with progress_bar("benchmark rounds", delay=0) as progress:
            profile, found = run(points, optimize=optimize, runtime_name=runtime_name, rounds=rounds,
                                 seed=seed, progress=lambda text: progress(*_round(text)))
        write_output(output, profile.to_json(), overwrite=force)
    click.echo(f"{printable(output)}: {len(found)} kernels on {profile.cpu}, {profile.runtime} "
               f"{profile.version}, optimize={optimize}")
