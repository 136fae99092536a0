"""``costmodel ops``: the ops and built-in blocks a spec may use."""

from __future__ import annotations

import click

__all__ = ["ops"]


@click.command()
def ops() -> None:
    """List every op and built-in block with its fields and a one-line description.

    Fields every layer has (op, name, inputs, repeat, first) are not repeated.

    Example: costmodel ops | grep -A1 conv2d
    """
    from costmodel.spec.base import LayerSpec
    from costmodel.spec.schema import LAYER_CLASSES

    common = set(LayerSpec.model_fields)
    for name, spec in sorted(LAYER_CLASSES.items()):
        summary = " ".join((spec.__doc__ or "").strip().split("\n\n")[0].split())
        fields = ", ".join(field for field in spec.model_fields if field not in common)
        click.echo(f"{name:20} {spec.kind:5}  {summary}")
        if fields:
            click.echo(f"{'':27}fields: {fields}")
