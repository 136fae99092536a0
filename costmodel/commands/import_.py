"""``costmodel import``: an ONNX model as a costmodel spec (YAML)."""

from __future__ import annotations

import click

from costmodel.commands.common import spec_errors
from costmodel.errors import printable

__all__ = ["import_"]


@click.command("import")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, metavar="FILE",
              help="The spec to write. Never the input; an existing FILE only with --force.")
@click.option("--force", is_flag=True, help="Let -o replace an existing file (never the input).")
@click.option("--input-shape", default=None, metavar="N,C,H,W",
              help="Bind the model input's dynamic dimensions.")
@click.pass_context
def import_(ctx: click.Context, model: str, output: str, force: bool, input_shape: str | None) -> None:
    """Write the ONNX MODEL as a costmodel spec: one layer a line, named after its ONNX
    node, that `costmodel report` counts exactly as it counts MODEL itself.

    Example: costmodel import resnet50.onnx -o resnet50.yaml
    """
    from costmodel.importer import import_onnx, parse_input_shape
    from costmodel.importer.write import spec_yaml
    from costmodel.outputs import check_output, write_output
    from costmodel.spec.load import parse_spec

    with spec_errors(ctx.obj["debug"]):
        check_output(output, inputs=[model], overwrite=force)
        spec = import_onnx(model, None if input_shape is None else parse_input_shape(input_shape))
        parse_spec(spec, model)  # what is written must load
        write_output(output, spec_yaml(spec, model), inputs=[model], overwrite=force)
    click.echo(printable(f"wrote {output}: {len(spec['layers'])} layers from {model}"))
