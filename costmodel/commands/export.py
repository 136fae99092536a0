"""``costmodel export``: write a spec as an ONNX model (needs ``costmodel[runtime]``)."""

from __future__ import annotations

import click

from costmodel.commands.common import parse_bindings, seed_option, set_option, spec_errors
from costmodel.commands.optional import require
from costmodel.errors import printable

__all__ = ["export"]


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@set_option
@click.option("-o", "--output", required=True, metavar="FILE",
              help="The ONNX file to write. Never the input; an existing FILE only with --force.")
@click.option("--force", is_flag=True, help="Let -o replace an existing file (never the input).")
@seed_option("Seed of the weights (the same as `costmodel check --seed`).")
@click.pass_context
def export(ctx: click.Context, spec: str, assignments: tuple[str, ...], output: str, force: bool,
           seed: int) -> None:
    """Write SPEC as an ONNX model (opset 17) that passes ONNX's full checker.

    Weights are the numpy reference forward's seeded random weights, so the model computes
    what `costmodel check` runs. Every ONNX node is named after its spec layer (helper nodes
    of one layer: layer/step) and carries the layer, op and block path in its metadata.
    An op without an ONNX mapping is an error naming the layer.

    Example: costmodel export specs/mobilenet_v2.yaml --set alpha=0.75 -o mobilenet_v2.onnx
    """
    onnx = require("onnx", "export")
    from costmodel.export import export_network
    from costmodel.graph import build
    from costmodel.outputs import check_output, write_output
    from costmodel.spec.load import load_spec

    with spec_errors(ctx.obj["debug"]):
        check_output(output, inputs=[spec], overwrite=force)  # refuse before the work
        network = build(load_spec(spec), spec, parse_bindings(assignments))
        model = export_network(network, seed=seed).model
        onnx.checker.check_model(model, full_check=True)
        write_output(output, model.SerializeToString(), inputs=[spec], overwrite=force)
    total = network.total
    click.echo(f"wrote {printable(output)}: {len(model.graph.node)} ONNX nodes for {len(network.nodes) - 1} "
               f"layers, {total.params:,} params + {total.buffers:,} buffers, opset "
               f"{model.opset_import[0].version}; ONNX checker passed")
