"""Calibrate a device profile from micro-benchmarks of single kernels.

Each grid point is a one-kernel spec (a conv with its BN and activation, a pool, an add, …)
built and exported by costmodel itself, so its features are computed exactly as for a
whole network (:func:`costmodel.latency.kernels.kernels`). Points are timed with one
thread in interleaved rounds by the runtime's per-node profiler, so a point's time is its
kernel's alone (see :func:`calibrate`).
"""

from __future__ import annotations

import math
import platform
import random
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.latency.kernels import kernels
from costmodel.latency.model import DeviceProfile, Roofline, fit_roofline
from costmodel.runtime.base import RunTimes

__all__ = ["GRIDS", "Point", "best", "calibrate", "cpu_model", "grid", "nchwc_block"]

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


def nchwc_block() -> int:
    """MLAS's NCHWc block size on this CPU: 16 channels with AVX-512F, else 8 (AVX2; x86)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            flags = next((line.split() for line in stream if line.startswith("flags")), [])
    except OSError:
        flags = []
    return 16 if "avx512f" in flags else 8


def _session_baselines() -> list[tuple[str, Spec]]:
    """Chains of 1 and 8 one-element ReLUs: their CPU time less their kernels' time gives the
    session's fixed cost per run and the executor's cost per node."""
    return [(f"session{n}", {"model": f"session{n}", "input": [1, 1, 1],
                             "layers": [{"name": f"k{i}", "op": "relu"} for i in range(n)]})
            for n in (1, 8)]


def best(values: list[float], runs: int) -> float:
    """The lowest of the rounds' medians (``runs`` values per round, in order): the least
    disturbed estimate on a shared machine, where a burst of load lasts seconds and slows
    even the CPU clock (shared caches and memory bandwidth); benchmarks/bench_runtime.py
    measures whole networks the same way."""
    return min(statistics.median(values[start:start + runs]) for start in range(0, len(values), runs))


def _node_us(times: RunTimes, node: str, runs: int) -> float:
    """A node's profiled (wall) kernel time, the lowest of the rounds' medians."""
    return best([run[node] for run in times.node_us], runs)


def _kernel_us(times: RunTimes, fixed_us: float, kernel: Callable[[str], bool], runs: int) -> float:
    """The time of the nodes ``kernel`` accepts: the run's CPU time less the session's and
    executor's fixed costs and the other nodes' profiled times (the CPU clock leaves out
    time descheduled, which the profiler's wall times of a long kernel do not)."""
    others = sum(_node_us(times, node, runs) for node, op in times.op_types.items() if not kernel(op))
    return best(times.cpu_us, runs) - fixed_us - others


def calibrate(points_per_kind: int = 12, *, optimize: str = "all", runtime_name: str = "onnxruntime",
              rounds: int = 3, runs: int = 7, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> tuple[DeviceProfile, list[Point]]:
    """Benchmark the grid (interleaved ``rounds`` of ``runs`` runs each) and fit a profile.

    A point's time is its kernel's alone: the run's CPU time less the session's and the
    executor's fixed costs and less the layout reorders around a lone conv, which the
    runtime's profiler times (:func:`_kernel_us`); the reorders are points of their own
    (``reorder``: the tensor's bytes read and written). Two chains of one-element ReLUs give
    the session's fixed cost and the executor's cost per kernel (CPU time of the run less
    its kernels' profiled time).
    """
    from costmodel.export import export_network
    from costmodel.graph import build
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.measure import load_runtime
    from costmodel.spec.load import parse_spec

    runtime = load_runtime(runtime_name)
    options = RunOptions(1, optimize)  # type: ignore[arg-type]
    block = nchwc_block()
    jobs = []
    for kind, spec in _session_baselines() + grid(points_per_kind, optimize, seed):
        network = build(parse_spec(spec), f"<{spec['model']}>", {})
        found = [k for k in kernels(network, optimize, block) if k.kind != "reorder"]  # timed apart
        if kind == "conv_grouped" and found[0].kind == "conv_grouped_nchwc":
            kind = found[0].kind  # whole-block groups: the blocked kind
        if not kind.startswith("session") and {k.kind for k in found} != {kind}:
            raise AssertionError(f"{spec['model']}: not {kind} kernels: {found}")
        exported = export_network(network, seed=seed)
        feeds = {exported.model.graph.input[0].name: exported.input}
        source, port = network.output
        jobs.append((kind, found, exported.model.SerializeToString(), feeds,
                     math.prod(exported.input.shape), math.prod(network.nodes[source].outputs[port])))
    with tempfile.TemporaryDirectory() as folder:
        profiled = [runtime.profiled(data, feeds, options, folder) for _, _, data, feeds, _, _ in jobs]
        for round_ in range(rounds):  # interleaved: a burst of load hits every point alike
            for timed in profiled:
                timed.run(runs)
            if progress is not None:
                progress(f"round {round_ + 1}/{rounds}")
        results = [timed.finish() for timed in profiled]
    (cpu1, kern1), (cpu8, kern8) = [(best(r.cpu_us, runs),
                                     sum(_node_us(r, node, runs) for node in r.op_types))
                                    for r in results[:2]]
    node_us = max(((cpu8 - kern8) - (cpu1 - kern1)) / 7, 0.0)
    session = max(cpu1 - kern1 - node_us, 0.0)
    points = []
    for (kind, found, _, _, inputs, outputs), times in zip(jobs[2:], results[2:]):
        fixed = session + node_us * len(times.op_types)
        kernel_us = _kernel_us(times, fixed, lambda op: op not in REORDERS, runs) / len(found)
        points.append(Point(kind, found[0].maccs, found[0].bytes, max(kernel_us, 0.01)))
        for node, op in times.op_types.items():
            if op in REORDERS:
                elements = inputs if op == "ReorderInput" else outputs
                points.append(Point("reorder", 0, 2 * elements * 4, max(_node_us(times, node, runs), 0.01)))
    kinds = {}
    for kind in {p.kind for p in points}:
        kinds[kind] = _fit([p for p in points if p.kind == kind])
    kinds["other"] = _fit([p for p in points if not p.kind.startswith("conv")
                           and p.kind not in ("fully_connected", "reorder")])
    profile = DeviceProfile(runtime.name, runtime.version, cpu_model(), 1, optimize, session,
                            dict(sorted(kinds.items())), len(points), node_us=node_us,
                            nchwc_block=block)
    return profile, points


def _fit(points: list[Point]) -> Roofline:
    """The kind's roofline, fitted on the points of at least ``MIN_US`` twice: on all of them,
    then without the points it misses by more than ``OUTLIER``× either way. A lone kernel's time is a difference (CPU time less
    the fixed costs and the profiled reorders) and, for a small kernel on a loaded machine,
    can come out near zero or several times too long; in relative error such a point
    outweighs dozens of sound ones."""
    points = [p for p in points if p.time_us >= MIN_US] or points
    maccs = np.array([p.maccs for p in points], dtype=float)
    nbytes = np.array([p.bytes for p in points], dtype=float)
    times = np.array([p.time_us for p in points])
    roofline = fit_roofline(maccs, nbytes, times)
    predicted = np.array([roofline.time_us(int(m), int(b)) for m, b in zip(maccs, nbytes)])
    sound = np.abs(np.log(np.maximum(predicted, 1e-3) / times)) <= np.log(OUTLIER)
    if sound.sum() >= 3 and not sound.all():
        roofline = fit_roofline(maccs[sound], nbytes[sound], times[sound])
    return roofline


OUTLIER = 3.0
"""A calibration point off its kind's first fit by more than this factor is left out."""

MIN_US = 1.0
"""A kernel time below this (µs) is a failed difference, not a kernel: left out of the fit."""


REORDERS = frozenset({"ReorderInput", "ReorderOutput"})
"""onnxruntime's NCHWc layout reorders (timed as ``reorder`` points, not as the kernel)."""
