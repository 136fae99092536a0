"""``costmodel report``: per-layer and total costs of one spec."""

from __future__ import annotations

import sys
from typing import Any

import click

from costmodel.analysis.fusion import FUSIONS
from costmodel.commands.budgets import Limit, exceeded, parse_limits
from costmodel.commands.common import (
    WholeNumber,
    check_input_shape,
    parse_bindings,
    set_option,
    spec_errors,
    split_list,
)
from costmodel.errors import SpecError, printable
from costmodel.report.formats import FORMATS
from costmodel.units import DTYPE_BYTES

__all__ = ["report"]



@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@set_option
@click.option("--format", "fmt", type=click.Choice(tuple(FORMATS)), default="table", show_default=True,
              help="table: human units (3.50 M); json/csv/markdown/latex: exact integers (latex "
                   "with --symbolic: the definitions and totals as an aligned block).")
@click.option("--totals-only", is_flag=True, help="Print the totals without the per-layer rows.")
@click.option("--depth", type=WholeNumber(min=1), default=None, metavar="N",
              help="Roll layers up into blocks N levels deep, as torchinfo does (table and "
                   "markdown; with --symbolic, each block's costs in the named quantities).")
@click.option("--symbolic", default=None, is_flag=False, flag_value="*", metavar="[NAMES]",
              help="Leave parameters symbolic and print each total as an exact expression: "
                   "--symbolic (all declared) or --symbolic alpha,resolution.")
@click.option("--relaxed", is_flag=True,
              help="With --symbolic: also each total with rounding dropped, leading terms first "
                   "(MACCs ≈ 5,882·α²r² + …), and its largest relative error over the declared "
                   "range of the parameters (or the range their variants span).")
@click.option("--fuse", type=click.Choice(tuple(FUSIONS)), default="none", show_default=True,
              help="Execution model: none (one kernel per op, the paper's view) or conv-bn-act "
                   "(BN and ReLU/ReLU6 folded into the conv, as mobile runtimes do).")
@click.option("--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default="fp32", show_default=True,
              help="Element size used to turn mem_access (elements) into bytes.")
@click.option("--latency", "latency", default=None, is_flag=False, flag_value="default",
              metavar="[DEVICE.json]",
              help="Print predicted per-kernel and total latency from a device profile (from "
                   "`costmodel calibrate`; bare --latency: the shipped profile of the machine "
                   "costmodel is developed on — latency is device-specific).")
@click.option("--budget", default=None, metavar="METRIC=N,…",
              help="Exit 1 when a total exceeds its budget, one line each on stderr (for CI): "
                   "e.g. maccs=300M,params=3.5M,peak_memory=1MiB,latency=5ms (K/M/G/T are "
                   "powers of 1000; bytes at --dtype; latency predicted as --latency does).")
@click.option("--input-shape", default=None, metavar="N,C,H,W",
              help="For an ONNX model (SPEC ending in .onnx): bind its input's dynamic dimensions.")
@click.pass_context
def report(ctx: click.Context, spec: str, assignments: tuple[str, ...], fmt: str,
           totals_only: bool, depth: int | None, symbolic: str | None, relaxed: bool, fuse: str, dtype: str,
           latency: str | None, budget: str | None, input_shape: str | None) -> None:
    """Report params, maccs, mem_access, elementwise, fragments and peak_memory of SPEC.

    \b
    params       learned weights (BN gamma/beta included; running stats shown as buffers)
    maccs        multiply-accumulates of conv and linear layers (FLOPs = 2 x MACCs)
    mem_access   elements read + written, weights included (ShuffleNetV2's MAC)
    elementwise  element-wise operations (activations, BN, adds, bias, pooling)
    fragments    kernels launched (ShuffleNetV2 G3)
    peak_memory  most activation elements alive at once (spec order; best order found)

    SPEC may be an ONNX model (*.onnx): it is imported onto costmodel's own layers.

    Example: costmodel report specs/mobilenet_v2.yaml --set alpha=0.75 --format json
    """
    from costmodel.analysis.result import Analysis
    from costmodel.api import analyze
    from costmodel.graph import build
    from costmodel.report.formats import ReportOptions, render
    from costmodel.spec.load import load_spec

    with spec_errors(ctx.obj["debug"]):
        try:
            limits = parse_limits(budget) if budget else []
        except SpecError as error:
            raise click.BadParameter(error.message, param_hint="--budget") from None
        bindings = parse_bindings(assignments)
        names: tuple[str, ...] = ()
        if symbolic is not None:
            if latency is not None or limits:  # a symbolic total has no one value to predict or compare
                given = (f"--latency {latency}".removesuffix(" default") if latency is not None
                         else f"--budget {budget}")
                raise click.UsageError(f"{printable(given)} needs numbers; it cannot be used with --symbolic")
            model = load_spec(spec)
            names = tuple(model.params) if symbolic == "*" else tuple(split_list(symbolic, "--symbolic"))
        check_input_shape(spec, input_shape)
        if spec.endswith(".onnx"):
            from costmodel.importer import load_onnx

            analysis = Analysis(build(load_onnx(spec, input_shape), spec, bindings, names))
        else:
            analysis = analyze(spec, symbolic=names, **bindings)
        if fuse != "none":
            analysis = Analysis(analysis.network, fuse)
        predicted = None
        if latency is not None:  # the prediction instead of the counts; budgets still apply
            from costmodel.latency.command import print_latency
            predicted = print_latency(analysis.network, spec, latency, fmt, totals_only)
        elif names:
            click.echo(_symbolic(analysis, spec, names, fmt, relaxed, depth or 0), nl=False)
            return
        elif relaxed:
            raise click.UsageError("--relaxed needs --symbolic")
        else:
            options = ReportOptions(dtype=dtype, totals_only=totals_only, depth=depth or 0,
                                    width=terminal_width())
            click.echo(render(analysis, fmt, options), nl=False)
        over = _over_budget(analysis, limits, dtype, latency, predicted)
    for line in over:
        click.echo(line, err=True)
    if over:
        sys.exit(1)


def _over_budget(analysis: Any, limits: list[Limit], dtype: str, profile: str | None,
                 latency_us: float | None = None) -> list[str]:
    """The budget lines exceeded (peak memory in elements; latency: ``latency_us`` when
    already predicted, else from the profile)."""
    if not limits:
        return []
    totals = analysis.totals.as_dict()
    if analysis.peak_memory is not None:
        totals["peak_memory"] = analysis.peak_memory.spec.elements
    if latency_us is None and any(limit.metric == "latency" for limit in limits):
        from costmodel.latency.command import load_profile
        from costmodel.latency.model import predict

        latency_us = predict(analysis.network, load_profile(profile or "default"))[1]
    return exceeded(limits, totals, dtype, latency_us)


def terminal_width() -> int | None:
    """Columns of the terminal stdout is, or ``$COLUMNS``; None for a pipe or file (whole rows)."""
    import os
    import shutil
    import sys

    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        return None
    return shutil.get_terminal_size().columns


def _symbolic(analysis: Any, spec: str, names: tuple[str, ...], fmt: str, relaxed: bool,
              depth: int) -> str:
    """The readable symbolic report (costmodel.report.symbolic) in format ``fmt``."""
    from costmodel.report.symbolic import SYMBOLIC_FORMATS, symbolic_report
    from costmodel.spec.load import load_spec

    if fmt not in SYMBOLIC_FORMATS:
        raise click.UsageError(f"--format {fmt} has no symbolic form (use one of "
                               f"{', '.join(SYMBOLIC_FORMATS)})")
    model = load_spec(spec) if relaxed else None
    document = symbolic_report(analysis, names, depth=depth, relaxed=relaxed, spec=model, path=spec)
    return SYMBOLIC_FORMATS[fmt](document)
