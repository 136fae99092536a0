"""``costmodel diff``: two specs, or two bindings of one spec, block by block."""

from __future__ import annotations

import json
from typing import Any

import click

from costmodel.commands.common import (
    WholeNumber,
    load_model,
    parse_bindings,
    set_option,
    spec_errors,
)

__all__ = ["diff"]

METRICS = ("params", "maccs", "mem_access", "elementwise")


@click.command()
@click.argument("spec_a", type=click.Path(dir_okay=False))
@click.argument("spec_b", type=click.Path(dir_okay=False), required=False)
@set_option
@click.option("--set-a", "assign_a", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of A only (repeatable).")
@click.option("--set-b", "assign_b", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of B only (repeatable).")
@click.option("--depth", type=WholeNumber(min=1), default=1, show_default=True,
              help="Compare blocks this many levels down.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True, help="table: changed blocks and totals; json: exact numbers.")
@click.pass_context
def diff(ctx: click.Context, spec_a: str, spec_b: str | None, assignments: tuple[str, ...],
         assign_a: tuple[str, ...], assign_b: tuple[str, ...], depth: int, fmt: str) -> None:
    """Compare two specs (or SPEC_A at two bindings): each block's and each total's change.
    A spec may be an ONNX model (*.onnx), read as `costmodel report` reads it.

    Blocks are matched by name; a block only one side has is listed as added or removed.
    Deltas are B − A, exact.

    Example: costmodel diff specs/mobilenet_v2.yaml --set-b alpha=0.75
    """
    from costmodel.analysis.diff import diff as compare
    from costmodel.analysis.result import Analysis
    from costmodel.graph import build

    with spec_errors(ctx.obj["debug"]):
        common = parse_bindings(assignments)
        a_model = load_model(spec_a)
        b_model = a_model if spec_b is None else load_model(spec_b)
        a = Analysis(build(a_model, spec_a, {**common, **parse_bindings(assign_a, "--set-a")}))
        b = Analysis(build(b_model, spec_b or spec_a, {**common, **parse_bindings(assign_b, "--set-b")}))
        result = compare(a, b, depth)
    click.echo(_json(result) if fmt == "json" else _table(result), nl=False)


def _label(analysis: Any) -> str:
    bindings = ", ".join(f"{k} = {v}" for k, v in analysis.bindings.items())
    return f"{analysis.model} ({bindings})"


def _signed(value: int) -> str:
    return f"{value:+,}".replace("-", "−") if value else "0"


def _table(result: Any) -> str:
    from costmodel.units import human

    lines = [f"A: {_label(result.a)}", f"B: {_label(result.b)}", ""]
    changed = result.changed(METRICS)
    if changed:
        header = ("block", *(f"Δ {m}" for m in METRICS))
        rows = [(block.name + (" (only in A)" if block.b is None else " (only in B)" if block.a is None else ""),
                 *(_signed_human(block.delta(m), human) for m in METRICS)) for block in changed]
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        lines.append("")
    else:
        lines += ["no block differs", ""]
    ta, tb = result.a.totals, result.b.totals
    for metric in (*METRICS, "fragments"):
        va, vb = getattr(ta, metric), getattr(tb, metric)
        share = f", {100 * (vb - va) / va:+.2f} %".replace("-", "−") if va else ""
        lines.append(f"{metric:<12} {va:,} → {vb:,} ({_signed(vb - va)}{share})")
    return "\n".join(lines) + "\n"


def _signed_human(value: int, human: Any) -> str:
    if not value:
        return "0"
    return ("+" if value > 0 else "−") + human(abs(value))


def _json(result: Any) -> str:
    from costmodel.report.formats import to_json_data

    def side(analysis: Any) -> dict[str, Any]:
        data = to_json_data(analysis)
        return {k: data[k] for k in ("model", "bindings", "exact_bindings", "totals")}

    return json.dumps({
        "a": side(result.a), "b": side(result.b),
        "blocks": [{"name": block.name, "in_a": block.a is not None, "in_b": block.b is not None,
                    "delta": {m: block.delta(m) for m in (*METRICS, "fragments")}}
                   for block in result.blocks],
        "delta": {m: getattr(result.b.totals, m) - getattr(result.a.totals, m)
                  for m in (*METRICS, "fragments")},
    }, indent=2) + "\n"
