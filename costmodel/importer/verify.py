"""Run an imported ONNX model twice — in costmodel's numpy reference with the model's own
weights, and in onnxruntime — and compare the outputs: the import computes what the ONNX
computes, not only what it costs."""

from __future__ import annotations

from typing import Any

import numpy as np

from costmodel.graph import Network
from costmodel.reference.forward import Weights, forward, random_input
from costmodel.transforms.apply import Equivalence

__all__ = ["agree", "compare_outputs", "TOLERANCE"]

TOLERANCE = 1e-3
"""Largest difference accepted, relative to the largest output magnitude (float32 sums in
another order, and BN/LN ε of the model vs the reference's)."""


def compare_outputs(path: str, network: Network, weights: Weights, seed: int = 0) -> Equivalence:
    """The reference output of ``network`` with ``weights`` vs onnxruntime's output of the
    ONNX model at ``path``, on the same seeded random input."""
    import onnxruntime as ort

    shape = tuple(int(size) for size in network.nodes["input"].outputs[0])
    x = random_input(shape, seed)
    ours = forward(network, x, seed=seed, weights=weights).output
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    theirs: Any = session.run(None, {session.get_inputs()[0].name: x})[0]
    theirs = np.asarray(theirs, np.float64).reshape(np.shape(ours))
    return Equivalence(float(np.max(np.abs(ours - theirs))), float(np.max(np.abs(theirs))))


def agree(comparison: Equivalence) -> bool:
    """Whether the outputs agree within :data:`TOLERANCE` of the output's scale."""
    return comparison.relative <= TOLERANCE
