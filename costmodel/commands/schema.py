"""``costmodel schema``: the JSON Schema of spec files, for editors.

With the YAML language server (VS Code's YAML extension, Neovim, …) a spec that starts
with ``# yaml-language-server: $schema=./costmodel-spec.schema.json`` is completed and
checked as it is typed (docs/spec.md).
"""

from __future__ import annotations

import json
from typing import Any

import click

from costmodel.errors import printable

__all__ = ["schema", "spec_schema"]


def spec_schema() -> dict[str, Any]:
    """pydantic's JSON Schema of :class:`ModelSpec`, adjusted to what the loader accepts: a
    parameter may be written as its default alone (``alpha: 1``), and a call of a user block
    is any op name that is not built in (so each layer matches exactly one ``oneOf`` arm)."""
    from costmodel.spec.layers import LAYER_CLASSES
    from costmodel.spec.schema import ModelSpec

    data = ModelSpec.model_json_schema()
    defs = data.get("$defs", {})
    if "Parameter" in defs:
        data["properties"]["params"]["additionalProperties"] = {
            "anyOf": [{"type": "number"}, {"type": "string"}, {"$ref": "#/$defs/Parameter"}]}
    if "BlockCall" in defs:
        defs["BlockCall"]["properties"]["op"] = {
            "type": "string", "not": {"enum": sorted(LAYER_CLASSES)},
            "description": "the name of a block defined under `blocks:`"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://costmodel.invalid/spec.schema.json",
            **data, "title": "costmodel spec"}


@click.command()
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write to FILE (never over an existing file without --force) instead of stdout "
                   "(or '-').")
@click.option("--force", is_flag=True, help="Replace an existing FILE.")
@click.pass_context
def schema(ctx: click.Context, output: str | None, force: bool) -> None:
    """Print the JSON Schema of spec files, so that editors complete and check specs.

    Save it and name it in the first line of a spec:
    # yaml-language-server: $schema=./costmodel-spec.schema.json

    Example: costmodel schema -o costmodel-spec.schema.json
    """
    text = json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    from costmodel.commands.common import spec_errors
    from costmodel.outputs import write_output

    with spec_errors(ctx.obj["debug"]):
        write_output(output, text, overwrite=force)
    click.echo(printable(f"wrote {output}"), err=True)
