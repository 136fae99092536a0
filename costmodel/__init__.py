"""costmodel: exact static cost model of convolutional networks.

``costmodel.analyze(path, alpha=..., resolution=...)`` returns an
:class:`~costmodel.analysis.result.Analysis` with totals, per-layer, per-block and per-op
views. Heavy modules load on first use, so the CLI starts fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["analyze", "sweep", "SpecError", "__version__"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "analyze":
        from costmodel.api import analyze

        return analyze
    if name == "sweep":
        from costmodel.analysis.sweep import sweep

        return sweep
    if name == "SpecError":
        from costmodel.errors import SpecError

        return SpecError
    raise AttributeError(f"module 'costmodel' has no attribute {name!r}")
