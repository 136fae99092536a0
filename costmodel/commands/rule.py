"""``costmodel rule``: explain a lint rule (its doc, formula and thresholds), or list them."""

from __future__ import annotations

import click

from costmodel.commands.common import spec_errors
from costmodel.errors import SpecError

__all__ = ["rule"]


@click.command()
@click.argument("code", required=False)
@click.pass_context
def rule(ctx: click.Context, code: str | None) -> None:
    """Print the documentation of rule CODE (e.g. G1), or list every rule.

    Exit status 2 for an unknown code.

    Example: costmodel rule G1   (costmodel rule: the list of codes)
    """
    from costmodel.lint.docs import rule_text
    from costmodel.lint.engine import RULES

    if code is None:
        for known in RULES.values():
            click.echo(f"{known.code:4} {known.name:32} {known.summary}")
        return
    found = RULES.get(code.upper())
    with spec_errors(ctx.obj["debug"]):
        if found is None:
            raise SpecError(f"unknown rule (rules: {', '.join(RULES)})")
    click.echo(rule_text(found), nl=False)
