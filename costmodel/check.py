"""Prove the analytic counts by execution: measured (numpy reference) vs analytic, per node.

The reference forward (:mod:`costmodel.reference.forward`) never sees the formulas; this
module is the only place the two meet. Every node is compared on ``params``, ``buffers``,
``maccs``, ``mem_access``, ``elementwise``, ``fragments`` and its output shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from costmodel.arith import as_int, is_symbolic
from costmodel.errors import SpecError
from costmodel.graph import Network
from costmodel.reference.forward import Forward, NodeRun, forward, random_input

__all__ = ["CHECKED", "Disagreement", "CheckResult", "check_network", "measured_values"]

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
    return {"params": run.params, "buffers": run.buffers, "maccs": run.counts.maccs,
            "mem_access": run.counts.mem_access, "elementwise": run.counts.elementwise,
            "fragments": run.fragments, "shapes": run.shapes}


def check_network(network: Network, seed: int = 0, dtype: Any = np.float32) -> CheckResult:
    """Run ``network`` on a seeded random input and compare every node.

    Raises :class:`SpecError` when the network was built with symbolic parameters.
    """
    symbolic = sorted(name for name, value in network.bindings.items() if is_symbolic(value))
    if symbolic:
        raise SpecError(f"check runs the network, so every parameter needs a number "
                        f"(symbolic: {', '.join(symbolic)})", path=network.path)
    shape = _shape(network.nodes["input"].outputs[0])
    run = forward(network, random_input(shape, seed, dtype), seed=seed)
    disagreements = []
    for name, node in network.nodes.items():
        analytic = {**node.cost.as_dict(), "shapes": tuple(_shape(s) for s in node.outputs)}
        for metric, value in measured_values(run.nodes[name]).items():
            if analytic[metric] != value:
                disagreements.append(Disagreement(name, node.op, metric, analytic[metric], value))
    return CheckResult(network, run, disagreements)


def _shape(shape: Any) -> tuple[int, ...]:
    return tuple(as_int(size) for size in shape)


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join("×".join(map(str, shape)) for shape in value)
    return str(value)
