"""``costmodel rule``: explain a lint rule (its doc, formula and thresholds), or list them."""

from __future__ import annotations

import click

from costmodel.commands.common import EXIT_BAD_INPUT

__all__ = ["rule"]


@click.command()
@click.argument("code", required=False)
def rule(code: str | None) -> None:
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
    if found is None:
        click.echo(f"error: unknown rule '{code}' (rules: {', '.join(RULES)})", err=True)
        raise SystemExit(EXIT_BAD_INPUT)
    click.echo(rule_text(found), nl=False)
