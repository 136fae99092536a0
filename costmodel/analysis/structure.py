"""Where a symbolic build's structure may not hold: equality classes of a grid.

A block decides its structure on values (the inverted residual adds its input when
C_in = C_out). Built symbolically the decision compares expressions, so at a grid point
where two different channel expressions happen to be equal (MobileNetV2 at α = 1/4:
make_divisible(32α) = make_divisible(16α) = 8) the numeric network has a node the
symbolic one lacks. Such decisions depend on which sizes are equal, so the grid is split
into classes by the *equality pattern* of every tensor dimension, every swept value and
the constants 0 and 1; one numeric build per class checks the structure (node names and
ops) and the totals. Decisions on other relations (thresholds) are checked only at each
class's representative point; tests compare with per-point builds at sampled points.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from costmodel.analysis.compiled import exact_function
from costmodel.graph import Network

__all__ = ["signature", "dimensions", "equality_classes"]


def signature(network: Network) -> tuple[tuple[str, str], ...]:
    """The structure of a network: (node name, op) in execution order."""
    return tuple((node.name, node.op) for node in network.nodes.values())


def dimensions(network: Network) -> list[Any]:
    """Every distinct tensor dimension (as a number or an expression) of the network."""
    seen: dict[Any, None] = {}
    for node in network.nodes.values():
        shapes = node.outputs
        for shape in shapes:
            for size in shape:
                seen.setdefault(size, None)
    return list(seen)


def equality_classes(network: Network, group: Sequence[str],
                     axes: Mapping[str, Sequence[Any]]) -> list[int]:
    """For each combination of the group's values, the id of its equality pattern."""
    import sympy

    from costmodel.symbols import parameter_symbol

    symbols = [parameter_symbol(name) for name in group]
    names = set(group)
    exprs = [sympy.sympify(d) for d in dimensions(network)]
    exprs = [e for e in exprs if {str(s) for s in e.free_symbols} <= names]
    exprs += [*symbols, sympy.Integer(0), sympy.Integer(1)]
    values = exact_function(symbols, exprs)
    patterns: dict[tuple[int, ...], int] = {}
    ids = []
    for point in itertools.product(*(axes[name] for name in group)):
        first: dict[Any, int] = {}
        pattern = tuple(first.setdefault(v, i) for i, v in enumerate(values(*point)))
        ids.append(patterns.setdefault(pattern, len(patterns)))
    return ids
