"""Dynamic programs over a space's graph (costmodel.space.graph), from the terminal nodes
back to the start: each node holds a summary of every path from it to an end.

- counts: N(v) = Σ_e m_e · N(target e), N(end) = 1 (m_e: the edge's multiplicity);
- extremes of an additive metric: best(v) = min/max_e (x_e + best(target e)), with the path;
- peak memory (a max over the path): min/max_e max(p_e, best(target e)); its distribution
  through counts restricted to edges with p_e ≤ x, since peak ≤ x ⟺ every edge's p_e ≤ x;
- Pareto fronts of two additive metrics: front(v) = nondominated ∪_e (x_e, y_e) + front(target);
  a path dominated at some node stays dominated, so pruning at every node is exact.

``keep`` restricts the space to the edges it accepts (a peak-memory budget). Every result
is exact: Python ints throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from costmodel.space.graph import Edge, SpaceGraph

__all__ = ["Keep", "Path", "counts", "extreme", "peak_extreme", "pareto", "path_edges", "ranges"]

Keep = Callable[[Edge], bool] | None
Path = tuple[Edge, Any] | None
"""A path as a linked list (edge, rest), shared between the nodes' summaries."""


def _edges(graph: SpaceGraph, node: int, keep: Keep) -> list[Edge]:
    edges = graph.edges[node]
    return edges if keep is None else [edge for edge in edges if keep(edge)]


def counts(graph: SpaceGraph, keep: Keep = None) -> list[int]:
    """Number of paths (weighted by multiplicity) from every node to an end."""
    result = [0] * len(graph.edges)
    for node in reversed(range(len(graph.edges))):
        if graph.terminal[node]:
            result[node] = 1
        else:
            result[node] = sum(edge.multiplicity * result[edge.target]
                               for edge in _edges(graph, node, keep))
    return result


def ranges(graph: SpaceGraph, metric: str) -> list[tuple[int, int, int] | None]:
    """For every node: the least and greatest total of an additive metric over its paths to
    an end, and the most edges such a path has (None where no path reaches an end)."""
    found: list[tuple[int, int, int] | None] = [None] * len(graph.edges)
    for node in reversed(range(len(graph.edges))):
        if graph.terminal[node]:
            found[node] = (0, 0, 0)
            continue
        reached = [(edge.values[metric] + rest[0], edge.values[metric] + rest[1], rest[2] + 1)
                   for edge in graph.edges[node] if (rest := found[edge.target]) is not None]
        if reached:
            found[node] = (min(low for low, _, _ in reached), max(high for _, high, _ in reached),
                           max(length for _, _, length in reached))
    return found


def _best(graph: SpaceGraph, value: Callable[[Edge, int], int], pick: Callable[..., Any],
          keep: Keep) -> tuple[int, Path] | None:
    best: list[tuple[int, Path] | None] = [None] * len(graph.edges)
    for node in reversed(range(len(graph.edges))):
        if graph.terminal[node]:
            best[node] = (0, None)
            continue
        options = [(value(edge, rest[0]), (edge, rest[1]))
                   for edge in _edges(graph, node, keep) if (rest := best[edge.target]) is not None]
        best[node] = pick(options, key=lambda option: option[0]) if options else None
    return best[0]


def extreme(graph: SpaceGraph, metric: str, pick: Callable[..., Any] = min,
            keep: Keep = None) -> tuple[int, Path] | None:
    """The least (``pick=min``) or greatest total of an additive metric and a path with it."""
    return _best(graph, lambda edge, rest: edge.values[metric] + rest, pick, keep)


def peak_extreme(graph: SpaceGraph, pick: Callable[..., Any] = min,
                 keep: Keep = None) -> tuple[int, Path] | None:
    """The least or greatest peak activation memory of a subnet, and a path with it."""
    return _best(graph, lambda edge, rest: max(edge.peak, rest), pick, keep)


Front = list[tuple[int, int, Path]]
T = TypeVar("T")


def pareto(graph: SpaceGraph, first: str, second: str, keep: Keep = None) -> Front:
    """Subnets no other subnet beats in both metrics (smaller is better), by ``first``."""
    fronts: list[Front] = [[] for _ in graph.edges]
    for node in reversed(range(len(graph.edges))):
        if graph.terminal[node]:
            fronts[node] = [(0, 0, None)]
            continue
        points: Front = [(edge.values[first] + x, edge.values[second] + y, (edge, path))
                  for edge in _edges(graph, node, keep) for x, y, path in fronts[edge.target]]
        fronts[node] = nondominated(points)
    return fronts[0]


def nondominated(points: list[tuple[int, int, T]]) -> list[tuple[int, int, T]]:
    """Points not dominated by another (≤ in both, < in one); one per equal pair."""
    points = sorted(points, key=lambda point: (point[0], point[1]))
    front: list[tuple[int, int, T]] = []
    for point in points:
        if not front or point[1] < front[-1][1]:
            front.append(point)
    return front


def path_edges(path: Path) -> list[Edge]:
    """The edges of a linked-list path, from the start."""
    edges = []
    while path is not None:
        edge, path = path
        edges.append(edge)
    return edges
