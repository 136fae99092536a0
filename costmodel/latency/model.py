"""A device profile (plain JSON) and the latency it predicts for a network.

Per kernel kind, a roofline with a fixed cost, scaled by a correction in the kernel's shape:
t = (calls·overhead + max(maccs / P, bytes / B)) · exp(c(shape)) (µs; P in maccs/µs, B in
bytes/µs), plus the executor's cost per kernel and, for a conv with an activation other than
ReLU in its epilogue, that activation's cost per output element. c is either log-linear, w · φ(shape)
(:func:`shape_features`), or local (:func:`local_correction`: a locally weighted linear fit of
the calibration points' ln(t / roofline) around the kernel's shape in log space).
A network's latency is the session's fixed cost plus its kernels' times. Latency is
device-specific: a profile describes one CPU, runtime, version, thread count and
optimization level.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from costmodel.errors import SpecError
from costmodel.latency.kernels import NCHWC_BLOCK, Kernel, kernels
from costmodel.spec.located_yaml import read_text

if TYPE_CHECKING:
    from costmodel.graph import Network

__all__ = ["CONTRACTIONS", "DeviceProfile", "KernelTime", "Roofline", "fit_roofline", "fit_shape",
           "local_correction", "local_point", "predict", "shape_features"]

FORMERLY: dict[tuple[str, str], tuple[str, bool]] = {
    ("all", "conv_depthwise_plain"): ("conv_grouped", True),
    ("none", "conv_depthwise_plain"): ("conv_depthwise", False),
    ("all", "transpose_scattered"): ("copy", False), ("none", "transpose_scattered"): ("copy", False),
    ("all", "activation_erf"): ("activation_exp", False),
    ("all", "resample"): ("other", False), ("none", "resample"): ("other", False),
    ("all", "resample_nchwc"): ("other", False)}
"""(optimization level, kind) → the kind a profile calibrated before the kind existed timed it
as, and whether that kind paid its fixed cost per call (Kernel.calls): before session 13 a
plain depthwise conv was a grouped conv with optimizations on, a depthwise conv of one call
with them off, every transposition a copy, and onnxruntime's fused GELU (then exported
unfused) a sigmoid-like activation; a resize had no kind of its own."""

CONTRACTIONS = frozenset({"conv_dense", "conv_pointwise", "conv_depthwise", "conv_grouped",
                          "conv_grouped_pointwise", "conv_grouped_nchwc", "conv_depthwise_plain", "fully_connected", "gemm",
                          "tensor_matmul"})
"""Kinds whose shape correction reads the whole geometry (the others: C_out and positions)."""


def shape_features(kind: str, maccs: int, shape: tuple[int, ...]) -> list[float]:
    """φ of a kernel of ``kind`` (``shape``: Kernel.shape, C_in, C_out, positions, window,
    stride, groups): for a contraction [1, ln C_in, ln C_out, ln positions, ln window,
    ln stride, ln(maccs + 1), ln groups]; else [1, ln C_out, ln positions]; [] without a shape."""
    if not shape:
        return []
    c_in, c_out, positions, window, stride, groups = (max(value, 1) for value in shape)
    if kind in CONTRACTIONS:
        return [1.0, math.log(c_in), math.log(c_out), math.log(positions), math.log(window),
                math.log(stride), math.log(maccs + 1), math.log(groups)]
    return [1.0, math.log(c_out), math.log(positions)]


LOCAL_BANDWIDTH = 1.0
"""The local correction's Gaussian kernel width in ln units (a factor e in every coordinate)."""

LOCAL_RIDGE = 1.0
"""The local correction's ridge penalty on its slopes: far from every point, or where the
points do not pin a slope, the fit falls back to a weighted mean."""

LOCAL_FLOOR = 1e-6
"""Every point's least weight: a kernel far from all points gets their plain mean."""


def local_point(features: list[float]) -> list[float]:
    """A contraction's coordinates for the local correction, read off its φ
    (:func:`shape_features`): ln C_in, ln C_out, ln positions, ln window, ln stride, ln groups."""
    return features[1:6] + features[7:8]


def local_correction(rows: tuple[tuple[float, ...], ...], features: list[float]) -> float:
    """c(shape) at a kernel from calibration ``rows`` (:func:`local_point` of a point, then its
    ln(t / roofline)): the intercept of the linear fit of the rows' c on their offset from the
    kernel, each row weighted exp(−|offset|² / 2h²) + LOCAL_FLOOR (h = LOCAL_BANDWIDTH),
    the slopes penalized by LOCAL_RIDGE (locally weighted linear regression)."""
    table = np.asarray(rows, dtype=float)
    offset = table[:, :-1] - np.asarray(local_point(features))
    weight = np.sqrt(np.exp(-(offset ** 2).sum(axis=1) / (2 * LOCAL_BANDWIDTH ** 2)) + LOCAL_FLOOR)
    design = np.hstack([np.ones((len(table), 1)), offset]) * weight[:, None]
    penalty = LOCAL_RIDGE * np.diag([0.0] + [1.0] * offset.shape[1])
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ (table[:, -1] * weight))
    return float(solution[0])


@dataclass(frozen=True)
class Roofline:
    """t = (calls · overhead_us + max(maccs / maccs_per_us, bytes / bytes_per_us)) · exp(c);
    0 rate = unused; ``calls``: times the fixed cost is paid (groups of an im2col grouped
    conv, else 1); c = :func:`local_correction` of ``local`` when it has rows, else
    ``shape`` · φ (``shape``: the log-linear coefficients w; φ = :func:`shape_features`),
    else 0; |c| ≤ 5."""

    overhead_us: float
    maccs_per_us: float
    bytes_per_us: float
    shape: tuple[float, ...] = ()
    local: tuple[tuple[float, ...], ...] = ()
    """Calibration points of a contraction kind: :func:`local_point` and ln(t / roofline)."""

    def time_us(self, maccs: int, nbytes: int, calls: int = 1, features: list[float] | None = None) -> float:
        compute = maccs / self.maccs_per_us if self.maccs_per_us else 0.0
        memory = nbytes / self.bytes_per_us if self.bytes_per_us else 0.0
        base = calls * self.overhead_us + max(compute, memory)
        if not features or not (self.local or self.shape):
            return base
        correction = local_correction(self.local, features) if self.local else \
            sum(w * x for w, x in zip(self.shape, features))
        return base * math.exp(max(min(correction, 5.0), -5.0))


@dataclass(frozen=True)
class DeviceProfile:
    """What a calibration measured on: runtime, version, CPU, threads, optimization level,
    the session's fixed cost per run, and a roofline per kernel kind."""

    runtime: str
    version: str
    cpu: str
    threads: int
    optimize: str
    session_us: float
    kinds: dict[str, Roofline]
    grid_points: int = 0
    notes: list[str] = field(default_factory=list)
    node_us: float = 0.0
    """The executor's cost per kernel beyond the kernel's own time."""
    nchwc_block: int = NCHWC_BLOCK
    """The CPU's NCHWc block size in channels (16 with AVX-512, 8 with AVX2)."""
    reference_us: dict[str, float] = field(default_factory=dict)
    """CPU time per run of each of calibrate.REFERENCES when the profile was calibrated:
    timed again, they measure the machine's drift since (bench_latency.py --drift)."""
    epilogue_ns: dict[str, float] = field(default_factory=dict)
    """ns per output element that an activation in a conv's epilogue (Kernel.epilogue, by
    op) costs beyond a ReLU's: the conv kinds are calibrated with ReLU; an op not listed
    costs nothing more."""

    def epilogue_us(self, kernel: Kernel) -> float:
        """What ``kernel``'s epilogue activation adds (µs): epilogue_ns × C_out × positions."""
        if not kernel.epilogue or not kernel.shape:
            return 0.0
        return self.epilogue_ns.get(kernel.epilogue, 0.0) * kernel.shape[1] * kernel.shape[2] / 1000

    def roofline(self, kind: str) -> Roofline:
        """The kind's roofline, or ``other``'s for a kind the calibration did not cover."""
        return self.kinds.get(kind) or self.kinds["other"]

    def kernel_us(self, kernel: Kernel) -> float:
        """``kernel``'s roofline time with its shape correction, by its kind's roofline; of a
        kind the profile predates, by the kind it was timed as then (FORMERLY, with that
        kind's calls)."""
        kind, calls = kernel.kind, kernel.calls
        if kind not in self.kinds and (self.optimize, kind) in FORMERLY:
            kind, per_group = FORMERLY[self.optimize, kind]
            calls = calls if per_group else 1
        return self.roofline(kind).time_us(kernel.maccs, kernel.bytes, calls,
                                           shape_features(kind, kernel.maccs, kernel.shape))

    def scaled(self, factor: float, note: str) -> DeviceProfile:
        """This profile for its machine in a state ``factor`` times as slow (and ``note``
        added): every time — the session's, the executor's, each kind's fixed cost, the
        epilogues', the reference models' — times ``factor``, every rate divided by it; the
        shape corrections are ratios and stay."""
        kinds = {kind: replace(roofline, overhead_us=roofline.overhead_us * factor,
                               maccs_per_us=roofline.maccs_per_us / factor,
                               bytes_per_us=roofline.bytes_per_us / factor)
                 for kind, roofline in self.kinds.items()}
        return replace(self, session_us=self.session_us * factor, node_us=self.node_us * factor, kinds=kinds,
                       epilogue_ns={op: ns * factor for op, ns in self.epilogue_ns.items()},
                       reference_us={name: us * factor for name, us in self.reference_us.items()},
                       notes=[*self.notes, note])

    def to_json(self) -> str:
        """Indented JSON, each list of numbers on one line."""
        text = json.dumps(asdict(self), indent=2)
        return re.sub(r"\[[-+.\deE,\s]*\]", lambda match: " ".join(match.group().split()), text) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DeviceProfile:
        """The profile of a JSON text. Raises ValueError (or TypeError, for missing or
        unknown keys) for anything a calibration cannot have written: a number that is not
        finite and ≥ 0 (a NaN rate would predict a NaN latency), no ``other`` roofline."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
            raise ValueError("not a device profile (a JSON object with 'kinds')")
        data["kinds"] = {k: Roofline(**{**v, "shape": tuple(v.get("shape", ())), "local": tuple(
                             tuple(row) if isinstance(row, list) else row for row in v.get("local", ()))})
                         if isinstance(v, dict) else Roofline(**v) for k, v in data["kinds"].items()}
        profile = cls(**data)
        profile._validate()
        return profile

    def _validate(self) -> None:
        for key in ("reference_us", "epilogue_ns"):
            if not isinstance(getattr(self, key), dict):
                raise ValueError(f"{key} is {getattr(self, key)!r}; it must be an object of numbers")
        numbers = {"session_us": self.session_us, "node_us": self.node_us, **{
            f"reference_us.{name}": value for name, value in self.reference_us.items()}, **{
            f"epilogue_ns.{name}": value for name, value in self.epilogue_ns.items()}, **{
            f"{kind}.{key}": value for kind, roofline in self.kinds.items()
            for key, value in asdict(roofline).items() if key not in ("shape", "local")}}
        for key, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
                raise ValueError(f"{key} is {value!r}; it must be a finite number ≥ 0")
        for kind, roofline in self.kinds.items():
            size = len(shape_features(kind, 0, (1,) * 6))
            if len(roofline.shape) not in (0, size) or not all(
                    not isinstance(w, bool) and isinstance(w, int | float) and math.isfinite(w) for w in roofline.shape):
                raise ValueError(f"{kind}.shape is {list(roofline.shape)!r}; it must be empty or "
                                 f"{size} finite numbers")
            if roofline.local and (kind not in CONTRACTIONS or not all(
                    isinstance(row, tuple) and len(row) == LOCAL_WIDTH and all(
                        not isinstance(x, bool) and isinstance(x, int | float) and math.isfinite(x) for x in row)
                    for row in roofline.local)):
                raise ValueError(f"{kind}.local must be empty or, for a contraction kind, rows of "
                                 f"{LOCAL_WIDTH} finite numbers")
        if "other" not in self.kinds:
            raise ValueError("no roofline for kind 'other' (the kinds the calibration did not cover)")
        for key, value, low, high in (("threads", self.threads, 1, 1024), ("nchwc_block", self.nchwc_block, 1, 1024)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{key} is {value!r}; it must be a whole number from {low} to {high}")
        if self.optimize not in ("all", "none"):
            raise ValueError(f"optimize is {self.optimize!r}; it must be 'all' or 'none'")

    @classmethod
    def load(cls, path: str | Path) -> DeviceProfile:
        # bounded, regular files only: a FIFO or /dev/zero is refused, never read
        return cls.from_json(read_text(path, "device profile"))


@dataclass(frozen=True)
class KernelTime:
    """A kernel and its predicted time (µs)."""

    kernel: Kernel
    time_us: float


def predict(network: Network, profile: DeviceProfile) -> tuple[list[KernelTime], float]:
    """Each kernel's predicted time and the total (session cost + kernels), in µs. Raises
    :class:`SpecError` when a count or the total is beyond a float's range (1.8e308)."""
    try:
        times = [KernelTime(k, profile.node_us + profile.epilogue_us(k) + profile.kernel_us(k))
                 for k in kernels(network, profile.optimize, profile.nchwc_block)]
        total = profile.session_us + sum(t.time_us for t in times)
    except OverflowError:
        total = math.inf
    if not math.isfinite(total):
        raise SpecError("the counts are too large for a latency prediction: it would exceed "
                        "1.8e+308 µs, a float's range")
    return times, total


def fit_roofline(maccs: np.ndarray, nbytes: np.ndarray, times: np.ndarray,
                 calls: np.ndarray | None = None, iterations: int = 30) -> Roofline:
    """Least-squares roofline in relative error: alternately assign each sample to the
    compute or the memory regime and solve t ≈ c·calls + a·maccs·[compute] + b·bytes·[memory]
    (non-negative, rows weighted by 1/t), starting from the additive fit; keeps the best
    fit seen."""
    calls = np.ones_like(times) if calls is None else calls
    weights = 1 / np.maximum(times, 1.0)  # sub-µs kernels: absolute error
    coef = _nonnegative_lstsq(np.stack([calls, maccs, nbytes], axis=1) * weights[:, None],
                              times * weights)  # both terms everywhere: a starting split
    compute = coef[1] * maccs >= coef[2] * nbytes
    best: tuple[float, Roofline] | None = None
    for _ in range(iterations):
        design = np.stack([calls, maccs * compute, nbytes * ~compute], axis=1)
        coef = _nonnegative_lstsq(design * weights[:, None], times * weights)
        roofline = Roofline(float(coef[0]), 1 / coef[1] if coef[1] > 0 else 0.0,
                            1 / coef[2] if coef[2] > 0 else 0.0)
        predicted = np.array([roofline.time_us(int(m), int(b), int(c)) for m, b, c in zip(maccs, nbytes, calls)])
        error = float(np.sum(((predicted - times) * weights) ** 2))
        if best is None or error < best[0] - 1e-12:
            best = (error, roofline)
        regime = coef[1] * maccs >= coef[2] * nbytes
        if np.array_equal(regime, compute):
            break
        compute = regime
    assert best is not None
    return best[1]


def _nonnegative_lstsq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares with negative coefficients dropped (refit without them)."""
    active = np.ones(a.shape[1], dtype=bool)
    active &= np.abs(a).sum(axis=0) > 0
    coef = np.zeros(a.shape[1])
    while active.any():
        solution = np.linalg.lstsq(a[:, active], b, rcond=None)[0]
        coef[:] = 0
        coef[active] = solution
        if (solution >= 0).all():
            break
        active[np.flatnonzero(active)[np.argmin(solution)]] = False
    return coef


def fit_shape(roofline: Roofline, maccs: np.ndarray, nbytes: np.ndarray, calls: np.ndarray,
              design: np.ndarray, times: np.ndarray, ridge: float | None = None,
              outlier: float = 3.0) -> tuple[float, ...]:
    """The shape correction w of ``roofline`` (given without one): ridge least squares of
    ln(t / roofline's t) on φ (the rows of ``design``, :func:`shape_features`), the
    intercept unpenalized; fitted again without the points it then misses by more than
    ``outlier``× either way."""
    base = np.array([roofline.time_us(int(m), int(b), int(c)) for m, b, c in zip(maccs, nbytes, calls)])
    target = np.log(times / np.maximum(base, 1e-9))
    ridge = RIDGE if ridge is None else ridge
    coef = _ridge(design, target, ridge)
    sound = np.abs(design @ coef - target) <= np.log(outlier)
    if sound.sum() >= design.shape[1] and not sound.all():
        coef = _ridge(design[sound], target[sound], ridge)
    return tuple(float(w) for w in coef)


LOCAL_WIDTH = 7
"""A ``local`` row: six coordinates (:func:`local_point`) and ln(t / roofline)."""

RIDGE = 1e-2
"""The shape correction's ridge penalty per point (ln-space coefficients): keeps the ~50
points of a kind from fitting noise and the correction from extrapolating wildly."""


def _ridge(design: np.ndarray, target: np.ndarray, penalty: float) -> np.ndarray:
    """argmin |design·w − target|² + penalty·n·|w[1:]|² (the first column: the intercept;
    the least-norm w when a column is constant)."""
    n, width = design.shape
    regular = np.sqrt(penalty * n) * np.eye(width)[1:]
    stacked = np.vstack([design, regular])
    # least squares of the stacked system: a constant column (e.g. ln groups = 0) gets 0
    return np.linalg.lstsq(stacked, np.concatenate([target, np.zeros(width - 1)]), rcond=None)[0]
