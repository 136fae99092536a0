"""Reference kernels of the run-time normalizations: layernorm, groupnorm, softmax.

Each reads its input once, runs one counted statistics reduction over it (`Meter.reduce`:
every element combined once) and one counted element-wise normalization (`Meter.apply`),
and writes its output once; γ and β are read once each.
"""

from __future__ import annotations

import numpy as np

from costmodel.reference.meter import Meter

__all__ = ["LN_EPS", "layernorm", "groupnorm", "softmax"]

LN_EPS = 1e-5
"""Epsilon of layernorm and groupnorm (PyTorch's default)."""


def _moments(x: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """[mean, variance] over `axis` (kept as size-1 axes), stacked on a new first axis."""
    mean = x.mean(axis=axis, keepdims=True)
    return np.stack([mean, np.square(x - mean).mean(axis=axis, keepdims=True)])


def _normalized(meter: Meter, x: np.ndarray, axis: tuple[int, ...], eps: float) -> np.ndarray:
    mean, var = meter.reduce(_moments, x, axis=axis)
    return meter.apply(lambda v: (v - mean) / np.sqrt(var + eps), x)


def layernorm(meter: Meter, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, axis: int,
              eps: float = LN_EPS) -> np.ndarray:
    """(x − mean)/√(var + ε)·γ + β with statistics over `axis` (the channels)."""
    x, gamma, beta = meter.load(x), meter.load(gamma), meter.load(beta)
    axis %= x.ndim
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    y = _normalized(meter, x, (axis,), eps)
    return meter.store(_affine(y, gamma.reshape(shape), beta.reshape(shape)))


def groupnorm(meter: Meter, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, groups: int,
              eps: float = LN_EPS) -> np.ndarray:
    """[N, C, H, W] normalized over each group of C/groups channels and H×W, then γ, β.

    Raises:
        ValueError: channels not divisible by `groups`.
    """
    n, c, h, w = x.shape
    if c % groups:
        raise ValueError(f"groupnorm: {c} channels not divisible by groups={groups}")
    x, gamma, beta = meter.load(x), meter.load(gamma), meter.load(beta)
    y = _normalized(meter, x.reshape(n, groups, c // groups, h, w), (2, 3, 4), eps)
    return meter.store(_affine(y.reshape(n, c, h, w), gamma.reshape(-1, 1, 1),
                               beta.reshape(-1, 1, 1)))


def _affine(y: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """y·γ + β in place: part of the counted normalization, one pass in a fused kernel."""
    np.multiply(y, gamma, out=y)
    return np.add(y, beta, out=y)


def _log_sum_exp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))


def softmax(meter: Meter, x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x − logΣexp(x)) along `axis`, stable for large inputs."""
    x = meter.load(x)
    lse = meter.reduce(_log_sum_exp, x, axis=axis)
    return meter.store(meter.apply(lambda v: np.exp(v - lse), x))
