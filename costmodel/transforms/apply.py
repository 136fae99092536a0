"""Apply transforms to a built network; prove the result computes the same function."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.check import require_memory
from costmodel.errors import SpecError, SpecWarning
from costmodel.graph import Network, build
from costmodel.reference.forward import forward, random_input
from costmodel.spec.load import parse_spec
from costmodel.transforms.base import TRANSFORMS, Weights
from costmodel.transforms.flat import FlatNet, flatten_network, to_spec_data

__all__ = ["Transformed", "Equivalence", "transform", "prove"]


@dataclass(frozen=True)
class Transformed:
    """The network before, the spec data after and the network built from it."""

    before: Network
    spec: dict[str, Any]
    after: Network


@dataclass(frozen=True)
class Equivalence:
    """Outputs of the original and the transformed network on one random input."""

    max_abs: float
    scale: float

    @property
    def relative(self) -> float:
        """max |y − y′| / max |y|."""
        return self.max_abs / self.scale if self.scale else self.max_abs


def _rewrite(network: Network, names: Iterable[str], weights: Weights | None,
             ) -> tuple[FlatNet, Weights | None]:
    chosen = set(names)
    unknown = sorted(chosen - set(TRANSFORMS))
    if unknown:
        raise SpecError(f"unknown transform '{unknown[0]}' (known: {', '.join(TRANSFORMS)})")
    net = flatten_network(network)
    for name, definition in TRANSFORMS.items():
        if name in chosen:
            net, weights = definition.rewrite(net, weights)
    return net, weights


def transform(network: Network, names: Iterable[str]) -> Transformed:
    """Apply the named transforms (registry order) to ``network`` (numeric bindings)."""
    net, _ = _rewrite(network, names, None)
    data = to_spec_data(net)
    return Transformed(network, data, _build_transformed(data))


def _build_transformed(data: dict[str, Any]) -> Network:
    # An output nothing reads was already reported for the original spec; a rewrite keeps it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpecWarning)
        return build(parse_spec(data, "<transformed>"), "<transformed>")


def prove(network: Network, names: Iterable[str], seed: int = 0) -> Equivalence:
    """Run ``network`` with seeded weights (float64), map the weights through the
    transforms, run the transformed network on the same input, compare the outputs."""
    names = list(names)
    require_memory(network, "transform --verify", np.dtype(np.float64).itemsize, runs=2)
    x = random_input(tuple(int(s) for s in network.input_shape), seed, np.float64)
    original = forward(network, x, seed=seed)
    net, weights = _rewrite(network, names, original.weights)
    after = _build_transformed(to_spec_data(net))
    result = forward(after, x, weights=weights)
    return Equivalence(float(np.max(np.abs(result.output - original.output))),
                       float(np.max(np.abs(original.output))))
