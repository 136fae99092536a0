"""``costmodel zoo``: every spec and variant beside its published figures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from costmodel.commands.common import spec_errors
from costmodel.errors import SpecError, printable

__all__ = ["zoo"]


@click.command()
@click.option("--specs", "specs_dir", metavar="DIR", default="specs",
              show_default=True, help="Directory of the specs.")
@click.option("--format", "fmt", type=click.Choice(("markdown", "json")), default="markdown",
              show_default=True, help="markdown: write docs/zoo.md; json: print the entries.")
@click.option("--output", default="docs/zoo.md", show_default=True,
              help="Where the markdown goes ('-' for stdout); written whole or not at all, "
                   "never over a spec or a note.")
@click.option("--notes", "notes_dir", metavar="DIR", default="docs/zoo_notes",
              show_default=True, help="Hand-written notes appended to the markdown (a folder "
              "given must exist; the default may be absent: no notes).")
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
    from costmodel.commands.progress import progress_bar
    from costmodel.outputs import check_output, write_output
    from costmodel.report.zoo_json import to_json
    from costmodel.report.zoo_markdown import note_paths, render_zoo_markdown
    from costmodel.zoo import collect, spec_paths

    with spec_errors(ctx.obj["debug"]):
        given = ctx.get_parameter_source("notes_dir") is not click.core.ParameterSource.DEFAULT
        if (given or Path(notes_dir).exists()) and not Path(notes_dir).is_dir():
            raise SpecError("--notes: not a directory" if Path(notes_dir).exists()
                            else "--notes: no such directory", path=notes_dir)
        inputs = [*spec_paths(specs_dir), *note_paths(notes_dir)]
        if fmt == "markdown" and output != "-" and not check:  # refuse before the work
            check_output(output, inputs=inputs)
        if check and not Path(output).is_file():  # nothing to compare: bad input, not "stale"
            raise SpecError("--check: not a regular file" if Path(output).exists() else
                            "--check: no such file to compare; run `costmodel zoo` to write it",
                            path=output)
        with progress_bar("zoo specs") as progress:
            entries = collect(specs_dir, progress)
        if fmt == "json":
            click.echo(json.dumps(to_json(entries), indent=2, ensure_ascii=False))
            return
        text = render_zoo_markdown(entries, notes_dir)
        if check:
            if not _matches(output, text):
                click.echo(printable(f"{output} is stale: run `costmodel zoo`"), err=True)
                sys.exit(1)
            return
        if output == "-":
            click.echo(text, nl=False)
            return
        write_output(output, text, inputs=inputs)
    click.echo(printable(f"wrote {output} ({len(entries)} rows)"))


def _matches(path: str, text: str) -> bool:
    """True when ``path`` is a regular file holding exactly ``text`` (size compared first,
    so a huge or endless file is never read)."""
    expected = text.encode("utf-8")
    target = Path(path)
    if not target.is_file() or target.stat().st_size != len(expected):
        return False
    return target.read_bytes() == expected
