"""Build small specs in tests from Python data."""

from __future__ import annotations

from typing import Any

from costmodel.analysis.result import Analysis
from costmodel.graph import build
from costmodel.spec.load import parse_spec


def analyze_layers(layers: list[dict[str, Any]], input_shape: list[Any] = (3, 8, 8), **extra: Any) -> Analysis:
    """Analyze a spec made of ``layers`` on an input of ``input_shape`` (C, H, W)."""
    data = {"model": "test", "input": list(input_shape), "layers": layers, **extra}
    return Analysis(build(parse_spec(data), "test.yaml"))


def only(analysis: Analysis, name: str):
    """The row of layer ``name``."""
    return next(row for row in analysis.layers if row.name == name)
