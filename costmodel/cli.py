"""The ``costmodel`` command: a click group of thin commands (parse, call, render, exit)."""

from __future__ import annotations

import click

from costmodel import __version__
from costmodel.commands.check import check
from costmodel.commands.export import export
from costmodel.commands.lint import lint
from costmodel.commands.measure import measure
from costmodel.commands.ops import ops
from costmodel.commands.report import report
from costmodel.commands.rule import rule
from costmodel.commands.space import space
from costmodel.commands.sweep import sweep
from costmodel.commands.transform import transform
from costmodel.commands.zoo import zoo

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="costmodel")
@click.option("--debug", is_flag=True, help="Show a traceback for bad input instead of one line.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Exact static cost model of convolutional networks.

    Reads an architecture spec (YAML) and counts, per layer and in total, params, maccs,
    mem_access, elementwise ops and fragments — exactly, or symbolically in the width
    multiplier, the resolution and any declared parameter. Bad input exits with status 2.
    """
    ctx.obj = {"debug": debug}


main.add_command(report)
main.add_command(ops)
main.add_command(check)
main.add_command(transform)
main.add_command(zoo)
main.add_command(sweep)
main.add_command(lint)
main.add_command(rule)
main.add_command(export)
main.add_command(space)
main.add_command(measure)
