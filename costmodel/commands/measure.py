"""``costmodel measure``: run a spec or ONNX model on a runtime, time it, and time its layers."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from costmodel.commands.common import (
    parse_bindings,
    seed_option,
    set_option,
    spec_errors,
)
from costmodel.commands.optional import require
from costmodel.commands.runtime_options import optimize_option, runtime_option
from costmodel.cost import Cost
from costmodel.errors import SpecError

__all__ = ["measure"]


@click.command()
@click.argument("model", type=click.Path(dir_okay=False))
@set_option
@runtime_option
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1),
              help="Intra-op threads.")
@optimize_option("Let the runtime rewrite the graph (fusions, layouts), or run it as exported.")
@click.option("--runs", default=30, show_default=True, type=click.IntRange(1),
              help="Timed runs (and as many profiled runs).")
@click.option("--warmup", default=5, show_default=True, type=click.IntRange(0),
              help="Untimed runs before timing.")
@click.option("--clock", type=click.Choice(["cpu", "wall"]), default="cpu", show_default=True,
              help="cpu: the calling thread's CPU time (repeatable on a shared machine; one thread "
                   "only); wall: elapsed time.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@seed_option("Seed of the weights and the input.")
@click.pass_context
def measure(ctx: click.Context, model: str, assignments: tuple[str, ...], runtime_name: str,
            threads: int, optimize: str, runs: int, warmup: int, clock: str, fmt: str,
            seed: int) -> None:
    """Measure MODEL (a spec, exported first, or an .onnx file) on a runtime.

    Prints whole-model latency (median, interquartile range, runs) and a table of layers
    joined to the runtime's profiler: measured µs, share of the kernels' time, maccs,
    bytes (fp32) and the achieved GMAC/s and GB/s. A fused runtime kernel (conv+BN+act, a
    conv that adds its residual) is one row naming every spec layer it ran. An .onnx from
    `costmodel export` gets its costs from the spec it records; another is imported
    (as `costmodel report` reads it) and each node's work counted in its imported layer.

    Example: costmodel measure specs/shufflenet_v2.yaml --optimize none --runs 50
    """
    onnx = require("onnx", "measure")
    require(runtime_name, "measure")
    from costmodel.graph import Network, build
    from costmodel.report.measure_formats import render_measurement
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.measure import load_runtime
    from costmodel.runtime.measure import measure as run_measure
    from costmodel.spec.load import load_spec

    network: Network | None = None
    costs: dict[str, Cost] | None = None
    with spec_errors(ctx.obj["debug"]):
        if clock == "cpu" and threads > 1:  # refused before the export and the runs
            raise SpecError(f"--clock cpu measures the calling thread: use --threads 1 or "
                            f"--clock wall (got --threads {threads})")
        if model.endswith(".onnx"):
            proto = _load_onnx(onnx, model)
            network = _recorded_network(proto)
            if network is None:
                costs = _imported_costs(model, proto)
            shape = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
            from costmodel.reference.forward import random_input
            x = random_input(shape, seed)
        else:
            from costmodel.export import export_network
            network = build(load_spec(model), model, parse_bindings(assignments))
            exported = export_network(network, seed=seed)
            proto, x = exported.model, exported.input
        if network is not None:
            costs = {name: node.cost for name, node in network.nodes.items()}
        try:
            result = run_measure(proto, x, load_runtime(runtime_name),
                                 RunOptions(threads, optimize),  # type: ignore[arg-type]
                                 runs=runs, warmup=warmup, clock=clock, costs=costs)  # type: ignore[arg-type]
        except ValueError as error:  # options the runtime refuses
            raise SpecError(str(error)) from None
    click.echo(render_measurement(result, fmt), nl=False)


def _load_onnx(onnx: Any, path: str) -> Any:
    try:
        return onnx.load(path)
    except (OSError, Exception) as error:  # a missing file or bytes that are not a model
        raise SpecError(f"cannot read an ONNX model: {error}", path=path) from None


def _imported_costs(path: str, proto: Any) -> dict[str, Cost] | None:
    """Costs for a foreign model: it is imported (costmodel/importer/), each node labelled
    (``costmodel.layer``) with the imported layer counting its work, and a layer no node
    names (a global pool before its flatten) counted with the next one that is named. None,
    with a note, when the import fails (no cost columns)."""
    from costmodel.errors import SpecError
    from costmodel.graph import build
    from costmodel.importer import import_model
    from costmodel.runtime.join import layer_of
    from costmodel.spec.load import parse_spec

    try:
        imported = import_model(path)
        network = build(parse_spec(imported.spec, path), path)
    except SpecError as error:
        click.echo(f"note: no cost columns ({error})", err=True)
        return None
    for node, layer in zip(proto.graph.node, imported.node_layers, strict=True):
        if layer is not None:
            node.metadata_props.add(key="costmodel.layer", value=layer)
    named = {layer for layer in imported.node_layers if layer is not None}
    costs: dict[str, Cost] = {}
    pending, last = Cost(), None
    for name, node in network.nodes.items():
        pending = pending + node.cost
        if name in named:
            costs[name], pending, last = pending, Cost(), name
    if last is not None:
        costs[last] = costs[last] + pending
    for node in proto.graph.node:  # nodes counted in no layer (dead ends)
        costs.setdefault(layer_of(node), Cost())
    return costs


def _recorded_network(proto: Any) -> Any:
    """The network a costmodel export records (spec path and bindings), if the spec is there
    and still has the exported layers; else None (no cost columns)."""
    from costmodel.graph import build
    from costmodel.runtime.join import layer_of
    from costmodel.spec.load import load_spec

    metadata = {p.key: p.value for p in proto.metadata_props}
    spec = metadata.get("costmodel.spec")
    if spec is None or not os.path.isfile(spec):
        return None
    network = build(load_spec(spec), spec, json.loads(metadata.get("costmodel.bindings", "{}")))
    if not all(layer_of(node) in network.nodes for node in proto.graph.node):
        return None
    return network
