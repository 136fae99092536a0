"""Search spaces: every subnet of a spec with choices, costed exactly by dynamic programming
over its stages (costmodel.space.graph → dp, distribution, sample → stats; distributed and
worker for questions that do not decompose). Names load on first use, so a Dask worker
importing :mod:`costmodel.space.worker` pulls in nothing else."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["ADDITIVE_METRICS", "Space", "SpaceStats", "build_space", "register_metric"]

_HOME = {"ADDITIVE_METRICS": "graph", "Space": "graph", "build_space": "graph",
         "register_metric": "graph", "SpaceStats": "stats"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f"costmodel.space.{_HOME[name]}"), name)
    raise AttributeError(f"module 'costmodel.space' has no attribute {name!r}")
