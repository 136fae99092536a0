"""The one place sympy symbols for spec parameters are created."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["parameter_symbol"]


@cache
def parameter_symbol(name: str) -> Any:
    """The symbol for a declared parameter: positive, otherwise unconstrained.

    Not declared integer, so a width multiplier and a resolution are treated alike; every
    rounding in a formula stays an explicit floor/ceiling and the result stays exact.
    """
    import sympy

    return sympy.Symbol(name, positive=True)
