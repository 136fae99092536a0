"""Predicted latency at every point of a sweep: each point's network built and predicted as
``report --latency`` predicts it (the exact counts of the sweep are not touched)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from costmodel.graph import build
from costmodel.latency.model import DeviceProfile, predict

if TYPE_CHECKING:
    from costmodel.analysis.sweep import SweepResult
    from costmodel.spec.schema import ModelSpec

__all__ = ["LATENCY_KEY", "MAX_LATENCY_POINTS", "latency_grid"]

LATENCY_KEY = "latency_us"
"""The sweep total holding each point's predicted latency (µs, rounded as report's JSON)."""

MAX_LATENCY_POINTS = 2_000
"""Most grid points ``sweep --latency`` predicts: each is built (≈ 10–100 ms per point)."""


def latency_grid(model: ModelSpec, path: str, result: SweepResult, profile: DeviceProfile) -> np.ndarray:
    """Each grid point's predicted total latency (µs, 3 decimals), shaped as the grid."""
    shape = tuple(len(values) for values in result.axes.values())
    grid = np.zeros(shape, dtype=float)
    for index in itertools.product(*(range(n) for n in shape)):
        bindings = {name: result.axes[name][i] for name, i in zip(result.axes, index)}
        network = build(model, path, {**result.fixed, **bindings})
        grid[index] = round(predict(network, profile)[1], 3)
    return grid
