"""Renderers of an :class:`Analysis`: table (rich), json, csv, markdown.

Each renderer is registered once in :data:`FORMATS` and returns text; numbers are exact
in json/csv/markdown, human-scaled in the table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from costmodel.analysis.peak_memory import PeakMemory
from costmodel.analysis.result import Analysis, LayerCost
from costmodel.cost import METRICS, Cost
from costmodel.units import DTYPE_BYTES, human, human_bytes, to_bytes

__all__ = ["ReportOptions", "FORMATS", "render", "to_json_data", "exact", "as_number", "exact_texts",
           "JSON_FORMAT", "JSON_FORMAT_VERSION"]

JSON_FORMAT = "costmodel.report"
JSON_FORMAT_VERSION = 2
"""Version of the report's JSON layout (docs/json.md): 2 writes numbers as numbers, the
exact fractions apart, and the options that shaped the numbers."""

LAYER_METRICS = ("params", "maccs", "mem_access", "elementwise")


@dataclass(frozen=True)
class ReportOptions:
    """How to render: element size for bytes, which rows, and the table's width."""

    dtype: str = "fp32"
    totals_only: bool = False
    depth: int = 0
    """Roll layers up into blocks this many levels deep (0: every layer)."""
    width: int | None = None
    """Fit the text table into this many columns (None: no limit)."""


def exact(value: Any) -> Any:
    """JSON-safe exact value: ints stay ints; a Fraction ('3/4') or sympy value becomes text."""
    return value if isinstance(value, int) else str(value)


def as_number(value: Any) -> Any:
    """A JSON number: ints stay ints, a Fraction becomes the nearest float (0.35; the exact
    value is kept apart by :func:`exact_texts`); a symbolic value becomes its text."""
    if isinstance(value, Fraction):
        return float(value)
    return exact(value)


def exact_texts(values: Mapping[str, Any]) -> dict[str, str]:
    """The values that are not whole numbers, as exact text: ``{"alpha": "7/20"}``."""
    return {name: str(value) for name, value in values.items() if isinstance(value, Fraction)}


def _shape(shape: Any) -> list[Any]:
    if shape and isinstance(shape[0], tuple):
        return [_shape(s) for s in shape]
    return [exact(size) for size in shape]


def _totals(analysis: Analysis, dtype: str) -> dict[str, Any]:
    totals = analysis.totals.as_dict()
    data = {name: exact(totals[name]) for name in METRICS}
    data["buffers"] = exact(totals["buffers"])
    data["mem_access_bytes"] = exact(to_bytes(totals["mem_access"], dtype))
    peak = analysis.peak_memory
    if peak is not None:
        data["peak_memory"] = peak.spec.elements
        data["peak_memory_bytes"] = peak.spec.bytes(DTYPE_BYTES[dtype])
        data["peak_memory_node"] = peak.spec.node
        data["peak_memory_best"] = peak.best.elements
        data["peak_memory_search"] = peak.search
    return data


def to_json_data(analysis: Analysis, options: ReportOptions = ReportOptions()) -> dict[str, Any]:
    """The documented JSON document (docs/json.md) as Python data."""
    from costmodel import __version__

    data: dict[str, Any] = {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "costmodel": __version__,
        "model": analysis.model,
        "options": {"fuse": analysis.fuse, "dtype": options.dtype},
        "bindings": {name: as_number(value) for name, value in analysis.bindings.items()},
        "exact_bindings": exact_texts(analysis.bindings),
        "dtype": options.dtype,
        "totals": _totals(analysis, options.dtype),
    }
    if not options.totals_only:
        data["layers"] = [_layer_data(row) for row in analysis.layers]
    return data


def _layer_data(row: LayerCost) -> dict[str, Any]:
    data: dict[str, Any] = {"name": row.name, "op": row.op, "block": row.block,
                            "output_shape": _shape(row.output_shape)}
    data.update({name: exact(getattr(row.cost, name)) for name in LAYER_METRICS})
    data["fragments"] = row.cost.fragments
    return data


def render_json(analysis: Analysis, options: ReportOptions) -> str:
    return json.dumps(to_json_data(analysis, options), indent=2)


def render_csv(analysis: Analysis, options: ReportOptions) -> str:
    """One row per layer, then a 'total' row; exact integers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "op", "block", "output_shape", *LAYER_METRICS, "fragments"])
    rows = [] if options.totals_only else analysis.layers
    for row in rows:
        writer.writerow([row.name, row.op, row.block, _csv_shape(row.output_shape),
                         *(exact(getattr(row.cost, m)) for m in LAYER_METRICS), row.cost.fragments])
    totals = analysis.totals
    writer.writerow(["total", "", "", "", *(exact(getattr(totals, m)) for m in LAYER_METRICS),
                     exact(totals.fragments)])
    return out.getvalue()


def _csv_shape(shape: Any) -> str:
    """``1x16x8x8``; a multi-output layer's shapes joined by ``;`` (``1x1x4x4;1x5x4x4``, a
    split), never run together into one longer shape."""
    if shape and isinstance(shape[0], tuple):
        return ";".join(_csv_shape(part) for part in shape)
    return "x".join(str(size) for size in shape)


def _shape_text(shape: Any) -> str:
    if shape and isinstance(shape[0], tuple):
        return ", ".join(_shape_text(s) for s in shape)
    return "×".join(str(size) for size in shape)


def _rows(analysis: Analysis, options: ReportOptions) -> list[tuple[str, str, Any, Any]]:
    """(name, op, output shape, cost) of each row: every layer, or blocks to ``depth``
    (names indented by level, as torchinfo does)."""
    if options.totals_only:
        return []
    if options.depth:
        from costmodel.analysis.rollup import rollup

        return [(row.label, row.op, row.output_shape, row.cost)
                for row in rollup(analysis, options.depth)]
    return [(row.name, row.op, row.output_shape, row.cost) for row in analysis.layers]


def render_markdown(analysis: Analysis, options: ReportOptions) -> str:
    """A GitHub table of the layers (or blocks) and the totals, exact integers, and every
    line the text table prints beneath it."""
    header = ["name", "op", "output", *LAYER_METRICS]
    bindings = _bindings_text(analysis)
    lines = [f"# {analysis.model}", "", *([bindings, ""] if bindings else []),
             "| " + " | ".join(header) + " |", "|" + "---|" * 3 + "---:|" * len(LAYER_METRICS)]
    for name, op, shape, cost in _rows(analysis, options):
        cells = [name.replace("  ", "&nbsp;&nbsp;"), op, _shape_text(shape),
                 *(str(getattr(cost, m)) for m in LAYER_METRICS)]
        lines.append("| " + " | ".join(cells) + " |")
    totals = analysis.totals
    lines.append("| **total** | | | " + " | ".join(f"**{getattr(totals, m)}**" for m in LAYER_METRICS) + " |")
    lines += ["", "```", _footer(analysis, options.dtype), "```"]
    return "\n".join(lines) + "\n"


def _footer(analysis: Analysis, dtype: str) -> str:
    """The lines beneath the table: exact totals and peak memory."""
    lines = [_totals_text(analysis, dtype)]
    if analysis.peak_memory is not None:
        lines.append(_peak_text(analysis.peak_memory, dtype))
    return "\n".join(lines)


def _bindings_text(analysis: Analysis) -> str:
    return ", ".join(f"{name} = {value}" for name, value in analysis.bindings.items())


def _title(analysis: Analysis) -> str:
    """``model (name = value, …)``; the model alone when nothing is bound (a spec with no
    parameters, an imported ONNX model)."""
    bindings = _bindings_text(analysis)
    return f"{analysis.model} ({bindings})" if bindings else analysis.model


def _totals_text(analysis: Analysis, dtype: str) -> str:
    """Exact totals, one metric a line, with units and the conventions that matter."""
    t = analysis.totals

    def number(value: Any) -> str:
        return f"{value:,}" if isinstance(value, int) else str(value)

    lines = [
        f"params       {number(t.params)} ({human(t.params)}; BN running stats: {number(t.buffers)} buffers)",
        f"maccs        {number(t.maccs)} ({human(t.maccs)}; FLOPs = 2×MACCs)",
        f"mem_access   {number(t.mem_access)} elements = "
        f"{human_bytes(to_bytes(t.mem_access, dtype))} at {dtype}",
        f"elementwise  {number(t.elementwise)}",
        f"fragments    {number(t.fragments)}",
    ]
    return "\n".join(lines)


def render_table(analysis: Analysis, options: ReportOptions) -> str:
    """An aligned text table with human units, a totals row and the exact totals beneath.

    Plain string formatting rather than rich's Table: it is 20× faster on 150 rows, which
    matters for a cold ``costmodel report``. With ``options.width`` the table fits that
    many columns (:func:`_fit`).
    """
    header: tuple[str, ...] = ("name", "op", "output", *LAYER_METRICS)
    cells: dict[tuple[Any, Cost], tuple[str, ...]] = {}  # the copies of a repeated block share theirs

    def row(name: str, op: str, shape: Any, cost: Cost) -> tuple[str, ...]:
        key = (shape, cost)
        if key not in cells:
            cells[key] = (_shape_text(shape), *(human(getattr(cost, m)) for m in LAYER_METRICS))
        return (name, op, *cells[key])

    rows = [row(*layer) for layer in _rows(analysis, options)]
    totals = analysis.totals
    total_row = ("total", "", "", *(human(getattr(totals, m)) for m in LAYER_METRICS))
    table = [header, *rows, total_row]
    if options.width is not None:
        table = _fit(table, options.width)
    header, rows, total_row = table[0], table[1:-1], table[-1]
    widths = [max(len(cells[i]) for cells in table) for i in range(len(header))]
    left = 3 - (len(LAYER_METRICS) + 3 - len(header))

    def line(cells: tuple[str, ...]) -> str:
        text = [cell.ljust(width) if i < left else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(cells, widths))]
        return "  ".join(text).rstrip()

    rule = "  ".join("─" * width for width in widths)
    lines = [_title(analysis), ""]
    if rows:
        lines += [line(header), rule, *(line(cells) for cells in rows), rule, line(total_row), ""]
    lines.append(_footer(analysis, options.dtype))
    return "\n".join(lines) + "\n"


def _fit(table: list[tuple[str, ...]], width: int) -> list[tuple[str, ...]]:
    """The table narrowed to ``width`` columns: long names shortened in the middle (the
    end of a layer name says most), then the output shape, then the op column dropped."""
    def total(rows: list[tuple[str, ...]]) -> int:
        return sum(max(len(r[i]) for r in rows) for i in range(len(rows[0]))) + 2 * (len(rows[0]) - 1)

    excess = total(table) - width
    if excess > 0:
        name_width = max(len(r[0]) for r in table)
        target = max(12, name_width - excess)
        table = [(_shorten(r[0], target), *r[1:]) for r in table]
    for column in (2, 1):  # output shape, then op
        if total(table) > width:
            table = [r[:column] + r[column + 1:] for r in table]
    return table


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    indent = len(text) - len(text.lstrip(" "))
    head = (width - indent - 1) // 3
    return text[:indent + head] + "…" + text[len(text) - (width - indent - 1 - head):]


def _peak_text(peak: PeakMemory, dtype: str) -> str:
    """Peak activation memory of the spec's order, and of the best order found."""
    size = DTYPE_BYTES[dtype]
    best = (f"\n             best order {peak.best.elements:,} = {human_bytes(peak.best.bytes(size))}"
            if peak.best.elements < peak.spec.elements else "")
    if peak.search != "exact":
        best += (" (heuristic search)" if peak.search == "greedy" else
                 f"{best and ' '}(search budget spent: spec order kept in part; not proven minimal)")
    return (f"peak_memory  {peak.spec.elements:,} elements = {human_bytes(peak.spec.bytes(size))} "
            f"at {dtype}, at {peak.spec.node}{best}")


def render_latex(analysis: Analysis, options: ReportOptions) -> str:
    """A ``tabular`` of the layers (or blocks, with ``depth``) and the totals, exact
    integers with thin-space thousands, for a paper's table."""
    def number(value: Any) -> str:
        return f"{value:,}".replace(",", r"\,") if isinstance(value, int) else f"${value}$"

    def text(value: str) -> str:
        return value.replace("_", r"\_").replace("  ", r"\quad ")

    lines = [f"% {_title(analysis)}",
             r"\begin{tabular}{ll" + "r" * len(LAYER_METRICS) + "}",
             " & ".join(["name", "op", *(text(m) for m in LAYER_METRICS)]) + r" \\ \hline"]
    for name, op, _, cost in _rows(analysis, options):
        lines.append(" & ".join([text(name), text(op), *(number(getattr(cost, m)) for m in LAYER_METRICS)])
                     + r" \\")
    totals = analysis.totals
    lines += [r"\hline", " & ".join(["total", "", *(number(getattr(totals, m)) for m in LAYER_METRICS)])
              + r" \\", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Analysis, ReportOptions], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "latex": render_latex,
}


def render(analysis: Analysis, fmt: str, options: ReportOptions = ReportOptions()) -> str:
    """Render ``analysis`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    return FORMATS[fmt](analysis, options)
