"""Prove the analytic counts by execution: measured (numpy reference) vs analytic, per node.

The reference forward (:mod:`costmodel.reference.forward`) never sees the formulas; this
module is the only place the two meet. Every node is compared on ``params``, ``buffers``,
``maccs``, ``mem_access``, ``elementwise``, ``fragments`` and its output shapes.

Before running, the working memory is estimated from the network's shapes
(:func:`estimate_bytes`) and a network above :data:`MAX_CHECK_BYTES` is refused with the
figure. While running, each node's outputs are kept at unit scale (multiplied by a power
of two when their largest magnitude leaves [2⁻⁸, 2⁸]: exact, uncounted, and the counts do
not depend on values), so activations stay finite at any depth — a residual stack doubles
its variance per block, thousands of blocks overflow float32 — and a non-finite output is
an error naming the node, never a comparison on NaN. See docs/check.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.arith import MAX_SEED, integer, is_symbolic
from costmodel.errors import SpecError
from costmodel.graph import Network, Node
from costmodel.reference.forward import Forward, NodeRun, Visit, Weights, forward, random_input
from costmodel.units import human_bytes

__all__ = ["CHECKED", "MAX_CHECK_BYTES", "MAX_SEED", "Disagreement", "CheckResult",
           "check_network", "estimate_bytes", "measured_values", "require_memory", "validate_seed"]

MAX_CHECK_BYTES = 2**30
"""``check`` refuses a network whose estimated working memory exceeds 1 GiB (docs/check.md)."""

WORKING_COPIES = 3
"""Peak live activations are multiplied by this to cover a node's working copies (padded
input, contiguous windows of a convolution, the output before its inputs are released):
measured 1.5–1.9× on MobileNetV2, ResNet-18 and ShuffleNetV2 up to 896², so 3 bounds it."""

_UNIT_RANGE = (2.0**-8, 2.0**8)

CHECKED = ("params", "buffers", "maccs", "mem_access", "elementwise", "fragments", "shapes")
"""What is compared for every node, in this order."""


@dataclass(frozen=True)
class Disagreement:
    """One node's metric where analytic and measured differ."""

    node: str
    op: str
    metric: str
    analytic: Any
    measured: Any

    def __str__(self) -> str:
        return (f"{self.node} ({self.op}): {self.metric} analytic {_show(self.analytic)}, "
                f"measured {_show(self.measured)}")


@dataclass(frozen=True)
class CheckResult:
    """The comparison of a whole network."""

    network: Network
    run: Forward
    disagreements: list[Disagreement]

    @property
    def ok(self) -> bool:
        """True when every node agrees on every metric."""
        return not self.disagreements

    @property
    def failing_nodes(self) -> list[str]:
        """Names of the nodes with at least one disagreement, in execution order."""
        return list(dict.fromkeys(d.node for d in self.disagreements))


def measured_values(run: NodeRun) -> dict[str, Any]:
    """A node run's values under the names of :data:`CHECKED`."""
    return dict(zip(CHECKED, _measured_row(run), strict=True))


def _measured_row(run: NodeRun) -> tuple[Any, ...]:
    """A node run's values in the order of :data:`CHECKED`."""
    counts = run.counts
    return (run.params, run.buffers, counts.maccs, counts.mem_access, counts.elementwise,
            run.fragments, run.shapes)


def _analytic_row(node: Node) -> tuple[Any, ...]:
    """A node's analytic values in the order of :data:`CHECKED`."""
    cost = node.cost
    return (cost.params, cost.buffers, cost.maccs, cost.mem_access, cost.elementwise,
            cost.fragments, tuple([_shape(shape) for shape in node.outputs]))


def check_network(network: Network, seed: int = 0, dtype: Any = np.float32,
                  progress: Callable[[int, int], None] | None = None,
                  weights: Weights | None = None) -> CheckResult:
    """Run ``network`` on a seeded random input (with ``weights`` when given, else seeded
    random ones) and compare every node (``progress`` is told (nodes run, nodes) as the
    forward goes).

    Raises :class:`SpecError` when the network was built with symbolic parameters.
    """
    symbolic = sorted(name for name, value in network.bindings.items() if is_symbolic(value))
    if symbolic:
        raise SpecError(f"check runs the network, so every parameter needs a number "
                        f"(symbolic: {', '.join(symbolic)})", path=network.path)
    validate_seed(seed, network.path)
    require_memory(network, "check", np.dtype(dtype).itemsize)
    shape = _shape(network.input_shape)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # caught per node
        run = forward(network, random_input(shape, seed, dtype), seed=seed, weights=weights,
                      visit=_counted(_unit_scale(network, seed),
                                    len(network.ops), progress))
    disagreements = []
    for name, node in network.nodes.items():
        analytic, measured = _analytic_row(node), _measured_row(run.nodes[name])
        if analytic != measured:  # one tuple comparison per node; the metrics only to report
            disagreements += [Disagreement(name, node.op, metric, a, m)
                              for metric, a, m in zip(CHECKED, analytic, measured, strict=True)
                              if a != m]
    return CheckResult(network, run, disagreements)


def validate_seed(seed: Any, path: str | None = None) -> None:
    """Raise :class:`SpecError` unless ``seed`` is a whole number 0 … :data:`MAX_SEED`."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SpecError(f"--seed must be a whole number from 0 to 2^64 − 1, got {seed}",
                        path=path)


def require_memory(network: Network, what: str, dtype_bytes: int = 4, runs: int = 1) -> None:
    """Refuse, with the figure, to execute ``network`` (``runs`` times at once, elements of
    ``dtype_bytes``) when :func:`estimate_bytes` exceeds :data:`MAX_CHECK_BYTES`: ``check``,
    ``export`` (its weights come from a run) and ``transform --verify`` (two runs in float64)
    say so in one line instead of exhausting memory. Raises :class:`SpecError`."""
    if runs * _every_tensor_bytes(network, dtype_bytes) <= MAX_CHECK_BYTES:
        return  # the peak cannot exceed it: the exact estimate would pass too
    needed = runs * estimate_bytes(network, dtype_bytes)
    if needed > MAX_CHECK_BYTES:
        exact = f" ({needed:,} bytes estimated)" if needed < 10**15 else " (estimated)"
        raise SpecError(f"{what} would need about {human_bytes(needed)}{exact}, "
                        f"above its limit of {human_bytes(MAX_CHECK_BYTES)}; "
                        "lower the resolution or the width, e.g. --set resolution=64", path=network.path)


def estimate_bytes(network: Network, dtype_bytes: int) -> int:
    """Working memory of the reference forward, from the network's shapes:
    (:data:`WORKING_COPIES` × peak live activations in the spec's order + params + buffers)
    × ``dtype_bytes``. Linear in nodes."""
    from costmodel.analysis.peak_memory import peak_memory

    total = network.total
    elements = WORKING_COPIES * peak_memory(network).elements + total.params + total.buffers
    return integer(elements) * dtype_bytes


def _every_tensor_bytes(network: Network, dtype_bytes: int) -> int:
    """:func:`estimate_bytes` with every tensor live at once: the peak's live tensors are
    some of the nodes' outputs (views and in-place writes only lower it), so this bounds
    the estimate from above in one pass, without the liveness schedule (~1 s of a
    100,000-layer check). Above the limit — no bound — when a size is not an int (the
    exact estimate then decides, or says why it cannot)."""
    elements = 0
    for node in network.nodes.values():
        for shape in node.outputs:
            elements += math.prod(shape)
    total = network.total
    bound = WORKING_COPIES * elements + total.params + total.buffers
    return bound * dtype_bytes if type(bound) is int else MAX_CHECK_BYTES + 1


def _unit_scale(network: Network, seed: int) -> Visit:
    """The forward's visitor: refuse a non-finite output, rescale one far from unit scale."""
    low, high = _UNIT_RANGE

    def visit(name: str, outputs: list[np.ndarray]) -> list[np.ndarray]:
        kept = []
        for out in outputs:
            if out.size and out.dtype.kind == "f" and not _surely_unit(out):
                peak = float(max(out.max(), -out.min()))
                if not math.isfinite(peak):
                    node = network.nodes[name]
                    raise SpecError(f"activation is not finite (seed {seed}): the op overflows "
                                    f"{out.dtype} on unit-scale input", path=network.path,
                                    line=node.line or None, layer=name, op=node.op)
                if peak > high or 0 < peak < low:
                    out = np.ldexp(out, -math.frexp(peak)[1])  # a power of two: exact
            kept.append(out)
        return kept

    return visit


_SUM_BOUNDS = (2.0**-15, 2.0**15)
"""Where a sum of squares proves the largest magnitude inside :data:`_UNIT_RANGE` (each
bound a factor 2 inside it, for the sum's rounding)."""
_SUM_MAX_ELEMENTS = 2**20
"""Above this many elements a float32 sum of squares may be off by more than that factor 2
(relative error ≤ n·2⁻²⁴): such outputs, and any narrower float, take the exact path."""


def _surely_unit(out: np.ndarray) -> bool:
    """Whether ``out`` is finite with its largest magnitude in :data:`_UNIT_RANGE`, proven by
    one BLAS dot (a third of a max and a min on a small tensor): with s = Σx² over n
    elements, peak² ≤ s ≤ n·peak², so s ≤ 2¹⁵ gives peak < 2⁸ and s ≥ n·2⁻¹⁵ gives
    peak > 2⁻⁸. False means "not proven" (overflow, NaN, underflow, a bound missed): the
    caller then takes the exact max and min. Run under ``np.errstate(over="ignore")``."""
    if out.size > _SUM_MAX_ELEMENTS or out.dtype.itemsize < 4:
        return False
    flat = out.ravel(order="K")  # a view when the memory is contiguous in any axis order
    squares = float(np.dot(flat, flat))
    low, high = _SUM_BOUNDS
    return out.size * low <= squares <= high


def _counted(visit: Visit, total: int, progress: Callable[[int, int], None] | None) -> Visit:
    """``visit`` that also reports each node run to ``progress``."""
    if progress is None:
        return visit
    done = [0]

    def counted(name: str, outputs: list[np.ndarray]) -> list[np.ndarray]:
        done[0] += 1
        progress(done[0], total)
        return visit(name, outputs)

    return counted


def _shape(shape: Any) -> tuple[int, ...]:
    if all(type(size) is int for size in shape):  # the common case, without the generic path
        return tuple(shape)
    return tuple(integer(size) for size in shape)


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join("×".join(map(str, shape)) for shape in value)
    return str(value)
