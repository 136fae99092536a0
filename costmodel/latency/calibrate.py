"""Calibrate a device profile from micro-benchmarks of single kernels.

Each grid point is a one-kernel spec (a conv with its BN and activation, a pool, an add, …)
built and exported by costmodel itself, so its features are computed exactly as for a
whole network (:func:`costmodel.latency.kernels.kernels`). Points are timed with one
thread and the calling thread's CPU clock, in interleaved rounds, and the median is kept.
A one-element ReLU model measures the session's fixed cost, subtracted from every point.
"""

from __future__ import annotations

import platform
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.latency.kernels import kernels
from costmodel.latency.model import DeviceProfile, fit_roofline

__all__ = ["GRIDS", "Point", "calibrate", "cpu_model", "grid"]

Spec = dict[str, Any]


def _conv(rng: random.Random, *, kernel: int, depthwise: bool = False, groups: int = 1,
          fused: bool) -> Spec:
    c_in = rng.choice([8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512])
    c_in = max(c_in - c_in % groups, groups * 4) if groups > 1 else c_in
    c_out = c_in if depthwise else rng.choice([8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512])
    if groups > 1:
        c_out = max(c_out - c_out % groups, groups * 4)
    size = rng.choice([1, 7, 14, 28, 56, 112] if kernel == 1 else [7, 14, 28, 56, 112])
    while c_in * c_out * size * size * kernel * kernel // max(groups, 1) > 120_000_000 or \
            c_in * size * size > 1_600_000:
        size = max(1, size // 2)
    if kernel > 1 and not depthwise and groups == 1 and rng.random() < 0.2:
        c_in = 3  # a stem conv
    layer = {"name": "k", "op": "conv_bn_act", "out": c_out, "kernel": kernel,
             "stride": rng.choice([1, 2]) if size > 1 else 1, "depthwise": depthwise,
             "groups": groups, "bn": fused, "act": rng.choice(["relu", "relu6"]) if fused else "none"}
    if depthwise:
        layer.pop("groups")
    return {"input": [c_in, size, size], "layers": [layer]}


def _feature_map(rng: random.Random) -> list[int]:
    channels = rng.choice([8, 16, 32, 64, 128, 256, 512, 1024])
    size = rng.choice([1, 7, 14, 28, 56, 112])
    while channels * size * size > 1_600_000:
        size //= 2
    return [channels, max(size, 1), max(size, 1)]


def _single(op: str, **fields: Any) -> Callable[[random.Random, bool], Spec]:
    def make(rng: random.Random, fused: bool) -> Spec:
        shape = _feature_map(rng)
        return {"input": shape, "layers": [{"name": "k", "op": op, **fields}]}
    return make


def _pool(rng: random.Random, fused: bool) -> Spec:
    shape = _feature_map(rng)
    shape[1] = shape[2] = max(shape[1], 7)
    return {"input": shape, "layers": [{"name": "k", "op": rng.choice(["max_pool", "avg_pool"]),
                                        "kernel": 3, "stride": rng.choice([1, 2]), "padding": 1}]}


def _linear(rng: random.Random, fused: bool) -> Spec:
    return {"input": [rng.choice([64, 128, 256, 576, 1024, 1280, 2048]), 1, 1],
            "layers": [{"name": "f", "op": "flatten"},
                       {"name": "k", "op": "linear", "out": rng.choice([10, 100, 1000, 1280])}]}


def _activation(rng: random.Random, fused: bool) -> Spec:
    op = rng.choice(["relu", "hardswish", "sigmoid", "hardsigmoid", "swish", "relu6"])
    return {"input": _feature_map(rng), "layers": [{"name": "k", "op": op}]}


def _binary(rng: random.Random, fused: bool) -> Spec:
    return {"input": _feature_map(rng),
            "layers": [{"name": "k", "op": rng.choice(["add", "mul"]), "inputs": ["input", "input"]}]}


def _copy(rng: random.Random, fused: bool) -> Spec:
    choice = rng.choice(["concat", "split", "shuffle"])
    layer: Spec = {"name": "k", "op": choice}
    if choice == "concat":
        layer["inputs"] = ["input", "input"]
    else:
        layer["parts" if choice == "split" else "groups"] = 2
    return {"input": _feature_map(rng), "layers": [layer]}


GRIDS: dict[str, Callable[[random.Random, bool], Spec]] = {
    "conv_dense": lambda rng, fused: _conv(rng, kernel=rng.choice([3, 3, 5]), fused=fused),
    "conv_pointwise": lambda rng, fused: _conv(rng, kernel=1, fused=fused),
    "conv_depthwise": lambda rng, fused: _conv(rng, kernel=rng.choice([3, 5]), depthwise=True,
                                               fused=fused),
    "conv_grouped": lambda rng, fused: _conv(rng, kernel=rng.choice([1, 3]),
                                             groups=rng.choice([2, 3, 4, 8]), fused=fused),
    "fully_connected": _linear,
    "pool": _pool,
    "global_pool": _single("global_avg_pool"),
    "norm": _single("batchnorm"),
    "activation": _activation,
    "binary": _binary,
    "copy": _copy,
}
"""Kernel kind → a random one-kernel spec (seeded); ``fused``: the conv carries BN and act."""


@dataclass(frozen=True)
class Point:
    """One micro-benchmark: its kind, features and median time (µs, session cost removed)."""

    kind: str
    maccs: int
    bytes: int
    time_us: float


def grid(points_per_kind: int, optimize: str, seed: int = 0) -> list[tuple[str, Spec]]:
    """The designed grid: ``points_per_kind`` seeded specs per kind (``norm`` only when
    optimizations are off: on, every batchnorm is folded)."""
    rng = random.Random(seed)
    specs = []
    for kind, make in GRIDS.items():
        if kind == "norm" and optimize == "all":
            continue
        for index in range(points_per_kind):
            spec = make(rng, optimize == "all")
            specs.append((kind, {"model": f"{kind}_{index}", **spec}))
    return specs


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), else the platform's processor string."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def calibrate(points_per_kind: int = 12, *, optimize: str = "all", runtime_name: str = "onnxruntime",
              rounds: int = 3, runs: int = 7, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> tuple[DeviceProfile, list[Point]]:
    """Benchmark the grid (interleaved ``rounds`` of ``runs`` runs each) and fit a profile."""
    from costmodel.export import export_network
    from costmodel.graph import build
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.measure import load_runtime
    from costmodel.spec.load import parse_spec

    runtime = load_runtime(runtime_name)
    options = RunOptions(1, optimize)  # type: ignore[arg-type]
    baseline = {"model": "session", "input": [1, 1, 1], "layers": [{"name": "k", "op": "relu"}]}
    entries = [("session", baseline)] + grid(points_per_kind, optimize, seed)
    jobs = []
    for kind, spec in entries:
        network = build(parse_spec(spec), f"<{spec['model']}>", {})
        found = kernels(network, optimize)
        if len(found) != 1 or (kind != "session" and found[0].kind != kind):
            raise AssertionError(f"{spec['model']}: not one {kind} kernel: {found}")
        exported = export_network(network, seed=seed)
        data = exported.model.SerializeToString()
        feeds = {exported.model.graph.input[0].name: exported.input}
        jobs.append((kind, found[0], data, feeds))
    samples: list[list[float]] = [[] for _ in jobs]
    for round_ in range(rounds):  # interleaved: a burst of load hits every point alike
        for index, (_, _, data, feeds) in enumerate(jobs):
            samples[index] += runtime.latency(data, feeds, options, runs=runs, warmup=2, clock="cpu")
        if progress is not None:
            progress(f"round {round_ + 1}/{rounds}")
    medians = [statistics.median(s) for s in samples]
    session = medians[0]
    points = [Point(kind, k.maccs, k.bytes, max(t - session, 0.01))
              for (kind, k, _, _), t in zip(jobs[1:], medians[1:])]
    kinds = {}
    for kind in {p.kind for p in points}:
        chosen = [p for p in points if p.kind == kind]
        kinds[kind] = fit_roofline(np.array([p.maccs for p in chosen], dtype=float),
                                   np.array([p.bytes for p in chosen], dtype=float),
                                   np.array([p.time_us for p in chosen]))
    rest = [p for p in points if not p.kind.startswith("conv") and p.kind != "fully_connected"]
    kinds["other"] = fit_roofline(np.array([p.maccs for p in rest], dtype=float),
                                  np.array([p.bytes for p in rest], dtype=float),
                                  np.array([p.time_us for p in rest]))
    profile = DeviceProfile(runtime.name, runtime.version, cpu_model(), 1, optimize, session,
                            dict(sorted(kinds.items())), len(points))
    return profile, points
