"""``costmodel transform``: rewrite a spec (BN folding, re-parameterization, shuffle fusion)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from costmodel.commands.common import parse_bindings, seed_option, set_option, spec_errors
from costmodel.transforms import TRANSFORMS

__all__ = ["transform"]

F = TypeVar("F", bound=Callable[..., Any])


def _transform_flags(command: F) -> F:
    """One flag per registered transform (costmodel.transforms), its help from the registry."""
    for definition in reversed(TRANSFORMS.values()):
        command = click.option(f"--{definition.name}", _flag(definition.name), is_flag=True,
                               help=definition.help)(command)
    return command


def _flag(name: str) -> str:
    return name.replace("-", "_")


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@set_option
@_transform_flags
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write the transformed spec here (default or '-': standard output, report to stderr). "
                   "Never the input; an existing FILE only with --force.")
@click.option("--force", is_flag=True, help="Let -o replace an existing file (never the input).")
@click.option("--verify", is_flag=True,
              help="Prove the rewrite: run both networks in numpy on mapped weights, compare outputs.")
@seed_option("Seed of --verify's weights and input.")
@click.pass_context
def transform(ctx: click.Context, spec: str, assignments: tuple[str, ...], output: str | None,
              force: bool, verify: bool, seed: int, **flags: bool) -> None:
    """Rewrite SPEC into an equivalent spec of primitive ops and report the cost before and after.

    The output is a valid spec at the given bindings (one layer per primitive op, named as
    in `costmodel report`). Transforms run in the order reparameterize, fold-bn, fuse-shuffle.

    Example: costmodel transform specs/mobileone.yaml --reparameterize --fold-bn -o s0.yaml
    """
    from costmodel.graph import build
    from costmodel.outputs import check_output, write_output
    from costmodel.spec.load import load_spec
    from costmodel.spec.located_yaml import dump_yaml
    from costmodel.transforms import prove
    from costmodel.transforms import transform as apply_transforms
    from costmodel.units import human

    output = None if output == "-" else output
    names = [name for name in TRANSFORMS if flags[_flag(name)]]
    if not names:
        raise click.UsageError("choose at least one of " + ", ".join(f"--{name}" for name in TRANSFORMS))
    with spec_errors(ctx.obj["debug"]):
        if output is not None:  # refuse before the work, not after it
            check_output(output, inputs=[spec], overwrite=force)
        network = build(load_spec(spec), spec, parse_bindings(assignments))
        result = apply_transforms(network, names)
        proof = prove(network, names, seed) if verify else None  # before anything is written
    text = dump_yaml(result.spec, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=None)
    if output is None:
        click.echo(text, nl=False)
    else:
        with spec_errors(ctx.obj["debug"]):
            write_output(output, text, inputs=[spec], overwrite=force)
    to_stderr = output is None
    before, after = result.before.total.as_dict(), result.after.total.as_dict()
    click.echo(f"{'metric':<12} {'before':>14} {'after':>14} {'change':>8}", err=to_stderr)
    for metric, old in before.items():
        new = after[metric]
        change = f"{(new - old) / old:+.1%}" if old else ""
        click.echo(f"{metric:<12} {human(old):>14} {human(new):>14} {change:>8}", err=to_stderr)
    if proof is not None:
        click.echo(f"verified: max |y − y′| / max |y| = {proof.relative:.2e} (float64, seed {seed})",
                   err=to_stderr)
