"""``costmodel sweep``: every total over a grid of parameter values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import click

from costmodel.arith import Number
from costmodel.commands.common import parse_bindings, set_option, spec_errors, split_list
from costmodel.commands.progress import progress_bar
from costmodel.errors import SpecError, printable
from costmodel.report.sweep_formats import ROW_LIMITS, SWEEP_RENDERERS
from costmodel.units import DTYPE_BYTES

__all__ = ["sweep", "parse_values"]


def parse_values(text: str, name: str, limit: int | None = None) -> Sequence[str | Number]:
    """``0.25,0.5,1`` → the list's texts; ``2:6:1`` → the exact numbers 2, 3, 4, 5, 6
    (inclusive, exact steps: an :class:`~costmodel.analysis.grid_axis.Axis`). More than ``limit``
    values (default: the grid limit) is an error, found before any value is made."""
    from costmodel.analysis.grid_axis import Axis
    from costmodel.analysis.sweep import MAX_POINTS, grid_values

    limit = MAX_POINTS if limit is None else limit
    if ":" not in text:
        values = split_list(text, name)
        count = len(values)
    else:
        parts = text.split(":")
        if len(parts) != 3:
            raise SpecError(f"'{text}' for {name}: use a list a,b,c or a range start:stop:step")
        start, stop, step = grid_values(parts)
        if step <= 0 or stop < start:
            raise SpecError(f"'{text}' for {name}: need start ≤ stop and step > 0")
        count = int((stop - start) // step) + 1
    if count > limit:
        raise SpecError(f"'{text}' for {name}: {count:,} values make a grid of more than "
                        f"{MAX_POINTS:,} points; sweep fewer values")
    if ":" not in text:
        return values
    return Axis.range(start, step, count)


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--width", default=None, metavar="LIST",
              help="Values of the width multiplier (the spec's 'alpha'), e.g. 0.25,0.5,0.75,1.")
@click.option("--resolution", default=None, metavar="LIST",
              help="Values of 'resolution', e.g. 128,160,192,224 or 96:224:32.")
@click.option("--set-range", "ranges", multiple=True, metavar="NAME=LIST",
              help="Sweep any declared parameter: NAME=a,b,c or NAME=start:stop:step "
                   "(inclusive). Repeatable.")
@set_option
@click.option("--format", "fmt", type=click.Choice(tuple(SWEEP_RENDERERS)), default="table", show_default=True,
              help="table: human units and % of the defaults; json/csv: exact integers.")
@click.option("--closed-form", is_flag=True,
              help="Also print each total as an exact expression in the swept parameters and "
                   "as a relaxed polynomial (rounding dropped) with its relative error.")
@click.option("--plot", "plot_path", default=None, metavar="FILE",
              help="Write a plot (.png or .svg; needs matplotlib): lines for one swept "
                   "parameter, heatmaps for two; published figures overlaid.")
@click.option("--method", type=click.Choice(("auto", "exact", "compiled")), default="auto",
              show_default=True, help="exact: one build per point; compiled: one build over the "
                                      "whole grid at once (one per structure met).")
@click.option("--latency", "latency", default=None, is_flag=False, flag_value="default", metavar="PROFILE",
              help="Add each point's predicted latency (µs, as `report --latency`) from a device "
                   "profile (bare --latency: the shipped profile of this CPU; latency is "
                   "device-specific); each point is built: at most 2,000 points.")
@click.option("--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default="fp32", show_default=True,
              help="Element size for mem_access_bytes.")
@click.pass_context
def sweep(ctx: click.Context, spec: str, width: str | None, resolution: str | None,
          ranges: tuple[str, ...], assignments: tuple[str, ...], fmt: str, closed_form: bool,
          plot_path: str | None, method: str, dtype: str, latency: str | None) -> None:
    """Every total of SPEC at every point of a grid of parameter values, exactly.

    Totals: params, maccs, mem_access, elementwise, fragments, buffers, mem_access_bytes
    (as in `report --format json`); the table adds each point's maccs and params as a
    percentage of the spec's defaults.

    Example: costmodel sweep specs/mobilenet_v1.yaml --width 0.25,0.5,0.75,1
    --resolution 128,160,192,224 --closed-form --plot grid.png
    """
    from costmodel.analysis.sweep import MAX_POINTS
    from costmodel.analysis.sweep import sweep as run_sweep
    from costmodel.latency.sweep import MAX_LATENCY_POINTS
    from costmodel.report.sweep_formats import render_closed_forms
    from costmodel.spec.load import load_spec

    with spec_errors(ctx.obj["debug"]):
        axes: dict[str, Any] = {}  # parameter → its values (Sequence[str | Number])
        try:
            swept = [(n, t) for n, t in (("alpha", width), ("resolution", resolution)) if t is not None]
            for name, text in swept + list(parse_bindings(ranges, "--set-range").items()):
                if name in axes:
                    raise SpecError(f"'{name}' is swept twice (--width is alpha, --resolution is "
                                    "resolution); give its values once")
                axes[name] = parse_values(text, name, MAX_POINTS // math.prod(map(len, axes.values())))
            points, limit = math.prod(map(len, axes.values())), ROW_LIMITS.get(fmt, MAX_POINTS)
            if points > limit:
                raise SpecError(f"--format {fmt} prints at most {limit:,} points and this grid has "
                                f"{points:,}: use --format csv (streams up to {MAX_POINTS:,})")
            if latency is not None and points > MAX_LATENCY_POINTS:
                raise SpecError(f"--latency predicts at most {MAX_LATENCY_POINTS:,} points (each is "
                                f"built) and this grid has {points:,}")
        except SpecError as error:
            raise error.located(path=spec) from None
        if plot_path is not None:
            from costmodel.outputs import check_output
            from costmodel.report.plot import check_plot_path

            check_output(plot_path, inputs=[spec])
            check_plot_path(plot_path)
        if not axes:
            raise click.UsageError("nothing to sweep: give --width, --resolution or --set-range")
        if latency is not None:  # an unreadable profile is refused before the sweep's work
            from costmodel.latency.command import load_profile

            profile = load_profile(latency)
        from costmodel.lanes import reuse_memory

        reuse_memory()  # process-wide malloc settings: this command's process, not the library's
        model = load_spec(spec)  # once: the sweep computes everything the renderers show
        with progress_bar("exact points") as progress:
            result = run_sweep(model, path=spec, method=method, dtype=dtype,
                               fixed=parse_bindings(assignments), progress=progress,
                               closed_form=closed_form, **axes)
        if latency is not None:
            from costmodel.latency.sweep import LATENCY_KEY, latency_grid

            result.totals[LATENCY_KEY] = latency_grid(model, spec, result, profile)
        for chunk in SWEEP_RENDERERS[fmt](result):
            click.echo(chunk, nl=False)
        if closed_form:
            click.echo(render_closed_forms(result), nl=False)
        if plot_path is not None:
            from costmodel.report.plot import plot_sweep

            plot_sweep(result, plot_path, inputs=[spec])
            click.echo(printable(f"plot written to {plot_path}"), err=True)

