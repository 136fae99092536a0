"""Renderers of a :class:`~costmodel.analysis.sweep.SweepResult`: table, json, csv, and
the closed forms the sweep computed. Exact integers in json/csv, human units in the table.
Each renderer yields text in pieces, so a 10⁶-point csv streams instead of being built in
memory. Nothing here loads a spec or computes a count: it formats the result."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from costmodel.analysis.grid_axis import Axis
from costmodel.analysis.sweep import TOTAL_KEYS, SweepResult
from costmodel.latency.sweep import LATENCY_KEY
from costmodel.units import human, readable

__all__ = ["SWEEP_RENDERERS", "ROW_LIMITS", "render_closed_forms"]

TABLE_TOTALS = ("params", "maccs", "mem_access", "elementwise")
RELATIVE_TOTALS = ("params", "maccs")
TABLE_WIDTH = 120
"""Columns the table is laid out in (whatever the terminal)."""


def render_json(result: SweepResult) -> Iterator[str]:
    """``[{"bindings": {...}, "totals": {...}}]`` with the keys of ``report``'s JSON (and
    ``latency_us`` with ``--latency``): the text ``json.dumps(result.records(), indent=2)``
    gives, streamed in chunks of :data:`CSV_CHUNK` records, each record one ``%`` of a
    template (json's indenting encoder is pure Python: 10⁵ records took seconds)."""
    times = _latency(result)
    fields = [(key, "%d") for key in TOTAL_KEYS] + ([(LATENCY_KEY, "%s")] if times else [])
    record = ("  {\n    \"bindings\": {\n"
              + ",\n".join(f"      {_quoted(name)}: %s" for name in result.names)
              + "\n    },\n    \"totals\": {\n"
              + ",\n".join(f"      {_quoted(key)}: {place}" for key, place in fields)
              + "\n    }\n  }")
    totals = [result.totals[key].reshape(-1) for key in TOTAL_KEYS]
    axes = list(result.axes.values())
    shape = tuple(len(values) for values in axes)
    size = math.prod(shape)
    for start in range(0, size, CSV_CHUNK):
        index = np.arange(start, min(size, start + CSV_CHUNK))
        columns = [[label if "/" not in label else f'"{label}"' for label in _labels(axis, position)]
                   for axis, position in zip(axes, np.unravel_index(index, shape))]
        columns += [values[index].tolist() for values in totals]
        if times:
            columns.append([json.dumps(times[i]) for i in index.tolist()])
        yield ("[\n" if start == 0 else ",\n") + ",\n".join([record % values for values in zip(*columns)])
    yield "\n]\n"


def _quoted(key: str) -> str:
    """``key`` as a JSON string, for a ``%`` template."""
    return json.dumps(key).replace("%", "%%")


def _latency(result: SweepResult) -> list[float]:
    """Each point's predicted latency (µs) in grid order, or none without ``--latency``."""
    values = result.totals.get(LATENCY_KEY)
    return [] if values is None else [float(v) for v in values.reshape(-1)]


ROW_LIMITS = {"table": 2_000, "json": 100_000}
"""Most grid points a format prints (csv: the grid limit): a longer table is not read (its
rows are laid out in memory), and json writes about 10⁵ records a second (it streams, but
10⁶ would pass the 10 s every command answers in)."""

CSV_CHUNK = 1 << 16
"""Rows formatted at a time: the csv streams, a grid of any size in bounded memory."""


def render_csv(result: SweepResult) -> Iterator[str]:
    """One row per point (the last axis varying fastest): the swept values, then every
    total (and ``latency_us`` with ``--latency``); yielded in chunks of :data:`CSV_CHUNK`
    rows, each formatted by one ``%`` per row (a swept value's text made once per distinct
    value in the chunk)."""
    latency = [LATENCY_KEY] if LATENCY_KEY in result.totals else []
    yield ",".join([*result.names, *TOTAL_KEYS, *latency]) + "\n"
    axes = list(result.axes.values())
    shape = tuple(len(values) for values in axes)
    row = ",".join(["%s"] * len(axes) + ["%d"] * len(TOTAL_KEYS) + ["%s"] * len(latency)) + "\n"
    totals = [result.totals[key].reshape(-1) for key in [*TOTAL_KEYS, *latency]]
    size = math.prod(shape)
    for start in range(0, size, CSV_CHUNK):
        index = np.arange(start, min(size, start + CSV_CHUNK))
        columns = [_labels(axis, position) for axis, position in zip(axes, np.unravel_index(index, shape))]
        columns += [values[index].tolist() for values in totals]
        yield "".join([row % values for values in zip(*columns)])


def _labels(axis: Axis, index: np.ndarray) -> list[str]:
    """The text of ``axis``'s value at each of ``index``."""
    distinct, inverse = np.unique(index, return_inverse=True)
    text = axis.labels(distinct)
    return [text[i] for i in inverse.tolist()]


def _percent(value: int, base: int) -> str:
    """100·value/base to one decimal (1.23e+45 from 10¹⁵ on); "n/a" when base is 0; no float overflow."""
    if base == 0:
        return "n/a"
    return readable(Fraction(100 * value, base))


def _human(value: int) -> str:
    """Human units; scientific notation for totals beyond float range."""
    try:
        return human(value)
    except OverflowError:
        return f"{Decimal(value):.3e}"


def render_table(result: SweepResult) -> Iterator[str]:
    """A table as rich prints it (:mod:`costmodel.report.plain_table`, or rich itself when
    that cannot): swept values, totals in human units, % of the spec's defaults."""
    from costmodel.report.plain_table import plain_line, plain_table

    fixed = ", ".join(f"{n} = {v}" for n, v in result.fixed.items())
    title = f"{result.model} sweep" + (f" ({fixed})" if fixed else "")
    latency = _latency(result)
    headers = [*result.names, *TABLE_TOTALS, *(f"{key} %" for key in RELATIVE_TOTALS),
               *(["latency ms"] if latency else [])]
    rows = [[*(str(v) for v in bindings.values()), *(_human(totals[k]) for k in TABLE_TOTALS),
             *(_percent(totals[k], result.baseline[k]) for k in RELATIVE_TOTALS),
             *([readable(latency[index] / 1000, 3)] if latency else [])]
            for index, (bindings, totals) in enumerate(result.points())]
    defaults = ", ".join(f"{k} {result.baseline[k]}" for k in RELATIVE_TOTALS)
    extra = f"; {result.exact_points} point(s) built one by one" if result.method == "compiled" else ""
    footer = f"% of the spec's defaults ({defaults}); method {result.method}{extra}"
    table, line = plain_table(title, headers, rows, TABLE_WIDTH), plain_line(footer, TABLE_WIDTH)
    yield _rich_table(title, headers, rows, footer) if table is None or line is None else table + line


def _rich_table(title: str, headers: list[str], rows: list[list[str]], footer: str,
                width: int = TABLE_WIDTH) -> str:
    """The table and the footer line as rich prints them at ``width`` columns."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for header in headers:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*row)
    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    console.print(table)
    console.print(footer)
    return console.file.getvalue()  # type: ignore[attr-defined]


SWEEP_RENDERERS: dict[str, Callable[[SweepResult], Iterator[str]]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
}


def render_closed_forms(result: SweepResult) -> str:
    """Each total's exact expression, relaxed polynomial, terms and relative error (as
    computed by ``sweep(..., closed_form=True)``)."""
    lines = [f"closed forms in {', '.join(result.names)}"]
    for form in result.closed_forms:
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
