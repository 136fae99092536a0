"""``costmodel report``: per-layer and total costs of one spec."""

from __future__ import annotations

import click

from costmodel.analysis.fusion import FUSIONS
from costmodel.commands.common import parse_bindings, set_option, spec_errors
from costmodel.report.formats import FORMATS
from costmodel.units import DTYPE_BYTES

__all__ = ["report"]



@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@set_option
@click.option("--format", "fmt", type=click.Choice(tuple(FORMATS)), default="table", show_default=True,
              help="table: human units (3.50 M); json/csv/markdown: exact integers.")
@click.option("--totals-only", is_flag=True, help="Print the totals without the per-layer rows.")
@click.option("--symbolic", default=None, is_flag=False, flag_value="*", metavar="[NAMES]",
              help="Leave parameters symbolic and print each total as an exact expression: "
                   "--symbolic (all declared) or --symbolic alpha,resolution.")
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
@click.option("--input-shape", default=None, metavar="N,C,H,W",
              help="For an ONNX model (SPEC ending in .onnx): bind its input's dynamic dimensions.")
@click.pass_context
def report(ctx: click.Context, spec: str, assignments: tuple[str, ...], fmt: str,
           totals_only: bool, symbolic: str | None, fuse: str, dtype: str,
           latency: str | None, input_shape: str | None) -> None:
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
    from costmodel.report.formats import ReportOptions, render, render_expressions
    from costmodel.spec.load import load_spec

    with spec_errors(ctx.obj["debug"]):
        bindings = parse_bindings(assignments)
        names: tuple[str, ...] = ()
        if symbolic is not None:
            model = load_spec(spec)
            names = tuple(model.params) if symbolic == "*" else tuple(
                name.strip() for name in symbolic.split(",") if name.strip())
        if spec.endswith(".onnx"):
            from costmodel.importer import load_onnx

            analysis = Analysis(build(load_onnx(spec, input_shape), spec, bindings, names))
        else:
            analysis = analyze(spec, symbolic=names, **bindings)
        if latency is not None:
            from costmodel.latency.command import print_latency
            print_latency(analysis.network, spec, latency, fmt)
            return
        if fuse != "none":
            analysis = Analysis(analysis.network, fuse)
        options = ReportOptions(dtype=dtype, totals_only=totals_only or bool(names))
        if names and fmt == "table":
            click.echo(render_expressions(analysis, options), nl=False)
        else:
            click.echo(render(analysis, fmt, options), nl=False)
