"""The transform registry: spec → spec rewrites of a flat network, each with its weight map.

A transform takes a :class:`FlatNet` and, optionally, the weights of its layers (node name
→ {field → array}, as the reference forward uses them) and returns the rewritten network
and the weights that make it compute the same function (``None`` in, ``None`` out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from costmodel.transforms.flat import FlatNet

__all__ = ["Weights", "TransformDef", "TRANSFORMS", "register_transform"]

Weights = dict[str, dict[str, np.ndarray]]

Rewrite = Callable[[FlatNet, Weights | None], tuple[FlatNet, Weights | None]]


@dataclass(frozen=True)
class TransformDef:
    """A registered transform: its name (the CLI flag without dashes) and rewrite."""

    name: str
    rewrite: Rewrite
    help: str


TRANSFORMS: dict[str, TransformDef] = {}
"""Name → transform, in the order they are applied."""


def register_transform(name: str, help: str) -> Callable[[Rewrite], Rewrite]:
    """Register ``rewrite`` under ``name``; duplicates are refused."""

    def decorate(rewrite: Rewrite) -> Rewrite:
        if name in TRANSFORMS:
            raise ValueError(f"transform '{name}' is registered twice")
        TRANSFORMS[name] = TransformDef(name, rewrite, help)
        return rewrite

    return decorate
