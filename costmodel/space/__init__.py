"""Search spaces: every subnet of a spec with choices, costed exactly by dynamic programming
over its stages (costmodel.space.graph → dp, distribution, sample → stats)."""

from __future__ import annotations

from costmodel.space.graph import ADDITIVE_METRICS, Space, build_space, register_metric
from costmodel.space.stats import SpaceStats

__all__ = ["ADDITIVE_METRICS", "Space", "SpaceStats", "build_space", "register_metric"]
