"""The distribution of an additive metric over every subnet, by convolution over the graph.

Write each edge's value x = Δ·q + r with 0 ≤ r < Δ. A subnet's total is Δ·Σq + Σr, so
the counts of k = Σq over the paths from a node are the sum over its edges of the target's
counts shifted by q (and times the edge's multiplicity): one shifted add per edge, a dynamic
program over stages in place of an enumeration of the subnets.

Δ is the gcd g of every edge value when the span (max − min)/g fits ``max_bins``: then
r = 0 and the distribution is exact at every value. Otherwise Δ is the least multiple of
g that fits, and a subnet counted at k has its total in [Δk, Δk + slack], slack being the
largest Σr over the paths (exact counts of the grid values; exact bounds for thresholds).

Every node keeps its array (the sampler walks them all), of at most (high − low)/Δ + L + 1
cells for the span [low, high] of its paths' totals and their L edges: Δ is made coarser
still when the arrays together would pass :data:`MAX_GRID_CELLS` (16 bytes a cell), so a
space of thousands of stages or choices costs bounded memory and time, and says so through
a non-zero slack, instead of exhausting memory.

Counts reach 7371⁵ ≈ 2.2×10¹⁹ > 2⁶⁴ (Once-for-All), beyond any numpy integer: each array is
kept twice, modulo 2⁶⁴ (uint64 wraps exactly) and as float64 (relative error ≤ ~10⁻¹³); the
exact count is the one integer with that residue within 2⁶³ of the float.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import gcd

import numpy as np

from costmodel.errors import SpecError
from costmodel.space.dp import Keep, extreme, ranges
from costmodel.space.graph import SpaceGraph

__all__ = ["Grid", "grid_step", "grid_distribution", "merge", "exact_count", "DEFAULT_MAX_BINS",
           "MAX_GRID_CELLS"]

DEFAULT_MAX_BINS = 1 << 17

MAX_GRID_CELLS = 1 << 25
"""Most cells the grids of one distribution hold together: 2²⁵ cells of 16 bytes, 512 MiB.
Once-for-All MobileNetV3's MACCs at --max-bins 2²⁰ (25 resolutions) stay below it."""

_WRAP = 1 << 64


def exact_count(residue: int, approx: float) -> int:
    """The integer ≡ ``residue`` (mod 2⁶⁴) nearest to ``approx``."""
    return residue + _WRAP * round((approx - residue) / _WRAP)


@dataclass
class Grid:
    """Counts of k = Σq for k = start, start + 1, …; totals lie in [Δk, Δk + slack]."""

    step: int
    start: int
    residues: np.ndarray
    approx: np.ndarray
    slack: int = 0

    @property
    def exact(self) -> bool:
        """True when every total is exactly Δk."""
        return self.slack == 0

    def count(self, index: int) -> int:
        """Exact count at array index ``index``."""
        return exact_count(int(self.residues[index]), float(self.approx[index]))

    @cached_property
    def cumulative(self) -> tuple[np.ndarray, np.ndarray]:
        """Running sums (mod 2⁶⁴ and float) over the array."""
        return np.cumsum(self.residues, dtype=np.uint64), np.cumsum(self.approx)

    def up_to(self, k: int) -> int:
        """Exact number of subnets with Σq ≤ k."""
        index = min(k - self.start, len(self.residues) - 1)
        if index < 0:
            return 0
        residues, approx = self.cumulative
        return exact_count(int(residues[index]), float(approx[index]))

    def at_most(self, value: int) -> tuple[int, int]:
        """Bounds (equal when exact) on the number of subnets with total ≤ ``value``:
        surely (Δk + slack ≤ value) and possibly (Δk ≤ value)."""
        return self.up_to((value - self.slack) // self.step), self.up_to(value // self.step)

    @property
    def total(self) -> int:
        """Number of subnets."""
        return self.up_to(self.start + len(self.residues) - 1)


def grid_step(graphs: list[SpaceGraph], metric: str, max_bins: int = DEFAULT_MAX_BINS) -> int:
    """Δ: the gcd of the metric's edge values, times the least factor fitting ``max_bins``
    over the whole space's span (which bounds the span of every node's paths, with or
    without a budget)."""
    g = 0
    for graph in graphs:
        for edges in graph.edges:
            for edge in edges:
                g = gcd(g, edge.values[metric])
    g = g or 1
    lows = [found[0] for graph in graphs if (found := extreme(graph, metric, min))]
    highs = [found[0] for graph in graphs if (found := extreme(graph, metric, max))]
    span = (max(highs) - min(lows)) // g
    factor = max(1, -(-span // max_bins))
    spans = fixed = 0
    for graph in graphs:
        for reach in ranges(graph, metric):
            if reach is not None:
                spans += reach[1] - reach[0]
                fixed += reach[2] + 1
    if fixed >= MAX_GRID_CELLS:
        raise SpecError(f"the distribution of {metric} would need more than {MAX_GRID_CELLS:,} cells "
                        f"(MAX_GRID_CELLS) even at one bin a node: {fixed:,} for the space's paths; "
                        "fix some choices (--set) or list fewer")
    # Σ (span/Δ + L + 1) ≤ MAX_GRID_CELLS  ⟸  Δ ≥ spans / (MAX_GRID_CELLS − fixed)
    least = -(-spans // (MAX_GRID_CELLS - fixed))
    return g * max(factor, -(-least // g))


def grid_distribution(graph: SpaceGraph, metric: str, step: int, keep: Keep = None) -> list[Grid | None]:
    """The grid of every node (None where no path reaches an end)."""
    grids: list[Grid | None] = [None] * len(graph.edges)
    for node in reversed(range(len(graph.edges))):
        if graph.terminal[node]:
            grids[node] = Grid(step, 0, np.ones(1, np.uint64), np.ones(1))
            continue
        parts = []
        for edge in graph.edges[node]:
            child = grids[edge.target]
            if child is not None and (keep is None or keep(edge)):
                q, r = divmod(edge.values[metric], step)
                parts.append((child, q, r, edge.multiplicity))
        grids[node] = _combine(step, parts) if parts else None
    return grids


def merge(grids: list[Grid]) -> Grid:
    """The distribution of the union of disjoint spaces (one grid each, same Δ)."""
    return _combine(grids[0].step, [(grid, 0, 0, 1) for grid in grids])


def _combine(step: int, parts: list[tuple[Grid, int, int, int]]) -> Grid:
    start = min(child.start + q for child, q, _, _ in parts)
    end = max(child.start + q + len(child.residues) for child, q, _, _ in parts)
    residues = np.zeros(end - start, np.uint64)
    approx = np.zeros(end - start)
    slack = 0
    for child, q, r, multiplicity in parts:
        offset = child.start + q - start
        window = slice(offset, offset + len(child.residues))
        if multiplicity == 1:
            residues[window] += child.residues
            approx[window] += child.approx
        else:
            residues[window] += child.residues * np.uint64(multiplicity % _WRAP)
            approx[window] += child.approx * float(multiplicity)
        slack = max(slack, r + child.slack)
    return Grid(step, start, residues, approx, slack)
