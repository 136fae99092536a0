"""``costmodel zoo``: every spec and variant beside its published figures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from costmodel.commands.common import spec_errors

__all__ = ["zoo"]


@click.command()
@click.option("--specs", "specs_dir", type=click.Path(file_okay=False), default="specs",
              show_default=True, help="Directory of the specs.")
@click.option("--format", "fmt", type=click.Choice(("markdown", "json")), default="markdown",
              show_default=True, help="markdown: write docs/zoo.md; json: print the entries.")
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True), default="docs/zoo.md",
              show_default=True, help="Where the markdown goes ('-' for stdout).")
@click.option("--notes", "notes_dir", type=click.Path(file_okay=False), default="docs/zoo_notes",
              show_default=True, help="Hand-written notes appended to the markdown.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if --output is stale.")
@click.pass_context
def zoo(ctx: click.Context, specs_dir: str, fmt: str, output: str, notes_dir: str,
        check: bool) -> None:
    """Analyze every spec in SPECS at each of its variants and compare with the published
    params and maccs (within their rounding).

    \b
    costmodel zoo                   regenerate docs/zoo.md
    costmodel zoo --format json     [{"spec", "variant", "bindings", "totals", "published", ...}]
    costmodel zoo --check           exit 1 when docs/zoo.md is stale
    """
    from costmodel.report.zoo_markdown import render_zoo_markdown
    from costmodel.zoo import collect, to_json

    with spec_errors(ctx.obj["debug"]):
        entries = collect(specs_dir)
    if fmt == "json":
        click.echo(json.dumps(to_json(entries), indent=2, ensure_ascii=False))
        return
    text = render_zoo_markdown(entries, notes_dir)
    if check:
        current = Path(output).read_text(encoding="utf-8") if Path(output).exists() else ""
        if current != text:
            click.echo(f"{output} is stale: run `costmodel zoo`", err=True)
            sys.exit(1)
        return
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output} ({len(entries)} rows)")
