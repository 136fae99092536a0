"""Plots of a sweep (matplotlib, the optional ``plot`` extra, imported on use).

One swept parameter: a line per total against it. Two: a heatmap per total with each
cell's value. Published figures of the spec's variants that fall on the grid (found by the
sweep: ``SweepResult.published``) are overlaid (markers on lines; "paper: …" in heatmap
cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from costmodel.analysis.sweep import Published, SweepResult
from costmodel.errors import SpecError
from costmodel.units import human

__all__ = ["PLOT_TOTALS", "check_plot_path", "plot_sweep"]

PLOT_TOTALS = ("params", "maccs", "mem_access")

MARKED_POINTS = 200
"""Lines with more points than this are drawn without a marker per point."""

LINE_POINTS = 4096
"""Lines with more points are drawn as the lowest and highest value of each of this many
runs of consecutive points: the same picture at any width a figure has, 10⁶ points drawn
in a fraction of the time."""

TICKS = 8
"""Most labelled ticks on a heatmap axis (every value up to this many)."""


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SpecError("--plot needs matplotlib: pip install 'costmodel[plot]'") from None
    return plt


def check_plot_path(path: str | Path) -> None:
    """Refuse a file name whose suffix matplotlib cannot write (before any work)."""
    plt = _pyplot()
    formats = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        raise SpecError(f"cannot plot to '.{suffix}' files; use one of "
                        + ", ".join(f".{name}" for name in sorted(formats)), path=str(path))


def plot_sweep(result: SweepResult, path: str | Path, inputs: Sequence[str | Path] = ()) -> None:
    """Write the plot of ``result`` to ``path`` (format from the suffix: .png, .svg, …)
    under :mod:`costmodel.outputs`' contract (never over ``inputs``, atomic, one-line
    errors)."""
    from costmodel.outputs import write_output

    plt = _pyplot()
    if len(result.names) not in (1, 2):
        raise SpecError(f"a plot shows one or two swept parameters, not {len(result.names)}")
    figure, axes = plt.subplots(1, len(PLOT_TOTALS), figsize=(5.2 * len(PLOT_TOTALS), 4.4),
                                constrained_layout=True)
    for ax, key in zip(axes, PLOT_TOTALS):
        if len(result.names) == 1:
            _lines(ax, result, key, result.published)
        else:
            _heatmap(figure, ax, result, key, result.published)
    figure.suptitle(f"{result.model}: totals over the sweep"
                    + "".join(f", {n} = {v}" for n, v in result.fixed.items()))
    try:
        write_output(path, lambda target: figure.savefig(target, dpi=110), inputs=inputs)
    finally:
        plt.close(figure)


def _lines(ax: Any, result: SweepResult, key: str, published: Sequence[Published]) -> None:
    (name,) = result.names
    xs = result.axes[name].floats()
    ax.plot(*_envelope(xs, result.totals[key].astype(float)),
            marker="o" if len(xs) <= MARKED_POINTS else None, label="costmodel")
    marks = [(xs[index[0]], float(values[key])) for index, values in published if key in values]
    if marks:
        ax.scatter(*zip(*marks), marker="x", s=80, color="crimson", zorder=3, label="published")
    ax.set_xlabel(name)
    ax.set_ylabel(key)
    ax.set_title(key)
    ax.grid(alpha=0.3)
    ax.legend()


def _heatmap(figure: Any, ax: Any, result: SweepResult, key: str, published: Sequence[Published]) -> None:
    rows, columns = result.names
    values = result.totals[key].astype(float)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    figure.colorbar(image, ax=ax, shrink=0.85)
    for ticks, name in ((ax.set_xticks, columns), (ax.set_yticks, rows)):
        where = _ticks(len(result.axes[name]))
        ticks(where, result.axes[name].labels(where))
    ax.set_xlabel(columns)
    ax.set_ylabel(rows)
    ax.set_title(key)
    paper = {index: values_[key] for index, values_ in published if key in values_}
    if values.size > 100:
        return
    middle = (values.max() + values.min()) / 2
    for (i, j), value in np.ndenumerate(values):
        text = human(int(result.totals[key][i, j]))
        if (i, j) in paper:
            text += f"\npaper: {human(int(paper[(i, j)]))}"
        ax.text(j, i, text, ha="center", va="center", fontsize=8,
                color="black" if value > middle else "white")


def _ticks(count: int) -> np.ndarray:
    """Indices of at most :data:`TICKS` evenly spread values of an axis of ``count``."""
    return np.unique(np.linspace(0, count - 1, min(count, TICKS)).round().astype(int))


def _envelope(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys) with at most 2 · :data:`LINE_POINTS` points: each run's first x twice, with
    the run's lowest and highest y (every point when there are few)."""
    if len(xs) <= 2 * LINE_POINTS:
        return xs, ys
    starts = np.linspace(0, len(xs), LINE_POINTS, endpoint=False).astype(int)
    low, high = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
    return np.repeat(xs[starts], 2), np.column_stack([low, high]).reshape(-1)
