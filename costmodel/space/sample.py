"""Exact uniform sampling of subnets, optionally under budgets, without enumeration.

Walking the graph from the start and taking each edge with probability proportional to
(its multiplicity ×) the number of ways to finish from its target gives every path the
same probability: the product telescopes to 1 / (number of paths). Under a budget on an
additive metric the weights count the finishes that fit: exactly when the distribution is
exact, else the grid's "possibly under" superset, and a walk whose exact total is over the
budget is drawn again (rejection keeps the accepted walks uniform over the subnets that fit).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate

from costmodel.space.distribution import Grid, grid_distribution
from costmodel.space.dp import Keep, counts
from costmodel.space.graph import Edge, Space, SpaceGraph

__all__ = ["sample"]

MAX_REJECTIONS = 1000


def sample(space: Space, n: int, rng: random.Random, keep: Keep = None,
           budget: tuple[str, int, int] | None = None) -> list[tuple[SpaceGraph, list[Edge]]]:
    """``n`` subnets drawn uniformly (with replacement) as (graph, path). ``budget`` is
    (metric, limit, grid step Δ): only subnets whose metric total is ≤ limit."""
    walkers = [_Walker(graph, keep, budget) for graph in space.graphs]
    weights = list(accumulate(walker.total for walker in walkers))
    if not weights or weights[-1] == 0:
        return []
    drawn: list[tuple[SpaceGraph, list[Edge]]] = []
    rejected = 0
    while len(drawn) < n:
        walker = walkers[bisect_right(weights, rng.randrange(weights[-1]))]
        path = walker.walk(rng)
        if budget is not None and sum(edge.values[budget[0]] for edge in path) > budget[1]:
            rejected += 1
            if rejected > MAX_REJECTIONS * (len(drawn) + 1):
                raise RuntimeError("budget sampling rejected too many walks")
            continue
        drawn.append((walker.graph, path))
    return drawn


class _Walker:
    def __init__(self, graph: SpaceGraph, keep: Keep, budget: tuple[str, int, int] | None) -> None:
        self.graph, self.keep, self.budget = graph, keep, budget
        self.counts = counts(graph, keep)
        self.grids: list[Grid | None] = []
        if budget is None:
            self.total = self.counts[0]
            self.tables = [self._table(node) for node in range(len(graph.edges))]
        else:
            metric, limit, step = budget
            self.grids = grid_distribution(graph, metric, step, keep)
            root = self.grids[0]
            self.total = 0 if root is None else root.up_to(limit // step)

    def _edges(self, node: int) -> list[Edge]:
        return [edge for edge in self.graph.edges[node] if self.keep is None or self.keep(edge)]

    def _table(self, node: int) -> tuple[list[Edge], list[int]]:
        edges = self._edges(node)
        return edges, list(accumulate(edge.multiplicity * self.counts[edge.target] for edge in edges))

    def walk(self, rng: random.Random) -> list[Edge]:
        node, path = 0, []
        room = None if self.budget is None else self.budget[1] // self.budget[2]
        while not self.graph.terminal[node]:
            if room is None:
                edges, cumulative = self.tables[node]
            else:
                edges, cumulative = self._fitting(node, room)
            edge = edges[bisect_right(cumulative, rng.randrange(cumulative[-1]))]
            if room is not None:
                room -= edge.values[self.budget[0]] // self.budget[2]  # type: ignore[index]
            path.append(edge)
            node = edge.target
        return path

    def _fitting(self, node: int, room: int) -> tuple[list[Edge], list[int]]:
        metric, _, step = self.budget  # type: ignore[misc]
        edges = self._edges(node)
        weights = []
        for edge in edges:
            grid = self.grids[edge.target]
            fits = 0 if grid is None else grid.up_to(room - edge.values[metric] // step)
            weights.append(edge.multiplicity * fits)
        return edges, list(accumulate(weights))
