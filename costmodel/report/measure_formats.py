"""`costmodel measure` output: text table, JSON and CSV of a :class:`Measurement`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from costmodel.runtime.measure import LayerTime, Measurement
from costmodel.units import human

__all__ = ["FORMATS", "compact_layers", "render_measurement"]

FORMATS = ("table", "json", "csv")
_WIDTH = 48


def compact_layers(layers: tuple[str, ...]) -> str:
    """``features.0.conv, features.0.bn`` → ``features.0.{conv,bn}``; one layer as is;
    none (kernels the runtime added, joined to no layer) as ``(runtime)``."""
    if not layers:
        return "(runtime)"
    if len(layers) == 1:
        return layers[0]
    prefix = layers[0].rsplit(".", 1)[0] + "." if "." in layers[0] else ""
    while prefix and not all(layer.startswith(prefix) for layer in layers):
        prefix = prefix[:-1].rsplit(".", 1)[0] + "." if "." in prefix[:-1] else ""
    return f"{prefix}{{{','.join(layer[len(prefix):] for layer in layers)}}}"


def _fit(text: str, width: int = _WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _summary(m: Measurement) -> str:
    lat = m.latency
    return (f"{m.model} on {m.runtime} {m.version} (CPU, {m.options.threads} thread"
            f"{'s' * (m.options.threads != 1)}, optimize {m.options.optimize}): latency "
            f"{lat.median / 1e3:.3f} ms median, IQR {lat.iqr / 1e3:.3f} ms "
            f"({lat.q1 / 1e3:.3f}–{lat.q3 / 1e3:.3f}), {lat.runs} runs, {m.clock} clock")


def render_table(m: Measurement) -> str:
    """Summary line, then one row per group of layers timed together."""
    header = ("layers", "runtime ops", "µs", "share", "maccs", "bytes", "GMAC/s", "GB/s")
    body = [(_fit(compact_layers(r.layers)), _fit("+".join(r.ops) or "(none)", 28),
             f"{r.time_us:.1f}", f"{100 * r.share:.1f} %", _human(r.maccs), _human(r.bytes),
             _rate(r.gmacs_per_s), _rate(r.gb_per_s)) for r in m.rows]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [_summary(m),
             f"per layer: {m.runtime} profiler, wall µs per kernel, median of {m.profile_runs} runs; "
             f"kernels add up to {m.kernels_us / 1e3:.3f} ms (the rest of a run is the runtime's "
             "own overhead)", ""]
    for row in [header, tuple("─" * w for w in widths), *body]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _human(value: int | None) -> str:
    return "—" if value is None else human(value)


def _row_data(row: LayerTime) -> dict[str, Any]:
    return {"layers": list(row.layers), "ops": list(row.ops), "time_us": row.time_us,
            "share": row.share, "maccs": row.maccs, "bytes": row.bytes,
            "gmacs_per_s": row.gmacs_per_s, "gb_per_s": row.gb_per_s}


def render_json(m: Measurement) -> str:
    """``{"model", "runtime", "version", "threads", "optimize", "clock", "latency_us":
    {median, q1, q3, iqr, runs}, "kernels_us", "profile_runs", "layers": [...]}``."""
    lat = m.latency
    data = {"model": m.model, "runtime": m.runtime, "version": m.version,
            "threads": m.options.threads, "optimize": m.options.optimize, "clock": m.clock,
            "latency_us": {"median": lat.median, "q1": lat.q1, "q3": lat.q3, "iqr": lat.iqr,
                           "runs": lat.runs},
            "kernels_us": m.kernels_us, "profile_runs": m.profile_runs,
            "layers": [_row_data(row) for row in m.rows]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_csv(m: Measurement) -> str:
    """One line per row; ``layers`` and ``ops`` joined by spaces and ``+``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["layers", "ops", "time_us", "share", "maccs", "bytes", "gmacs_per_s", "gb_per_s"])
    for row in m.rows:
        writer.writerow([" ".join(row.layers), "+".join(row.ops), f"{row.time_us:.1f}",
                         f"{row.share:.6f}", row.maccs, row.bytes,
                         "" if row.gmacs_per_s is None else f"{row.gmacs_per_s:.4f}",
                         "" if row.gb_per_s is None else f"{row.gb_per_s:.4f}"])
    return out.getvalue()


def render_measurement(m: Measurement, fmt: str) -> str:
    """``fmt`` is one of :data:`FORMATS`."""
    return {"table": render_table, "json": render_json, "csv": render_csv}[fmt](m)
