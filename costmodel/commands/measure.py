"""``costmodel measure``: run a spec or ONNX model on a runtime, time it, and time its layers."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import click

from costmodel.commands.common import (
    WholeNumber,
    check_input_shape,
    input_shape_option,
    parse_bindings,
    seed_option,
    set_option,
    spec_errors,
)
from costmodel.commands.optional import require
from costmodel.commands.runtime_options import optimize_option, runtime_option
from costmodel.cost import Cost
from costmodel.errors import SpecError, printable

__all__ = ["measure", "MAX_RUNS", "MAX_THREADS", "MAX_MEASURE_NODES"]

MAX_RUNS = 10_000
"""Most timed (or warm-up) runs: refused above, since a run count is work a user waits for
(10⁹ runs would be days; 10⁴ of a mobile network are minutes)."""
MAX_THREADS = 256
"""Most intra-op threads (each is an OS thread the runtime creates)."""
MAX_MEASURE_NODES = 5_000
"""Most nodes measured (ONNX nodes of a model file, ops of a spec's network), refused above
before any work but reading the file (or building the spec). Measured on this 2-core
machine under load, --runs 1: a spec's chain of conv, BN, ReLU took 6.0 s of CPU at 3,000
ops, 7.2 s at 5,000 and 17 s at 10,000 (onnxruntime's two session creations grow faster
than the nodes: 1.3 s at 3,000, 9.7 s at 10,000); a foreign 20,000-node Relu chain 8.5 s.
The zoo's largest network, NASNet-A mobile, has 904 layers; ``report`` counts any size."""


@click.command()
@click.argument("model", type=click.Path(dir_okay=False))
@set_option
@runtime_option
@click.option("--threads", default=1, show_default=True, type=WholeNumber(1, MAX_THREADS),
              help=f"Intra-op threads (at most {MAX_THREADS}).")
@optimize_option("Let the runtime rewrite the graph (fusions, layouts), or run it as exported.")
@click.option("--runs", default=30, show_default=True, type=WholeNumber(1, MAX_RUNS),
              help=f"Timed runs (and as many profiled runs); at most {MAX_RUNS:,}.")
@click.option("--warmup", default=5, show_default=True, type=WholeNumber(0, MAX_RUNS),
              help=f"Untimed runs before timing; at most {MAX_RUNS:,}.")
@click.option("--clock", type=click.Choice(["cpu", "wall"]), default="cpu", show_default=True,
              help="cpu: the calling thread's CPU time (repeatable on a shared machine; one thread "
                   "only); wall: elapsed time.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@seed_option("Seed of the weights and the input.")
@input_shape_option
@click.pass_context
def measure(ctx: click.Context, model: str, assignments: tuple[str, ...], runtime_name: str,
            threads: int, optimize: str, runs: int, warmup: int, clock: str, fmt: str,
            seed: int, input_shape: str | None) -> None:
    """Measure MODEL (a spec, exported first, or an .onnx file) on a runtime.

    Prints whole-model latency (median, interquartile range, runs) and a table of layers
    joined to the runtime's profiler: measured µs, share of the kernels' time, maccs,
    bytes (fp32) and the achieved GMAC/s and GB/s. A fused runtime kernel (conv+BN+act, a
    conv that adds its residual) is one row naming every spec layer it ran. An .onnx from
    `costmodel export` gets its costs from the spec it records; another is imported
    (as `costmodel report` reads it) and each node's work counted in its imported layer.

    Example: costmodel measure specs/shufflenet_v2.yaml --optimize none --runs 50
    """
    require("onnx", "measure")
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
        note = None
        check_input_shape(model, input_shape)
        if model.endswith(".onnx"):
            from costmodel.importer import image_input, parse_input_shape
            from costmodel.reference.forward import random_input

            bound = None if input_shape is None else parse_input_shape(input_shape)
            proto = _load_onnx(model)
            _require_nodes(model, len(proto.graph.node), "nodes")
            shape = _measurable(model, image_input(model, proto, bound)[1])
            network = _recorded_network(proto)
            if network is None:
                costs, note = _imported_costs(model, proto, bound)
            x = random_input(shape, seed)
        else:
            from costmodel.export import export_network
            network = build(load_spec(model), model, parse_bindings(assignments))
            _require_nodes(model, len(network.ops), "ops")
            exported = export_network(network, seed=seed)
            proto, x = exported.model, exported.input
        if network is not None:
            costs = {name: node.cost for name, node in network.nodes.items()}
        try:
            result = run_measure(proto, x, load_runtime(runtime_name),
                                 RunOptions(threads, optimize),  # type: ignore[arg-type]
                                 runs=runs, warmup=warmup, clock=clock, costs=costs)  # type: ignore[arg-type]
        except ValueError as error:  # options or a model the runtime refuses
            raise SpecError(str(error)) from None
    if note is not None:  # after the run: an error is the one line printed
        click.echo(printable(f"note: no cost columns ({note})"), err=True)
    click.echo(render_measurement(result, fmt), nl=False)


MAX_INPUT_ELEMENTS = 1 << 26
"""Largest input measured (64 Mi elements, 256 MiB at fp32): an input dimension of an ONNX
model can claim anything up to 2³¹, and the runtime's activations are larger still."""


def _measurable(path: str, shape: tuple[int, ...]) -> list[int]:
    """``shape`` when an input of that shape can be made; else a :class:`SpecError`."""
    if math.prod(shape) > MAX_INPUT_ELEMENTS:
        raise SpecError(f"the input {'×'.join(map(str, shape))} has {math.prod(shape):,} elements; "
                        f"measure takes at most {MAX_INPUT_ELEMENTS:,}", path=path)
    return list(shape)


def _require_nodes(path: str, count: int, what: str) -> None:
    """Refuse a model of more than :data:`MAX_MEASURE_NODES` nodes (``what``: the word for
    them) with a :class:`SpecError` naming ``path``."""
    if count > MAX_MEASURE_NODES:
        raise SpecError(f"the model has {count:,} {what}; measure takes at most "
                        f"{MAX_MEASURE_NODES:,} (MAX_MEASURE_NODES: the runtime's sessions, "
                        "the profile and its join grow with every node); `costmodel report` "
                        "counts it", path=path)


def _load_onnx(path: str) -> Any:
    """The model at ``path``, read as `costmodel report` reads it (a regular file of bounded
    size), with its external data (onnx checks each location stays in the model's folder
    and each range in its file)."""
    from onnx.external_data_helper import load_external_data_for_model, uses_external_data

    from costmodel.importer.read import read_model

    proto = read_model(path)
    if any(uses_external_data(tensor) for tensor in proto.graph.initializer):
        try:
            load_external_data_for_model(proto, os.path.dirname(os.path.abspath(path)))
        except Exception as error:  # onnx raises several kinds for a bad location or range
            raise SpecError(f"cannot read the model's external data: {error}", path=path) from None
    return proto


def _imported_costs(path: str, proto: Any, bound: tuple[int, ...] | None) -> tuple[dict[str, Cost] | None, str | None]:
    """Costs for a foreign model: it is imported (costmodel/importer/), each node labelled
    (``costmodel.layer``) with the imported layer counting its work, and a layer no node
    names (a global pool before its flatten) counted with the next one that is named. None
    and the reason (a note for after the run) when the import fails: no cost columns."""
    from costmodel.errors import SpecError
    from costmodel.graph import build
    from costmodel.importer import import_model
    from costmodel.runtime.join import layer_of
    from costmodel.spec.load import parse_spec

    try:
        imported = import_model(path, bound)
        network = build(parse_spec(imported.spec, path), path)
    except SpecError as error:
        return None, str(error)
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
    return costs, None


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
    try:  # the model names the file: one that is no longer (or never was) its spec is none
        network = build(load_spec(spec), spec, json.loads(metadata.get("costmodel.bindings", "{}")))
    except (SpecError, ValueError, TypeError):
        return None
    if not all(layer_of(node) in network.nodes for node in proto.graph.node):
        return None
    return network
