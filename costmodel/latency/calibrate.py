"""Calibrate a device profile from micro-benchmarks of single kernels.

Each grid point is a one-kernel spec (a conv with its BN and activation, a pool, an add, …)
built and exported by costmodel itself, so its features are computed exactly as for a
whole network (:func:`costmodel.latency.kernels.kernels`). Points are timed with one
thread in interleaved rounds, each run once plain and once under the runtime's per-node
profiler: a point's time is its plain run's less the fixed costs and its helper nodes'
profiled times (see :func:`estimate`).
"""

from __future__ import annotations

import ctypes
import math
import random
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from costmodel.latency.device import cpu_model, last_level_cache, nchwc_block
from costmodel.latency.kernels import GROUPED, KINDS, Kernel, kernels
from costmodel.latency.model import (
    CONTRACTIONS,
    DeviceProfile,
    Roofline,
    fit_roofline,
    fit_shape,
    local_point,
    shape_features,
)
from costmodel.ops.elementwise import ACTIVATION_CATEGORIES
from costmodel.runtime.base import RunTimes

__all__ = ["EPILOGUES", "GRIDS", "REFERENCES", "Baseline", "Point", "Sample", "baseline", "best", "calibrate", "estimate",
           "chunk_slowness", "epilogue_grid", "epilogue_ns", "fit_profile", "grid", "measure", "measure_references",
           "reference_times"]

Spec = dict[str, Any]


CHANNELS = (8, 12, 16, 20, 24, 32, 40, 48, 56, 64, 72, 80, 96, 112, 120, 128, 144, 160, 192, 240, 256, 320,
            384, 480, 512, 576, 640, 768, 960, 1024, 1280)
"""Channel counts of the conv grid: those of efficient CNNs, 8–1280."""

RATIOS = (1 / 6, 1 / 4, 1 / 3, 1 / 2, 1, 1, 2, 3, 4, 6)
"""C_out / C_in of a dense or pointwise grid conv: expansions and reductions up to 6×."""

GROUP_WIDTHS = (8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 120, 160, 192, 240, 320, 480)
"""Input channels per group of a 1×1 grouped grid conv: ShuffleNet V1's 40–480 (g3, 0.5–1.5×;
g8 48–192), IGCV3's up to 480 (2 groups)."""

MAX_MACCS = 120_000_000
MAX_ELEMENTS = 2_500_000
"""A grid conv's most maccs, and most elements of its input or output (16 × 112² … 1280 × 7²)."""


def _channels(value: float) -> int:
    """``value`` rounded to a multiple of 8 (of 4 below 16), within 8–1280."""
    step = 8 if value >= 16 else 4
    return max(8, min(1280, round(value / step) * step))


def _conv(rng: random.Random, *, kernel: int, depthwise: bool = False, groups: int = 1,
          fused: bool, sides: tuple[int, ...] = (7, 14, 28, 56, 112), unblocked: bool = False,
          multiplier: int = 1) -> Spec:
    """A conv drawn over the design space of efficient CNNs: its input side first, then its
    channels (CHANNELS, C_out = C_in · RATIOS; grouped: ``groups`` groups of 4–64 channels,
    as wide out for a spatial kernel (RegNet), of GROUP_WIDTHS and C_out = C_in · RATIOS for
    1×1 (ShuffleNet V1, IGCV3); ``unblocked``: a depthwise conv of 4k + 2 channels, which
    onnxruntime does not run blocked; depthwise with a ``multiplier`` above 1: one group per
    input channel writing that many channels, FastViT's downsampling), stride 2 a
    third of the time for a spatial kernel; redrawn until within MAX_MACCS and MAX_ELEMENTS.
    A fifth of the dense convs are stems (3 channels in, a side twice as large). ``fused``:
    with a batchnorm and a ReLU (other epilogue activations: :func:`epilogue_grid`)."""
    while True:
        side = rng.choice(sides)
        stride = rng.choice([1, 1, 2]) if side > 1 and (kernel > 1 or rng.random() < 0.15) else 1
        if groups > 1 and kernel > 1:  # RegNet's narrow groups, as wide out as in
            c_in = c_out = groups * rng.choice([4, 8, 12, 16, 24, 32, 48, 64])
        elif groups > 1:  # ShuffleNet V1's and IGCV3's wide 1×1 groups, widening or narrowing
            width = rng.choice(GROUP_WIDTHS)
            c_in = groups * width
            c_out = groups * max(4, int(width * rng.choice(RATIOS)) // 4 * 4)
        else:
            c_in = rng.choice(CHANNELS) + (rng.choice([-2, 2]) if unblocked else 0)
            c_out = c_in * multiplier if depthwise else _channels(c_in * rng.choice(RATIOS))
            if kernel > 1 and not depthwise and rng.random() < 0.2:
                c_in, side = 3, min(2 * side, 224)  # a stem
        out_side = -(-side // stride)
        maccs = c_out * out_side ** 2 * kernel ** 2 * (1 if depthwise else c_in // groups)
        if maccs <= MAX_MACCS and max(c_in * side ** 2, c_out * out_side ** 2) <= MAX_ELEMENTS:
            break
    layer = {"name": "k", "op": "conv_bn_act", "out": c_out, "kernel": kernel, "stride": stride,
             "depthwise": depthwise, "groups": groups, "bn": fused, "act": "relu" if fused else "none"}
    if depthwise and multiplier == 1:
        layer.pop("groups")
    elif depthwise:
        layer.update(depthwise=False, groups=c_in)
    return {"input": [c_in, side, side], "layers": [layer]}


def _plain_depthwise(rng: random.Random, fused: bool) -> Spec:
    """A depthwise conv onnxruntime does not run blocked: of 4k + 2 channels (ShuffleNet V2
    1.0's 58, NASNet's 22, MixNet's 90), or (a quarter) writing 2 channels per input channel
    (FastViT's downsampling: alone, 0.7× what the depthwise ones' rate gives for its maccs)."""
    if rng.random() < 1 / 4:
        return _conv(rng, kernel=rng.choice([3, 5, 7]), depthwise=True, multiplier=2, fused=fused)
    return _conv(rng, kernel=rng.choice([3, 3, 5, 7, 9]), depthwise=True, unblocked=True, fused=fused)


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
    # not hard-swish: alone it is HardSigmoid and Mul at either level (its ONNX function)
    op = rng.choice(["relu", "hardsigmoid", "relu6", "leaky_relu"])
    return {"input": _feature_map(rng), "layers": [{"name": "k", "op": op}]}


def _activation_exp(rng: random.Random, fused: bool) -> Spec:
    # swish is one QuickGelu kernel with optimizations on, Sigmoid and Mul op by op
    op = rng.choice(["sigmoid", "swish"] if fused else ["sigmoid"])
    return {"input": _feature_map(rng), "layers": [{"name": "k", "op": op}]}


def _gelu(rng: random.Random, fused: bool) -> Spec:
    """GELU on a feature map or on tokens (ConvNeXt's, FastViT's, EfficientFormer's)."""
    if rng.random() < 0.5:
        return {"input": _feature_map(rng), "layers": [{"name": "k", "op": "gelu"}]}
    return _on_tokens(rng, {"op": "gelu"})


def _fitting_side(channels: int, side: int, resized: Callable[[int], int]) -> int:
    """``side`` halved (down to 2) until the resized map holds at most MAX_ELEMENTS."""
    while side > 2 and channels * resized(side) ** 2 > MAX_ELEMENTS:
        side //= 2
    return side


def _resize(rng: random.Random, fused: bool) -> Spec:
    """A resize of a feature map, nearest or bilinear, by 2 or to a fraction (onnxruntime's
    Resize: the map is read plain)."""
    channels, side, _ = _feature_map(rng)
    factor = rng.choice([2, 1.5, 4, 0])
    side = _fitting_side(channels, max(side // 2, 2), lambda s: int(factor * s) or s + 1)
    size = int(factor * side) or side + 1
    return {"input": [channels, side, side], "layers": [
        {"name": "k", "op": "resize", "mode": rng.choice(["nearest", "bilinear"]), "size": size}]}


def _resize_nchwc(rng: random.Random, fused: bool) -> Spec:
    """A resize by a whole factor of a blocked conv's output (its NCHWc Upsample; the 1×1
    conv is a helper, subtracted)."""
    channels, side, _ = _feature_map(rng)
    scale = rng.choice([2, 2, 3, 4])
    side = _fitting_side(channels, max(side // 2, 2), lambda s: scale * s)
    return {"input": [channels, side, side], "layers": [
        {"name": "c", "op": "conv2d", "out": channels, "kernel": 1},
        {"name": "k", "op": "resize", "mode": rng.choice(["nearest", "bilinear"]), "scale": scale}]}


def _tokens(rng: random.Random) -> list[int]:
    """A token tensor 1×L×C (as N×1×L×C; a reshape makes it 3-D)."""
    return [1, rng.choice([16, 49, 64, 196, 256, 1024]), rng.choice([32, 64, 96, 128, 192, 256, 384, 512])]


def _on_tokens(rng: random.Random, layer: Spec) -> Spec:
    shape = _tokens(rng)
    return {"input": shape, "layers": [{"name": "t", "op": "reshape", "shape": shape},
                                       {"name": "k", **layer}]}


def _gemm(rng: random.Random, fused: bool) -> Spec:
    # no bias: op by op the bias is an Add of its own (a binary kernel)
    return _on_tokens(rng, {"op": "linear", "out": rng.choice([32, 64, 128, 192, 256, 384, 512, 1024]),
                            "bias": False})


def _matmul(rng: random.Random, fused: bool) -> Spec:
    heads, length = rng.choice([1, 2, 4, 8]), rng.choice([16, 49, 64, 196, 256])
    if rng.random() < 0.5:  # Q·Kᵀ: heads × L × d by heads × L × d
        return {"input": [heads, length, rng.choice([16, 32, 64])],
                "layers": [{"name": "k", "op": "matmul", "inputs": ["input", "input"], "transpose_b": True}]}
    return {"input": [heads, length, length],  # A·A: heads × L × L by heads × L × L
            "layers": [{"name": "k", "op": "matmul", "inputs": ["input", "input"]}]}


def _softmax(rng: random.Random, fused: bool) -> Spec:
    length = rng.choice([16, 49, 64, 196, 256, 1024])
    return {"input": [rng.choice([1, 2, 4, 8]), min(length, 256), length],
            "layers": [{"name": "k", "op": "softmax"}]}


def _binary(rng: random.Random, fused: bool) -> Spec:
    """An add or mul of two distinct tensors (the input and its ReLU: x + x would read one
    buffer), or SE's channel-wise scale (the input times its global average)."""
    if rng.random() < 0.5:
        helper, op = "relu", rng.choice(["add", "mul"])
    else:
        helper, op = "global_avg_pool", "mul"
    return {"input": _feature_map(rng),
            "layers": [{"name": "h", "op": helper}, {"name": "k", "op": op, "inputs": ["input", "h"]}]}


def _copy(rng: random.Random, fused: bool) -> Spec:
    choice = rng.choice(["concat", "split", "shuffle"])
    layer: Spec = {"name": "k", "op": choice}
    if choice == "concat":
        layer["inputs"] = ["input", "input"]
    else:
        layer["parts" if choice == "split" else "groups"] = 2
    return {"input": _feature_map(rng), "layers": [layer]}


def _scattered(rng: random.Random, fused: bool) -> Spec:
    """A transposition onnxruntime copies element by element: MobileViT's patch unfolding or
    folding, or MobileViTv2's (a reshape to N×C×(H/p)×p×(W/p)×p and a permute, or back)."""
    patch = rng.choice([2, 2, 3, 4])
    channels, side = rng.choice([16, 32, 64, 96, 128, 192, 256, 384]), patch * rng.choice([2, 4, 8, 16, 32])
    while channels * side * side > MAX_ELEMENTS:
        side //= 2 * patch
        side *= patch
    cells = side // patch
    choice = rng.choice(["unfold", "fold", "grid"])
    if choice == "unfold":
        return {"input": [channels, side, side], "layers": [{"name": "k", "op": "unfold_patches", "patch": patch}]}
    if choice == "fold":
        tokens = [patch * patch, cells * cells, channels]
        return {"input": tokens, "layers": [{"name": "t", "op": "reshape", "shape": tokens}, {
            "name": "k", "op": "fold_patches", "patch": patch, "height": side, "width": side}]}
    grid, dims = rng.choice([([1, channels, cells, patch, cells, patch], [0, 1, 3, 5, 2, 4]),
                             ([1, channels, patch, patch, cells, cells], [0, 1, 4, 2, 5, 3])])
    return {"input": [channels, side, side], "layers": [{"name": "t", "op": "reshape", "shape": grid},
                                                        {"name": "k", "op": "permute", "dims": dims}]}


GRIDS: dict[str, Callable[[random.Random, bool], Spec]] = {
    "conv_dense": lambda rng, fused: _conv(rng, kernel=rng.choice([3, 3, 5]), fused=fused),
    "conv_pointwise": lambda rng, fused: _conv(rng, kernel=1, fused=fused, sides=(1, 7, 14, 28, 56, 112)),
    "conv_depthwise": lambda rng, fused: _conv(rng, kernel=rng.choice([1, 3, 3, 5, 7, 9]), depthwise=True,
                                               fused=fused),
    "conv_grouped": lambda rng, fused: _conv(rng, kernel=rng.choice([3, 3, 5]),  # RegNet's
                                             groups=rng.choice([2, 4, 8, 16, 32, 64]), fused=fused),
    "conv_depthwise_plain": _plain_depthwise,
    "conv_grouped_pointwise": lambda rng, fused: _conv(rng, kernel=1, groups=rng.choice([2, 3, 4, 8]),
                                                       fused=fused, sides=(7, 14, 28, 56)),
    "fully_connected": _linear,
    "pool": _pool,
    "global_pool": _single("global_avg_pool"),
    "gemm": _gemm,
    "tensor_matmul": _matmul,
    "norm": _single("batchnorm"),
    "sample_norm": lambda rng, fused: _on_tokens(rng, {"op": "layernorm"}),
    "axis_softmax": _softmax,
    "activation": _activation,
    "activation_exp": _activation_exp,
    "activation_erf": _gelu,
    "resample": _resize,
    "resample_nchwc": _resize_nchwc,
    "binary": _binary,
    "copy": _copy,
    "transpose_scattered": _scattered,
}
"""Kernel kind → a random one-kernel spec (seeded); ``fused``: the conv carries BN and act."""


@dataclass(frozen=True)
class Point:
    """One micro-benchmark: its kind, features and median time (µs, session cost removed)."""

    kind: str
    maccs: int
    bytes: int
    time_us: float
    calls: int = 1
    shape: tuple[int, ...] = ()


EPILOGUE_SHARE = 2
"""With optimizations on, ``points_per_kind`` / EPILOGUE_SHARE convs are timed with every
epilogue activation (:func:`epilogue_grid`)."""

CONV_FACTOR = 3
"""A conv kind's grid has this many times ``points_per_kind`` points (their shape space is
six-dimensional and their local correction reads its neighbours)."""


SKIPPED_AT = {"all": frozenset({"norm"}), "none": frozenset({"activation_erf", "resample_nchwc"})}
"""Kinds a level never runs: with optimizations on every batchnorm is folded, op by op GELU
is five kernels and nothing runs blocked."""


def grid(points_per_kind: int, optimize: str, seed: int = 0) -> list[tuple[str, Spec]]:
    """The designed grid: ``points_per_kind`` seeded specs per kind, CONV_FACTOR times as
    many per conv kind (SKIPPED_AT: kinds a level never runs)."""
    rng = random.Random(seed)
    specs = []
    for kind, make in GRIDS.items():
        if kind in SKIPPED_AT[optimize]:
            continue
        for index in range(points_per_kind * (CONV_FACTOR if kind.startswith("conv") else 1)):
            spec = make(rng, optimize == "all")
            specs.append((kind, {"model": f"{kind}_{index}", **spec}))
    return specs


EPILOGUES = tuple(op for op, categories in ACTIVATION_CATEGORIES.items()
                  if "conv_epilogue" in categories and op != "relu")
"""The activations onnxruntime runs in a conv's epilogue besides ReLU (category
``conv_epilogue``): each costs a pass over the conv's output that ReLU's does not."""

EPILOGUE_PREFIX = "epilogue:"
"""Kind prefix of an :func:`epilogue_grid` spec: ``epilogue:<activation>:<conv index>``."""


def epilogue_grid(convs: int, seed: int = 0) -> list[list[tuple[str, Spec]]]:
    """``convs`` seeded blocked convs (:func:`_epilogue_conv`), each once
    with a ReLU and once with each of EPILOGUES in its epilogue, all followed by the same
    1×1 max pool (so that the activation does not write the network's output, where
    onnxruntime does not fuse a hard-swish): one family of specs per conv, differing only
    in the epilogue (:func:`epilogue_ns`)."""
    rng = random.Random(seed)
    families = []
    for index in range(convs):
        conv = _epilogue_conv(rng)
        families.append([(f"{EPILOGUE_PREFIX}{act}:{index}", {
            "model": f"epilogue_{act}_{index}", "input": conv["input"],
            "layers": [{**conv["layers"][0], "act": act}, {"name": "after", "op": "max_pool", "kernel": 1}]})
            for act in ("relu", *EPILOGUES)])
    return families


EPILOGUE_MAX_DEPTH = 256
"""An :func:`epilogue_grid` conv's most maccs per output element (C_in / groups · window): the
epilogue's pass is a measurable share of its time (thin networks' convs), not a fraction of a
percent of a large conv's, lost in its noise."""


def _epilogue_conv(rng: random.Random) -> Spec:
    """A grid conv (pointwise, depthwise or dense) of several output positions and at most
    EPILOGUE_MAX_DEPTH maccs per output element."""
    while True:
        conv = GRIDS[rng.choice(["conv_pointwise", "conv_depthwise", "conv_dense"])](rng, True)
        layer = conv["layers"][0]
        depth = (1 if layer["depthwise"] else conv["input"][0]) * layer["kernel"] ** 2
        if conv["input"][1] > 1 and depth <= EPILOGUE_MAX_DEPTH:  # one position: timed cold
            return conv


def epilogue_ns(samples: list[Sample], slowness: dict[int, float], runs: int) -> dict[str, float]:
    """Per activation of EPILOGUES, ns per output element beyond a ReLU in a conv's epilogue:
    the median over :func:`epilogue_grid`'s convs of (t_act − t_relu) / C_out·positions,
    each time its plain CPU time per run (:func:`best`) over its chunk's slowness; ≥ 0."""
    times: dict[str, dict[str, float]] = {}
    elements: dict[str, int] = {}
    for sample in samples:
        if sample.kind.startswith(EPILOGUE_PREFIX):
            act, _, index = sample.kind.removeprefix(EPILOGUE_PREFIX).partition(":")
            times.setdefault(index, {})[act] = best(sample.times.plain_us, runs) / slowness[sample.chunk]
            elements[index] = sample.outputs
    per_element = {act: [1000 * (family[act] - family["relu"]) / elements[index]
                         for index, family in times.items() if act in family and "relu" in family]
                   for act in EPILOGUES}
    return {act: max(statistics.median(values), 0.0) for act, values in per_element.items() if values}


def _session_baselines() -> list[tuple[str, Spec]]:
    """Chains of 1 and 8 one-element ReLUs (their plain CPU time gives the session's fixed
    cost per run and the executor's cost per node), and the 1-chain again as COLD_BASELINE,
    timed with the caches evicted (what eviction alone costs a run)."""
    chains = [(f"session{n}", {"model": f"session{n}", "input": [1, 1, 1],
                               "layers": [{"name": f"k{i}", "op": "relu"} for i in range(n)]})
              for n in (1, 8)]
    return chains + [(COLD_BASELINE, {**chains[0][1], "model": "session1_cold"})]


COLD_BASELINE = "session1:cold"
"""The kind of the baseline timed with evicted caches."""


def best(values: list[float], runs: int) -> float:
    """The lowest of the rounds' medians (``runs`` values per round, in order): the least
    disturbed estimate on a shared machine, where a burst of load lasts seconds and slows
    even the CPU clock (shared caches and memory bandwidth); benchmarks/bench_runtime.py
    measures whole networks the same way."""
    return min(statistics.median(values[start:start + runs]) for start in range(0, len(values), runs))


def _node_us(times: RunTimes, node: str, runs: int) -> float:
    """A node's profiled (wall) kernel time, the lowest of the rounds' medians."""
    return best([run[node] for run in times.node_us], runs)


@dataclass(frozen=True)
class Sample:
    """One timed grid point: its kind, the kernels costmodel predicts for it, its profiled
    runs, and its output's element count."""

    kind: str
    kernels: list[Kernel]
    times: RunTimes
    outputs: int
    chunk: int = 0
    """The chunk it was timed in (:func:`measure`: with that chunk's own anchors)."""


REFERENCES: dict[str, Spec] = {
    "pointwise": {"input": [64, 56, 56], "layers": [
        {"name": "k", "op": "conv_bn_act", "out": 64, "kernel": 1, "act": "relu"}]},
    "dense": {"input": [32, 56, 56], "layers": [
        {"name": "k", "op": "conv_bn_act", "out": 32, "kernel": 3, "act": "relu"}]},
    "depthwise": {"input": [144, 56, 56], "layers": [
        {"name": "k", "op": "conv_bn_act", "out": 144, "kernel": 3, "depthwise": True, "act": "relu6"}]},
    "add": {"input": [64, 56, 56], "layers": [{"name": "k", "op": "add", "inputs": ["input", "input"]}]},
}
"""Fixed one-kernel models timed with every calibration (``DeviceProfile.reference_us``: CPU
time per run) and again at validation: their ratio is how much faster or slower the machine
runs now than when it was calibrated (benchmarks/bench_latency.py --drift)."""


def _references() -> list[tuple[str, Spec]]:
    return [(f"reference:{name}", {"model": f"reference_{name}", **spec}) for name, spec in REFERENCES.items()]


def reference_times(samples: list[Sample], runs: int) -> dict[str, float]:
    """Each reference model's CPU time per run without the profiler (µs; :func:`best`) among
    ``samples``: over the chunks that timed it, the TYPICAL_QUANTILE of its times."""
    return {name: float(np.quantile(list(by_chunk.values()), TYPICAL_QUANTILE))
            for name, by_chunk in _reference_chunk_times(samples, runs).items()}


def _reference_chunk_times(samples: list[Sample], runs: int) -> dict[str, dict[int, float]]:
    """Reference model → chunk → its CPU time per run there (:func:`best`)."""
    times: dict[str, dict[int, float]] = {}
    for sample in samples:
        if sample.kind.startswith("reference:"):
            times.setdefault(sample.kind.partition(":")[2], {})[sample.chunk] = best(sample.times.plain_us, runs)
    return times


TYPICAL_QUANTILE = 0.2
"""The machine state a calibration is scaled to: the chunk time of a reference model that a
fifth of the chunks beat — what the least of 4 passes reaches on average, as
benchmarks/bench_runtime.py measures the zoo (the least of 15–30 chunks is a rare state: a
profile scaled to it predicted the zoo 4–6 % fast, signed median; the median chunk, a profile
of whatever load the calibration's minutes saw: +12 % off in a loaded window)."""


def chunk_slowness(samples: list[Sample], runs: int) -> dict[int, float]:
    """Per chunk, how much slower the machine ran than in its typical state: the geometric
    mean over the reference models of their time in the chunk over their
    :func:`reference_times` (TYPICAL_QUANTILE); 1 for a chunk without them."""
    ratios: dict[int, list[float]] = {sample.chunk: [] for sample in samples}
    for by_chunk in _reference_chunk_times(samples, runs).values():
        typical = float(np.quantile(list(by_chunk.values()), TYPICAL_QUANTILE))
        for chunk, time_us in by_chunk.items():
            ratios[chunk].append(math.log(time_us / typical))
    return {chunk: math.exp(statistics.fmean(logs)) if logs else 1.0 for chunk, logs in ratios.items()}


def measure_references(*, optimize: str, runtime_name: str, rounds: int, runs: int) -> dict[str, float]:
    """Time the reference models alone (as a calibration times them): :func:`reference_times`."""
    samples = _time(_references(), optimize=optimize, runtime_name=runtime_name, rounds=rounds,
                    runs=runs, seed=0)
    return reference_times(samples, runs)


def measure(points_per_kind: int, *, optimize: str, runtime_name: str, rounds: int, runs: int,
            seed: int, progress: Callable[[str], None] | None = None) -> list[Sample]:
    """Time the grid, in a seeded shuffled order, plain and with the runtime's per-node
    profiler on, in ``rounds`` interleaved rounds of ``runs`` runs, CHUNK points at a time;
    every chunk times the session baselines and the reference models too (its anchors:
    :func:`fit_profile`). Shuffled, every kind is timed across the whole calibration: on
    the AMD EPYC the host's load moved for tens of seconds, and two calibrations in a row,
    each kind timed in one stretch, put whole kinds 0.64–1.44× apart (median per kind)."""
    units = [[point] for point in grid(points_per_kind, optimize, seed)]
    if optimize == "all":  # op by op an activation is a kernel of its own kind
        units += epilogue_grid(max(points_per_kind // EPILOGUE_SHARE, 1), seed)
    random.Random(seed).shuffle(units)
    points = [point for unit in units for point in unit]
    return _time(points, optimize=optimize, runtime_name=runtime_name, rounds=rounds, runs=runs,
                 seed=seed, progress=progress, anchors=_session_baselines() + _references())


def _time(specs: list[tuple[str, Spec]], *, optimize: str, runtime_name: str, rounds: int, runs: int,
          seed: int, progress: Callable[[str], None] | None = None,
          anchors: list[tuple[str, Spec]] | None = None) -> list[Sample]:
    """Build, export and time ``specs`` (kind, spec) in interleaved rounds, CHUNK points at a
    time with ``anchors`` in every chunk (each chunk exported when its turn comes: the
    exports' inputs alone take gigabytes for a whole grid); a sample records its chunk."""
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.measure import load_runtime

    runtime = load_runtime(runtime_name)
    options = RunOptions(1, optimize)  # type: ignore[arg-type]
    samples = []
    evict = cache_evictor()
    steps = -(-len(specs) // CHUNK) * rounds
    for start in range(0, len(specs), CHUNK):
        jobs = [_job(kind, spec, optimize, seed) for kind, spec in (anchors or []) + specs[start:start + CHUNK]]
        with tempfile.TemporaryDirectory() as folder:
            profiled = [runtime.profiled(data, feeds, options, folder,
                                         before_run=evict if kind == COLD_BASELINE or streams_weights(found) else None)
                        for kind, found, data, feeds, _ in jobs]
            for round_ in range(rounds):
                for timed in profiled:
                    timed.run(runs)
                if progress is not None:
                    progress(f"round {start // CHUNK * rounds + round_ + 1}/{steps}")
            samples += [Sample(kind, found, timed.finish(), outputs, start // CHUNK)
                        for (kind, found, _, _, outputs), timed in zip(jobs, profiled)]
        del jobs, profiled
        _release_freed_memory()
    return samples


def _release_freed_memory() -> None:
    """Hand the chunk's freed session memory back to the system (glibc's malloc_trim: without
    it the heap keeps every chunk's high-water mark)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _job(kind: str, spec: Spec, optimize: str,
         seed: int) -> tuple[str, list[Kernel], bytes, dict[str, np.ndarray], int]:
    """A point's kind (a grouped conv of whole-block groups: the blocked kind; a depthwise
    conv op by op: the plain kind), kernels,
    serialized model, feeds, and output element count; a grid point (its kind one
    of KINDS) must run its kind's kernel and helpers only."""
    from costmodel.export import export_network
    from costmodel.graph import build
    from costmodel.spec.load import parse_spec

    network = build(parse_spec(spec), f"<{spec['model']}>", {})
    found = kernels(network, optimize, nchwc_block())
    if (kind in GROUPED and found[0].kind == "conv_grouped_nchwc") or \
            (kind == "conv_depthwise" and found[0].kind == "conv_depthwise_plain"):
        kind = found[0].kind
    allowed = {kind} | HELPER_KINDS | OWN_HELPERS.get(kind, NO_HELPERS)[1]
    if kind in KINDS and not {k.kind for k in found} <= allowed:
        raise AssertionError(f"{spec['model']}: not {kind} kernels: {found}")
    exported = export_network(network, seed=seed)
    source, port = network.output
    return (kind, found, exported.model.SerializeToString(), {exported.model.graph.input[0].name: exported.input},
            math.prod(network.nodes[source].outputs[port]))


def streams_weights(found: list[Kernel]) -> bool:
    """A point whose contraction has one output position (a linear of one vector, a 1×1 conv
    of a 1×1 map: SE's, a classifier head's): in a network it reads every weight once from
    memory, so it is timed with the caches evicted before each run (alone in a loop its
    weights stay cached: a 1280 → 1000 linear took 149 µs alone, 531 µs evicted — 440
    without the eviction's own cost — and 396–421 µs inside MobileNetV2 and LCNet)."""
    return any(k.kind in CONTRACTIONS and k.shape and k.shape[2] == 1 for k in found)


def cache_evictor() -> Callable[[], None]:
    """A call that evicts the CPU caches: it writes a buffer twice the last-level cache's
    size (:func:`last_level_cache`; at most 512 MiB)."""
    buffer = np.zeros(min(2 * last_level_cache(), 512 << 20), dtype=np.uint8)

    def evict() -> None:
        np.add(buffer, 1, out=buffer)
    return evict


CHUNK = 100
"""Points exported and timed together in interleaved rounds (a round of a chunk: ~1.5 s on
the AMD EPYC): each holds two sessions (plain and profiled) and its export; the default grid
with optimizations on took 6.4 GB at once, 1.3 GB in chunks of 100."""


@dataclass(frozen=True)
class Baseline:
    """Fixed costs of a run (µs): the session's per run and the executor's per node, both
    without the profiler; ``profiler_us``: what the profiler adds to each node's reported
    time (a one-element ReLU's profiled time; its own work is well under 1 µs); ``cold_us``:
    what evicting the caches adds to a run that reads no data (code, TLB and the session's
    own state come from memory: ~90–180 µs on the AMD EPYC), taken off every evicted point."""

    session_us: float
    node_us: float
    profiler_us: float = 0.0
    cold_us: float = 0.0


def baseline(samples: list[Sample], runs: int) -> Baseline:
    """From :func:`_session_baselines`' samples (found by kind among ``samples``): the
    chains' plain CPU time's slope per node and intercept, the median profiled time of the
    8-chain's nodes, and the evicted 1-chain's plain CPU time less the 1-chain's."""
    by_kind = {sample.kind: sample for sample in samples if sample.kind.startswith("session")}
    chain1, chain8 = by_kind["session1"], by_kind["session8"]
    plain1, plain8 = best(chain1.times.plain_us, runs), best(chain8.times.plain_us, runs)
    node = max((plain8 - plain1) / 7, 0.0)
    profiler = statistics.median(_node_us(chain8.times, name, runs) for name in chain8.times.op_types)
    cold = by_kind.get(COLD_BASELINE)
    cold_us = max(best(cold.times.plain_us, runs) - plain1, 0.0) if cold is not None else 0.0
    return Baseline(max(plain1 - node, 0.0), node, profiler, cold_us)


def estimate(sample: Sample, fixed: Baseline, runs: int) -> list[Point]:
    """A grid point's kernel time: its plain run's CPU time less the session's and the
    executor's fixed costs and less the helper nodes' times (layout reorders, reshapes, the
    transpose of a product's operand: their profiled times less the profiler's share); the
    reorders are ``reorder`` points of their own, each with the bytes of the reorder kernel
    costmodel predicts for it, in graph order (an SE point's ReorderOutput moves its pooled
    C×1×1 tensor, not the point's output: read as the output, 6 MB reorders timed at 1–2 µs
    made the session-12 calibrations fit reorders at 0.2–1.8 TB/s, i.e. free); none when the
    counts differ.
    A profiled run is not used whole: on the AMD EPYC the profiler adds 6–10 µs per node
    (3 of them inside each node's reported time), which a network's plain run never pays.
    A point timed with evicted caches (:func:`streams_weights`) loses the eviction's own
    cost too (``Baseline.cold_us``): in a network only its weights come from memory."""
    helpers = HELPERS | OWN_HELPERS.get(sample.kind, NO_HELPERS)[0]
    times = sample.times
    own = [k for k in sample.kernels if k.kind == sample.kind]
    other_us = {node: max(_node_us(times, node, runs) - fixed.profiler_us, 0.0)
                for node, op in times.op_types.items() if op in helpers}
    cold_us = fixed.cold_us if streams_weights(sample.kernels) else 0.0
    kernel_us = (best(times.plain_us, runs) - fixed.session_us - fixed.node_us * len(times.op_types)
                 - cold_us - sum(other_us.values())) / len(own)
    points = [Point(sample.kind, own[0].maccs, own[0].bytes, max(kernel_us, 0.01), own[0].calls, own[0].shape)]
    reorders = [k for k in sample.kernels if k.kind == "reorder"]
    timed = [node for node, op in times.op_types.items() if op in REORDERS]
    if len(reorders) == len(timed):  # both in graph order: the tensors they reorder
        points += [Point("reorder", 0, k.bytes, max(other_us[node], 0.01)) for node, k in zip(timed, reorders)]
    return points


def calibrate(points_per_kind: int = 12, *, optimize: str = "all", runtime_name: str = "onnxruntime",
              rounds: int = 3, runs: int = 7, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> tuple[DeviceProfile, list[Point]]:
    """Benchmark the grid (:func:`measure`) and fit a profile: per kind a roofline on the
    points' kernel times (:func:`estimate`), the session's and executor's costs per run and
    per kernel (:func:`baseline`)."""
    samples = measure(points_per_kind, optimize=optimize, runtime_name=runtime_name, rounds=rounds,
                      runs=runs, seed=seed, progress=progress)
    return fit_profile(samples, optimize=optimize, runtime_name=runtime_name, runs=runs)


def fit_profile(samples: list[Sample], *, optimize: str, runtime_name: str,
                runs: int) -> tuple[DeviceProfile, list[Point]]:
    """The profile of :func:`measure`'s samples: each chunk's points lose the fixed costs of
    that chunk's own session baselines (:func:`baseline`, :func:`estimate`) and are divided
    by its slowness (:func:`chunk_slowness`), as are the session's and the executor's costs
    (their median over the chunks); the reference models are recorded in that typical state."""
    by_chunk: dict[int, list[Sample]] = {}
    for sample in samples:
        by_chunk.setdefault(sample.chunk, []).append(sample)
    chunks = sorted(by_chunk)
    fixed = {chunk: baseline(by_chunk[chunk], runs) for chunk in chunks}
    slowness = chunk_slowness(samples, runs)
    points = [replace(point, time_us=point.time_us / slowness[sample.chunk])
              for sample in samples if sample.kind in KINDS for point in estimate(sample, fixed[sample.chunk], runs)]
    epilogues = epilogue_ns(samples, slowness, runs)
    session_us = statistics.median(fixed[chunk].session_us / slowness[chunk] for chunk in chunks)
    node_us = statistics.median(fixed[chunk].node_us / slowness[chunk] for chunk in chunks)
    kinds = {kind: _fit([p for p in points if p.kind == kind]) for kind in {p.kind for p in points}}
    kinds["other"] = _fit([p for p in points if p.kind in OTHER_KINDS], shaped=False)
    from costmodel.runtime.measure import load_runtime

    runtime = load_runtime(runtime_name)
    profile = DeviceProfile(runtime.name, runtime.version, cpu_model(), 1, optimize, session_us,
                            dict(sorted(kinds.items())), len(points), node_us=node_us,
                            nchwc_block=nchwc_block(), reference_us=reference_times(samples, runs),
                            epilogue_ns=epilogues)
    return profile, points


def _fit(points: list[Point], shaped: bool = True) -> Roofline:
    """The kind's roofline, fitted on the points of at least ``MIN_US`` twice: on all of them,
    then without the points it misses by more than ``OUTLIER``× either way; then its shape
    correction (when ``shaped`` and the points carry shapes: not ``reorder``'s, nor
    ``other``'s, fitted on several kinds): for a contraction kind the local one (the points
    within OUTLIER× of the roofline as ``Roofline.local`` rows), else model.fit_shape. A lone kernel's time is a
    difference (CPU time less the fixed costs and the profiled reorders) and, for a small
    kernel on a loaded machine, can come out near zero or several times too long; in
    relative error such a point outweighs dozens of sound ones."""
    points = [p for p in points if p.time_us >= MIN_US] or points
    maccs = np.array([p.maccs for p in points], dtype=float)
    nbytes = np.array([p.bytes for p in points], dtype=float)
    times = np.array([p.time_us for p in points])
    calls = np.array([p.calls for p in points], dtype=float)
    roofline = fit_roofline(maccs, nbytes, times, calls)
    predicted = np.array([roofline.time_us(int(m), int(b), int(c)) for m, b, c in zip(maccs, nbytes, calls)])
    sound = np.abs(np.log(np.maximum(predicted, 1e-3) / times)) <= np.log(OUTLIER)
    if sound.sum() >= 3 and not sound.all():
        roofline = fit_roofline(maccs[sound], nbytes[sound], times[sound], calls[sound])
    design = [shape_features(p.kind, p.maccs, p.shape) for p in points]
    if not shaped or not all(design) or len(points) < 2 * len(design[0]):
        return roofline
    if points[0].kind in CONTRACTIONS:  # the local correction's rows: the points within OUTLIER×
        base = np.array([roofline.time_us(int(m), int(b), int(c)) for m, b, c in zip(maccs, nbytes, calls)])
        residual = np.log(times / np.maximum(base, 1e-9))
        return replace(roofline, local=tuple(tuple(round(x, 4) for x in [*local_point(row), float(r)])
                                             for row, r in zip(design, residual) if abs(r) <= np.log(OUTLIER)))
    return replace(roofline, shape=fit_shape(roofline, maccs, nbytes, calls, np.array(design), times))


OUTLIER = 3.0
"""A calibration point off its kind's first fit by more than this factor is left out."""

MIN_US = 1.0
"""A kernel time below this (µs) is a failed difference, not a kernel: left out of the fit."""


REORDERS = frozenset({"ReorderInput", "ReorderOutput"})
"""onnxruntime's NCHWc layout reorders (timed as ``reorder`` points, not as the kernel)."""

HELPERS = REORDERS | {"Reshape"}
"""Nodes of a grid point that are not its kernel: timed by the profiler and subtracted."""

HELPER_KINDS = frozenset({"reorder", "copy"})
"""Kernels a grid point may run besides its own kind's (reorders; Q·Kᵀ's transpose op by op)."""

OWN_HELPERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "tensor_matmul": (frozenset({"Transpose"}), frozenset()), "gemm": (frozenset({"Transpose"}), frozenset()),
    "binary": (frozenset({"Relu", "GlobalAveragePool"}), frozenset({"activation", "global_pool"})),
    "resample_nchwc": (frozenset({"Conv"}), frozenset({"conv_pointwise"}))}
"""A kind's own helper nodes (op types, and their kernel kinds): the transpose of a product's
operand op by op, the second operand of a binary point, the conv whose blocked output an
NCHWc Upsample point resizes."""

NO_HELPERS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
"""The own helpers of a kind without any."""

OTHER_KINDS = frozenset({"pool", "global_pool", "norm", "sample_norm", "axis_softmax", "activation",
                         "activation_exp", "binary", "copy"})
"""The kinds ``other`` (an op without a kind of its own) is fitted on: no contractions."""
