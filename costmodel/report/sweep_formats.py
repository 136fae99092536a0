"""Renderers of a :class:`~costmodel.analysis.sweep.SweepResult`: table, json, csv, and
the closed forms. Exact integers in json/csv, human units in the table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from costmodel.analysis.sweep import TOTAL_KEYS, SweepResult
from costmodel.units import human

__all__ = ["SWEEP_RENDERERS", "render_closed_forms"]

TABLE_TOTALS = ("params", "maccs", "mem_access", "elementwise")
RELATIVE_TOTALS = ("params", "maccs")


def render_json(result: SweepResult) -> str:
    """``[{"bindings": {...}, "totals": {...}}]`` with the keys of ``report``'s JSON."""
    return json.dumps(result.records(), indent=2) + "\n"


def render_csv(result: SweepResult) -> str:
    """One row per point: the swept values, then every total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*result.names, *TOTAL_KEYS])
    for bindings, totals in result.points():
        writer.writerow([*(str(v) for v in bindings.values()), *(totals[k] for k in TOTAL_KEYS)])
    return out.getvalue()


def render_table(result: SweepResult) -> str:
    """A rich table: swept values, totals in human units, % of the spec's defaults."""
    from rich.console import Console
    from rich.table import Table

    fixed = ", ".join(f"{n} = {v}" for n, v in result.fixed.items())
    table = Table(title=f"{result.model} sweep" + (f" ({fixed})" if fixed else ""))
    for name in result.names:
        table.add_column(name, justify="right")
    for key in TABLE_TOTALS:
        table.add_column(key, justify="right")
    for key in RELATIVE_TOTALS:
        table.add_column(f"{key} %", justify="right")
    for bindings, totals in result.points():
        relative = [f"{100 * totals[k] / result.baseline[k]:.1f}" for k in RELATIVE_TOTALS]
        table.add_row(*(str(v) for v in bindings.values()), *(human(totals[k]) for k in TABLE_TOTALS),
                      *relative)
    console = Console(file=io.StringIO(), width=120, force_terminal=False, color_system=None)
    console.print(table)
    defaults = ", ".join(f"{k} {result.baseline[k]}" for k in RELATIVE_TOTALS)
    extra = f"; {result.exact_points} point(s) built one by one" if result.method == "compiled" else ""
    console.print(f"% of the spec's defaults ({defaults}); method {result.method}{extra}")
    return console.file.getvalue()  # type: ignore[attr-defined]


SWEEP_RENDERERS: dict[str, Callable[[SweepResult], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}


def render_closed_forms(spec: str | Path, result: SweepResult) -> str:
    """Each total's exact expression, relaxed polynomial, terms and relative error."""
    from costmodel.analysis.closed_form import closed_forms
    from costmodel.spec.load import load_spec

    lines = [f"closed forms in {', '.join(result.names)}"]
    for form in closed_forms(load_spec(spec), str(spec), result):
        lines += [f"{form.total} = {form.exact}",
                  f"{form.total} ≈ {_terms(form)}",
                  f"  relaxed (rounding dropped): max relative error {100 * form.max_relative_error:.2f} % "
                  "over the grid"]
    return "\n".join(lines) + "\n"


def _terms(form: Any) -> str:
    """Terms of the relaxed polynomial, highest degree first (or the relaxed expression)."""
    if not form.terms:
        return str(form.relaxed)
    return " + ".join(f"{_number(c)}·{m}" if m != 1 else _number(c) for c, m in form.terms)


def _number(value: Any) -> str:
    return str(value) if value.is_Integer else f"{float(value):.6g}"
