"""``costmodel check``: prove the analytic counts by running the network in numpy."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from costmodel.commands.common import (
    check_input_shape,
    input_shape_option,
    parse_bindings,
    seed_option,
    set_option,
    spec_errors,
)
from costmodel.commands.progress import progress_bar
from costmodel.errors import printable

if TYPE_CHECKING:
    from costmodel.graph import Network
    from costmodel.reference.forward import Weights

__all__ = ["check"]

EXIT_DISAGREE = 1

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Read by the BLAS when numpy loads. check's matmuls are small and many: one thread ran
MobileNetV2 and ResNet-18 at 224² 1.2–1.4× faster than two on this 2-core machine (docs/check.md)."""


def _one_blas_thread() -> None:
    """One BLAS thread unless the user chose (an exported variable wins); too late, and so
    left alone, once numpy is loaded (costmodel used as a library)."""
    if "numpy" not in sys.modules:
        for name in BLAS_THREADS:
            os.environ.setdefault(name, "1")


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@set_option
@seed_option("Seed of the random weights and input (0 … 2^64 − 1).")
@input_shape_option
@click.pass_context
def check(ctx: click.Context, spec: str, assignments: tuple[str, ...], seed: int,
          input_shape: str | None) -> None:
    """Run SPEC in numpy and compare measured with analytic counts, node by node.

    The reference forward (PyTorch-free, independent of the cost formulas) instantiates
    seeded random weights, runs a random input and counts what it executes: params and
    buffers it creates, maccs of every matmul, elements read and written (mem_access),
    element-wise ops, kernels launched (fragments) and each output's shape.

    SPEC may be an ONNX model (*.onnx): it runs with the model's own weights (random ones
    when they are stripped) and, when onnxruntime is installed, its output is compared
    with onnxruntime's on the same input.

    Exit status: 0 all agree, 1 some node disagrees (each is listed), 2 bad input.
    Large resolutions are slow; e.g. costmodel check specs/mobilenet_v2.yaml --set resolution=64
    """
    _one_blas_thread()
    from costmodel.check import check_network
    from costmodel.graph import build
    from costmodel.spec.load import load_spec

    weights = None
    with spec_errors(ctx.obj["debug"]):
        check_input_shape(spec, input_shape)
        if spec.endswith(".onnx"):
            from costmodel.importer import import_model, parse_input_shape
            from costmodel.spec.load import parse_spec

            imported = import_model(spec, None if input_shape is None else parse_input_shape(input_shape))
            network = build(parse_spec(imported.spec, spec), spec, parse_bindings(assignments))
            weights = imported.complete_weights()
        else:
            network = build(load_spec(spec), spec, parse_bindings(assignments))
        with progress_bar("forward") as progress:
            result = check_network(network, seed=seed, progress=progress, weights=weights)
    where = "; ".join([", ".join(f"{k}={v}" for k, v in network.bindings.items())] * bool(network.bindings)
                      + [f"seed {seed}"])
    nodes = len(network.nodes) - 1
    if spec.endswith(".onnx"):
        where += "; the model's own weights" if weights is not None else "; weights stripped: random ones"
    if result.ok and weights is not None:
        with spec_errors(ctx.obj["debug"]):  # onnxruntime may refuse a model costmodel reads
            same = _same_output_as_onnxruntime(spec, network, weights, seed)
        if not same:
            sys.exit(EXIT_DISAGREE)
    if result.ok:
        total = network.total
        click.echo(f"{printable(spec)} ({where}): all {nodes} nodes agree — params {total.params}, "
                   f"maccs {total.maccs}, mem_access {total.mem_access}, "
                   f"elementwise {total.elementwise}")
        return
    failing = result.failing_nodes
    click.echo(f"{printable(spec)} ({where}): {len(failing)} of {nodes} nodes disagree")
    for disagreement in result.disagreements:
        click.echo(f"  {disagreement}")
    sys.exit(EXIT_DISAGREE)


def _same_output_as_onnxruntime(path: str, network: Network, weights: Weights, seed: int) -> bool:
    """Compare the reference output with onnxruntime's (skipped, saying so, without it)."""
    from importlib.util import find_spec

    if find_spec("onnxruntime") is None:
        click.echo("onnxruntime is not installed: outputs not compared (pip install -e '.[runtime]')")
        return True
    from costmodel.importer.verify import TOLERANCE, agree, compare_outputs

    comparison = compare_outputs(path, network, weights, seed)
    verdict = "agree" if agree(comparison) else "DISAGREE"
    click.echo(f"outputs {verdict} with onnxruntime: largest difference {comparison.max_abs:.3g} "
               f"of output scale {comparison.scale:.3g} (tolerance {TOLERANCE:g} relative)")
    return agree(comparison)
