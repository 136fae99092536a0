"""Units: bytes per element of each dtype, and human-readable numbers (3504872 → '3.50 M',
300774272 → '300.8 M') for messages and renderers alike."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = ["human", "DTYPE_BYTES", "to_bytes", "human_bytes", "readable"]

DTYPE_BYTES = {"fp32": 4, "fp16": 2, "int8": 1}
"""Bytes per element of each ``--dtype``."""


def to_bytes(elements: Any, dtype: str) -> Any:
    """``elements`` × the size of ``dtype`` (mem_access_bytes, peak_memory_bytes)."""
    return elements * DTYPE_BYTES[dtype]

_PREFIXES = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))
_SCIENTIFIC = 10**15
"""From here on (1000 T) numbers are shown as 1.23e+15: a prefix would not help, and a float
quotient overflows above 1e308 (a total may have up to MAX_DIGITS digits and more)."""


def _scientific(value: int) -> str:
    """Three significant digits in scientific notation, computed exactly (Decimal, no float)."""
    return f"{Decimal(value):.2e}"


def human(value: Any) -> str:
    """Three or four significant digits with an SI prefix; exact below 1000.

    Symbolic values are returned as text.
    """
    if not isinstance(value, int):
        return str(value)
    if abs(value) >= _SCIENTIFIC:
        return _scientific(value)
    for scale, prefix in _PREFIXES:
        if abs(value) >= scale:
            scaled = value / scale
            return f"{scaled:.2f} {prefix}" if abs(scaled) < 10 else f"{scaled:.1f} {prefix}"
    return str(value)


def readable(value: Any, decimals: int = 1, grouping: bool = False) -> str:
    """A measured or predicted figure (float, Fraction or int) as fixed-point text with
    ``decimals`` places (``grouping``: thousands separators) below 10¹⁵ in magnitude, else
    three significant digits in scientific notation (5.44e+191), computed without a float
    where the value is exact (an int or Fraction beyond 1e308 does not overflow); "inf" or
    "nan" for a float that is one. No echoed figure runs to hundreds of digits; an int below
    10¹⁵ (< 2⁵³) is shown exactly."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if abs(value) >= _SCIENTIFIC:
        exact = Decimal(value) if not isinstance(value, Fraction) else Decimal(value.numerator) / value.denominator
        return f"{exact:.2e}"
    return f"{float(value):,.{decimals}f}" if grouping else f"{float(value):.{decimals}f}"


def human_bytes(value: Any) -> str:
    """Bytes in binary units: 1536 → '1.50 KiB'."""
    if not isinstance(value, int):
        return f"{value} B"
    if abs(value) >= _SCIENTIFIC:
        return f"{_scientific(value)} B"
    for power, unit in ((3, "GiB"), (2, "MiB"), (1, "KiB")):
        if abs(value) >= 1024**power:
            scaled = value / 1024**power
            return f"{scaled:.2f} {unit}" if abs(scaled) < 10 else f"{scaled:.1f} {unit}"
    return f"{value} B"
