"""Questions about a whole space, answered by the dynamic programs (never by enumeration).

:class:`SpaceStats` takes a :class:`~costmodel.space.graph.Space` and an optional peak
activation memory budget (a subnet fits when every slot's peak does, the network's peak
being the largest of them) and answers: how many subnets, the least and greatest value of
each metric with a subnet attaining it, the distribution of an additive metric (exact
counts, or exact bounds where a grid coarser than the values' gcd was needed), the count
under a budget, the Pareto front of two metrics, and uniform samples.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from costmodel.errors import SpecError
from costmodel.space import dp
from costmodel.space.distribution import DEFAULT_MAX_BINS, Grid, grid_distribution, grid_step, merge
from costmodel.space.graph import Edge, Space, SpaceGraph
from costmodel.space.sample import sample
from costmodel.space.subnet import Subnet, subnet

__all__ = ["PEAK", "Extreme", "Bin", "SpaceStats"]

PEAK = "peak_memory"

MAX_DISTRIBUTION_COUNT = 2**100
"""Most subnets whose distribution is counted: a count is recovered from its residue modulo
2⁶⁴ and a float64 within 2⁶³ of it, which needs a relative error below ~10⁻¹² (2¹⁰⁰ ≈ 1.3×10³⁰).
Counts, extremes and Pareto fronts (Python integers) have no such limit."""


@dataclass(frozen=True)
class Extreme:
    """The least or greatest value of a metric and one subnet attaining it."""

    value: int
    subnet: Subnet


@dataclass(frozen=True)
class Bin:
    """Subnets with ``low`` ≤ value < ``high``: ``count`` of them (exact when the grid is
    exact, else counted at their grid value), and the number with value < ``high`` as bounds."""

    low: int
    high: int
    count: int
    below_high: tuple[int, int]


class SpaceStats:
    """Exact statistics of a space, restricted to subnets with peak ≤ ``peak_budget``."""

    def __init__(self, space: Space, peak_budget: int | None = None,
                 max_bins: int = DEFAULT_MAX_BINS) -> None:
        self.space, self.peak_budget, self.max_bins = space, peak_budget, max_bins
        self.keep: dp.Keep = None if peak_budget is None else (lambda edge: edge.peak <= peak_budget)
        self.distribution = cache(self._distribution)

    def _subnet(self, graph: SpaceGraph, path: dp.Path) -> Subnet:
        return subnet(self.space, graph, dp.path_edges(path))

    @property
    def count(self) -> int:
        """Number of subnets (weighted by multiplicity in a ``settings`` space)."""
        return sum(dp.counts(graph, self.keep)[0] for graph in self.space.graphs)

    def extreme(self, metric: str, pick: Any = min) -> Extreme | None:
        """Least (``pick=min``) or greatest value of ``metric``; None for an empty space."""
        found = []
        for graph in self.space.graphs:
            result = (dp.peak_extreme(graph, pick, self.keep) if metric == PEAK
                      else dp.extreme(graph, metric, pick, self.keep))
            if result is not None:
                found.append((result[0], graph, result[1]))
        if not found:
            return None
        value, graph, path = pick(found, key=lambda item: item[0])
        return Extreme(value, self._subnet(graph, path))

    def _distribution(self, metric: str) -> Grid | None:
        if (total := self.count) > MAX_DISTRIBUTION_COUNT:
            raise SpecError(f"the space has a {len(str(total))}-digit number of subnets, more than 2^100: "
                            "the distribution's "
                            "counts (kept modulo 2^64 beside a float) would no longer be exact; "
                            "fix some choices (--set) or list fewer", path=self.space.path)
        try:
            step = grid_step(self.space.graphs, metric, self.max_bins)
        except SpecError as error:
            raise error.located(path=self.space.path) from None
        roots = [root for graph in self.space.graphs
                 if (root := grid_distribution(graph, metric, step, self.keep)[0]) is not None]
        return merge(roots) if roots else None

    def at_most(self, metric: str, limit: int) -> tuple[int, int]:
        """Number of subnets with ``metric`` ≤ ``limit``: (surely, possibly), equal when exact."""
        if metric == PEAK:
            bound = limit if self.peak_budget is None else min(limit, self.peak_budget)
            exact = sum(dp.counts(graph, lambda edge: edge.peak <= bound)[0]
                        for graph in self.space.graphs)
            return exact, exact
        grid = self.distribution(metric)
        return (0, 0) if grid is None else grid.at_most(limit)

    def histogram(self, metric: str, bins: int) -> list[Bin]:
        """``bins`` equal-width bins from the least to the greatest value."""
        low, high = self.extreme(metric, min), self.extreme(metric, max)
        if low is None or high is None:
            return []
        width = max(1, -(-(high.value + 1 - low.value) // bins))
        edges = [low.value + i * width for i in range(bins + 1) if low.value + i * width <= high.value] \
            + [high.value + 1]
        edges = sorted(set(edges))
        result = []
        for a, b in zip(edges, edges[1:], strict=False):
            below_b = self.at_most(metric, b - 1)
            below_a = self.at_most(metric, a - 1)
            grid = None if metric == PEAK else self.distribution(metric)
            if grid is None:
                count = below_b[0] - below_a[0]
            else:  # subnets whose grid value Δk lies in [a, b)
                count = grid.up_to(-(-b // grid.step) - 1) - grid.up_to(-(-a // grid.step) - 1)
            result.append(Bin(a, b, count, below_b))
        return result

    def pareto(self, first: str, second: str) -> list[tuple[int, int, Subnet]]:
        """Subnets no other beats in both metrics, by increasing ``first``. Two additive
        metrics: fronts merged over the graph; with peak_memory: for each peak value p the
        least additive value among subnets with peak ≤ p."""
        if PEAK in (first, second):
            other = second if first == PEAK else first
            points: list[tuple[int, int, Subnet]] = []
            for peak in self._peaks():
                best = SpaceStats(self.space, peak).extreme(other, min)
                if best is not None:
                    points.append((best.value, peak, best.subnet) if first == other
                                  else (peak, best.value, best.subnet))
            return dp.nondominated(points)
        found = [(x, y, self._subnet(graph, path)) for graph in self.space.graphs
                 for x, y, path in dp.pareto(graph, first, second, self.keep)]
        return dp.nondominated(found)

    def _peaks(self) -> list[int]:
        """Every edge peak value within the peak budget, ascending."""
        return sorted({edge.peak for graph in self.space.graphs for edges in graph.edges
                       for edge in edges if self.keep is None or self.keep(edge)})

    def sample(self, n: int, seed: int | None = None,
               budget: tuple[str, int] | None = None) -> list[tuple[Subnet, list[Edge]]]:
        """``n`` subnets uniformly at random (under ``budget`` = (additive metric, limit))."""
        rng = random.Random(seed)
        grid_budget = None
        if budget is not None:
            metric, limit = budget
            grid = self.distribution(metric)
            grid_budget = (metric, limit, grid.step if grid is not None else 1)
        drawn = sample(self.space, n, rng, self.keep, grid_budget)
        return [(subnet(self.space, graph, path), path) for graph, path in drawn]
