"""What every measuring backend provides, and the run options they share.

A backend (onnxruntime; later others) turns a serialized ONNX model into timed whole-model
runs (:meth:`Runtime.latency`) and a :class:`Profile`: the graph it executed (after its own
fusions) with each node's time per run. :mod:`costmodel.runtime.join` maps such a profile
back to the spec's layers, whatever produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from costmodel.runtime.timing import Clock

__all__ = ["Optimize", "Profile", "ProfiledRuns", "RunOptions", "RunTimes", "Runtime", "RuntimeNode"]

Optimize = Literal["all", "none"]

RUNTIMES = {"onnxruntime": ("costmodel.runtime.onnxruntime_backend", "OnnxRuntime", "onnxruntime")}
"""Runtime name → (module, class, the package it needs), loaded on use."""


@dataclass(frozen=True)
class RunOptions:
    """Intra-op threads and whether the runtime may rewrite the graph (fusions, layouts)."""

    threads: int = 1
    optimize: Optimize = "all"


@dataclass(frozen=True)
class RuntimeNode:
    """A node of the graph the runtime executed; ``activation`` is the op type of an
    activation the runtime fused into its output, when it says so."""

    name: str
    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    activation: str | None = None


@dataclass(frozen=True)
class Profile:
    """The executed graph, in execution order, and each node's times (µs) per run.

    ``leans`` says, for node types the runtime inserts without a counterpart in the model
    (layout reorders), whether they serve their ``producer`` or ``consumer``.
    """

    nodes: list[RuntimeNode]
    times: dict[str, list[float]]
    initializers: set[str]
    leans: Mapping[str, str]


@dataclass(frozen=True)
class RunTimes:
    """Timed runs of a profiled session: each run's CPU time (µs, calling thread) and each
    node's kernel time in that run (µs, wall), with the nodes' op types; ``plain_us``: the
    CPU time of the same model's runs without the profiler, interleaved with them (the
    profiler's own cost, several µs per node, is not in them)."""

    cpu_us: list[float]
    node_us: list[dict[str, float]]
    op_types: dict[str, str]
    plain_us: list[float] = field(default_factory=list)


class ProfiledRuns(Protocol):
    """A profiling session run a few times at a time (so many models can be timed in
    interleaved rounds), then read back run by run."""

    def run(self, runs: int) -> None: ...

    def finish(self) -> RunTimes: ...


class Runtime(Protocol):
    """A measuring backend."""

    name: str
    version: str

    def latency(self, model: bytes, feeds: Mapping[str, np.ndarray], options: RunOptions, *,
                runs: int, warmup: int, clock: Clock) -> list[float]: ...

    def profile(self, model: bytes, feeds: Mapping[str, np.ndarray], options: RunOptions, *,
                runs: int, warmup: int) -> Profile: ...

    def profiled(self, model: bytes, feeds: Mapping[str, np.ndarray], options: RunOptions,
                 folder: str, *, warmup: int = 2,
                 before_run: Callable[[], object] | None = None) -> ProfiledRuns: ...
