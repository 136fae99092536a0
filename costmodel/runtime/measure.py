"""Measure an ONNX model on a runtime: whole-model latency and a per-layer table that
joins the runtime's profile to the spec's layers and their exact costs.

The pieces are separate so that other measurements (micro-benchmarks of single kernels)
reuse them: a :class:`~costmodel.runtime.base.Runtime` times and profiles serialized
models, :func:`~costmodel.runtime.join.join` maps a profile to layers, and
:func:`measure` puts latency, rows and costs together.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import onnx

from costmodel.cost import Cost
from costmodel.runtime.base import RUNTIMES, RunOptions, Runtime
from costmodel.runtime.join import join
from costmodel.runtime.timing import Clock, Stats

__all__ = ["LayerTime", "Measurement", "load_runtime", "measure"]

"""Runtime name → (module, class, the package it needs)."""


def load_runtime(name: str) -> Runtime:
    """The backend ``name``; ImportError when its package is not installed."""
    module, cls, _ = RUNTIMES[name]
    runtime: Runtime = getattr(importlib.import_module(module), cls)()
    return runtime


@dataclass(frozen=True)
class LayerTime:
    """One row: spec layers timed together, the runtime ops that ran them, their time,
    share of the kernels' total, and the layers' exact costs (None for a foreign model)."""

    layers: tuple[str, ...]
    ops: tuple[str, ...]
    time_us: float
    share: float
    maccs: int | None
    bytes: int | None

    @property
    def gmacs_per_s(self) -> float | None:
        """Achieved MACC rate: maccs / time (10⁹ per second)."""
        return None if self.maccs is None or not self.time_us else self.maccs / self.time_us / 1e3

    @property
    def gb_per_s(self) -> float | None:
        """Achieved memory rate: bytes / time (10⁹ bytes per second)."""
        return None if self.bytes is None or not self.time_us else self.bytes / self.time_us / 1e3


@dataclass(frozen=True)
class Measurement:
    """Latency of whole runs and per-layer rows (profiled over ``profile_runs`` runs)."""

    model: str
    runtime: str
    version: str
    options: RunOptions
    clock: Clock
    latency: Stats
    profile_runs: int
    rows: list[LayerTime]

    @property
    def kernels_us(self) -> float:
        """The rows' total: the profiled kernels' median times added up."""
        return sum(row.time_us for row in self.rows)


def measure(model: onnx.ModelProto, x: np.ndarray, runtime: Runtime, options: RunOptions, *,
            runs: int, warmup: int, clock: Clock, costs: Mapping[str, Cost] | None = None,
            dtype_bytes: int = 4) -> Measurement:
    """Time ``runs`` whole runs of ``model`` on ``x`` (after ``warmup``), then profile as many
    runs and join the profile to the layers; ``costs`` (layer → Cost) fill the cost columns.

    Raises:
        ValueError: ``clock`` is ``cpu`` with more than one thread (the calling thread's CPU
            time would miss the other threads' work).
    """
    if clock == "cpu" and options.threads != 1:
        raise ValueError("the cpu clock measures the calling thread: use 1 thread or the wall clock")
    data = model.SerializeToString()
    feeds = {model.graph.input[0].name: x}
    latency = Stats.of(runtime.latency(data, feeds, options, runs=runs, warmup=warmup, clock=clock))
    rows = join(model.graph, runtime.profile(data, feeds, options, runs=runs, warmup=warmup))
    total = sum(row.time_us for row in rows) or 1.0
    table = []
    for row in rows:
        cost = None if costs is None else sum((costs[layer] for layer in row.layers), Cost())
        table.append(LayerTime(row.layers, tuple(node.op_type for node in row.nodes), row.time_us,
                               row.time_us / total, None if cost is None else cost.maccs,
                               None if cost is None else cost.mem_access * dtype_bytes))
    return Measurement(model.graph.name, runtime.name, runtime.version, options, clock, latency,
                       runs, table)
