"""Conv branches as (weight, bias) pairs: the arithmetic shared by BN folding and
re-parameterization (Ding et al., "RepVGG", CVPR 2021, §3.3)."""

from __future__ import annotations

import numpy as np

from costmodel.reference.kernels import BN_EPS

__all__ = ["fold_bn_into", "identity_kernel", "pad_kernel"]

Params = dict[str, np.ndarray]


def fold_bn_into(weight: np.ndarray, bias: np.ndarray | None, bn: Params,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """BN(conv(x)) as one conv: w′ = w·γ/√(σ²+ε), b′ = (b − μ)·γ/√(σ²+ε) + β (per output)."""
    scale = bn["gamma"] / np.sqrt(bn["var"] + BN_EPS)
    bias = np.zeros(weight.shape[0], weight.dtype) if bias is None else bias
    return weight * scale.reshape(-1, *[1] * (weight.ndim - 1)), (bias - bn["mean"]) * scale + bn["beta"]


def identity_kernel(channels: int, groups: int, dtype: np.dtype) -> np.ndarray:
    """A 1×1 kernel [C, C/groups, 1, 1] of a grouped conv that copies its input."""
    per_group = channels // groups
    weight = np.zeros((channels, per_group, 1, 1), dtype)
    weight[np.arange(channels), np.arange(channels) % per_group, 0, 0] = 1
    return weight


def pad_kernel(weight: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``weight`` centred in a ``size`` kernel of zeros (sizes differ by even amounts)."""
    dh, dw = size[0] - weight.shape[2], size[1] - weight.shape[3]
    return np.pad(weight, ((0, 0), (0, 0), (dh // 2, dh - dh // 2), (dw // 2, dw - dw // 2)))
