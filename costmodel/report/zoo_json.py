"""The zoo as JSON (``costmodel zoo --format json``): exact numbers, published figures as
exact text."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from costmodel.report.formats import ReportOptions, as_number, exact, exact_texts, to_json_data
from costmodel.zoo import ZooEntry

__all__ = ["to_json"]


def to_json(entries: list[ZooEntry]) -> list[dict[str, Any]]:
    """``[{"spec", "variant", "bindings" (numbers; "exact_bindings": the fractions as text), "totals", "elementwise_mem_access", "published",
    "source", "reason"}]`` with exact numbers (published values as exact text)."""
    return [{
        "spec": entry.spec,
        "variant": entry.name,
        "bindings": {name: as_number(value) for name, value in entry.analysis.bindings.items()},
        "exact_bindings": exact_texts(entry.analysis.bindings),
        "totals": to_json_data(entry.analysis, ReportOptions(totals_only=True))["totals"],
        "elementwise_mem_access": exact(entry.analysis.elementwise_mem_access),
        "published": {metric: {"value": exact(_int(figure.value)),
                               "tolerance": exact(_int(figure.tolerance)), "text": figure.text}
                      for metric, figure in entry.published.items()},
        "source": entry.variant.source,
        "reason": dict(entry.variant.reason),
    } for entry in entries]


def _int(value: Fraction) -> Any:
    return int(value) if value.denominator == 1 else value
