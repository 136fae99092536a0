"""Budgets for CI: ``report --budget maccs=300M,params=3.5M,peak_memory=1MiB,latency=5ms``.

A budget is ``METRIC=AMOUNT[UNIT]``: counts take K, M, G, T (powers of 1000: 3.5M =
3,500,000); ``mem_access`` and ``peak_memory`` take bytes too (B, KB, MB, GB or KiB, MiB,
GiB: then compared in bytes at ``--dtype``); ``latency`` takes us, ms or s (predicted from
the device profile of ``--latency``, the shipped one by default). Exact arithmetic
throughout: 3.5M is 3,500,000 exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from costmodel.arith import parse_decimal
from costmodel.commands.common import split_list
from costmodel.errors import SpecError
from costmodel.units import DTYPE_BYTES, readable

__all__ = ["Limit", "parse_amount", "parse_limits", "exceeded", "BUDGET_METRICS"]

COUNT = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
TIME = {"us": Fraction(1), "µs": Fraction(1), "ms": Fraction(1000), "s": Fraction(10**6)}
BUDGET_METRICS = ("params", "maccs", "mem_access", "elementwise", "fragments", "peak_memory", "latency")
_AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([A-Za-zµ]*)")  # ASCII digits (\d would read ٣ as 3)


@dataclass(frozen=True)
class Limit:
    """``metric`` may be at most ``amount`` in ``unit`` (count, bytes or µs)."""

    metric: str
    amount: Fraction
    unit: str
    text: str


def parse_amount(text: str, units: dict[str, Any]) -> tuple[Fraction, str] | None:
    """``"3.5M"`` → (3500000, "M") for the unit table ``units``; None if it does not parse.
    Raises :class:`SpecError` for a number of more than MAX_DIGITS digits."""
    match = _AMOUNT.fullmatch(text.strip())
    if not match or match[2] not in units:
        return None
    return Fraction(parse_decimal(match[1])) * units[match[2]], match[2]


def parse_limits(text: str) -> list[Limit]:
    """Every ``METRIC=AMOUNT[UNIT]`` of a comma-separated budget. Raises :class:`SpecError`,
    also for an empty item (``maccs=1M,,``) and a metric given twice (which one is meant?)."""
    limits: list[Limit] = []
    for item in split_list(text, "budget"):
        name, _, value = (part.strip() for part in item.partition("="))
        if name not in BUDGET_METRICS:
            raise SpecError(f"budget '{item}': unknown metric '{name}' (one of {', '.join(BUDGET_METRICS)})")
        if any(limit.metric == name for limit in limits):
            raise SpecError(f"budget '{text}': '{name}' is given twice; give it once")
        tables = ([("µs", TIME)] if name == "latency" else
                  [("", COUNT)] + ([("B", BYTES)] if name in ("mem_access", "peak_memory") else []))
        for unit, table in tables:
            parsed = parse_amount(value, table)
            if parsed is not None:
                limits.append(Limit(name, parsed[0], unit, item))
                break
        else:
            units = ", ".join(u for _, table in tables for u in table if u)
            raise SpecError(f"budget '{item}': expected {name}=NUMBER with a unit among {units}"
                            + (" (or none)" if name != "latency" else ""))
    return limits


def measured(limit: Limit, totals: dict[str, Any], dtype_bytes: int, latency_us: float | None) -> Any:
    """The value a limit is compared with, in the limit's unit."""
    if limit.metric == "latency":
        return latency_us
    value = totals[limit.metric]
    return value * dtype_bytes if limit.unit == "B" else value


def exceeded(limits: list[Limit], totals: dict[str, Any], dtype: str,
             latency_us: float | None = None) -> list[str]:
    """One line per limit exceeded: ``maccs 300,774,272 > budget 300M (by 0.26 %)``."""
    lines = []
    for limit in limits:
        value = measured(limit, totals, DTYPE_BYTES[dtype], latency_us)
        if value is None or value <= limit.amount:
            continue
        shown = readable(value, 0, grouping=True)  # exact below 10¹⁵ (counts are ints)
        shown += " µs" if limit.metric == "latency" else " bytes" if limit.unit == "B" else ""
        excess = 100 * (Fraction(value) / limit.amount - 1) if limit.amount else None
        lines.append(f"budget exceeded: {limit.metric} {shown} > {limit.text.split('=', 1)[1]}"
                     + (f" (by {readable(excess, 2)} %)" if excess is not None else ""))
    return lines

