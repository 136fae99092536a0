"""Run an imported ONNX model twice — in costmodel's numpy reference with the model's own
weights, and in onnxruntime — and compare the outputs: the import computes what the ONNX
computes, not only what it costs."""

from __future__ import annotations

from typing import Any

import numpy as np

from costmodel.errors import SpecError
from costmodel.graph import Network
from costmodel.reference.forward import Weights, forward, random_input
from costmodel.transforms.apply import Equivalence

__all__ = ["agree", "compare_outputs", "TOLERANCE"]

_INPUT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64}
"""onnxruntime's input types the float32 test input is given as (cast)."""

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
    options.log_severity_level = 4  # ORT's warnings ("Removing initializer …") would reach the
    # terminal as extra lines in colour escapes; errors are raised anyway
    try:  # a model ONNX's rules refuse (mixed element types, …): onnxruntime's first line
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        feed = session.get_inputs()[0]
        if feed.type not in _INPUT_TYPES:
            raise SpecError(f"onnxruntime cannot be fed its input '{feed.name}' of {feed.type}; "
                            "float, float16 or double is compared", path=path)
        theirs: Any = session.run(None, {feed.name: x.astype(_INPUT_TYPES[feed.type])})[0]
    except SpecError:
        raise
    except Exception as error:  # onnxruntime's own exception classes (Fail, InvalidGraph, …)
        text = " ".join(str(error).split())
        raise SpecError(f"onnxruntime cannot run this model: {text[:300]}", path=path) from None
    theirs = np.asarray(theirs, np.float64).reshape(np.shape(ours))
    return Equivalence(float(np.max(np.abs(ours - theirs))), float(np.max(np.abs(theirs))))


def agree(comparison: Equivalence) -> bool:
    """Whether the outputs agree within :data:`TOLERANCE` of the output's scale."""
    return comparison.relative <= TOLERANCE
