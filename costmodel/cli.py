"""The ``costmodel`` command: a click group of thin commands (parse, call, render, exit)."""

from __future__ import annotations

import importlib

import click

from costmodel import __version__
from costmodel.commands.safety import SafeGroup

__all__ = ["main", "COMMANDS"]

COMMANDS = {
    "report": "costmodel.commands.report",
    "ops": "costmodel.commands.ops",
    "check": "costmodel.commands.check",
    "transform": "costmodel.commands.transform",
    "zoo": "costmodel.commands.zoo",
    "sweep": "costmodel.commands.sweep",
    "lint": "costmodel.commands.lint",
    "rule": "costmodel.commands.rule",
    "export": "costmodel.commands.export",
    "space": "costmodel.commands.space",
    "measure": "costmodel.commands.measure",
    "calibrate": "costmodel.commands.calibrate",
    "diff": "costmodel.commands.diff",
    "schema": "costmodel.commands.schema",
    "import": "costmodel.commands.import_",
}
"""Command name → the module defining it (a click command of that name). A module is
imported only when its command runs or ``--help`` lists it, so a command's options may
read the registries they offer (formats, transforms) without slowing the other commands."""


class _LazyGroup(SafeGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command with the whole first paragraph of its help (click would cut it
        at 45 characters, mid-sentence)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                first = (command.help or "").strip().split("\n\n")[0]
                rows.append((name, " ".join(first.replace("\b", "").split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module = importlib.import_module(COMMANDS[name])
            # a command named like a Python keyword (import) is defined as name_
            self.add_command(getattr(module, name, None) or getattr(module, f"{name}_"))
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
