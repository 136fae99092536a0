"""Published figures: a paper's rounded count, written as the paper prints it.

``"2.3e6"`` means 2.25 M … 2.35 M (half a unit of the last digit written); an integer
means exactly that count. Parsed by :func:`costmodel.arith.decimal_parts`: ASCII decimal
text of bounded size only, so ``"NaN"`` or ``"1e999999999"`` is an error, not a hang.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from costmodel.arith import decimal_parts
from costmodel.errors import SpecError

__all__ = ["Published", "published_figure"]


@dataclass(frozen=True)
class Published:
    """A published figure: its exact ``value``, the ``tolerance`` its rounding allows,
    and the ``text`` as written."""

    value: Fraction
    tolerance: Fraction
    text: str

    def admits(self, count: int) -> bool:
        """True when ``count`` rounds to this figure."""
        return abs(count - self.value) <= self.tolerance


def published_figure(value: Any) -> Published:
    """``"2.3e6"`` → 2300000 ± 50000; ``146000000`` → exact. Raises :class:`SpecError`."""
    text = str(value).strip()
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SpecError(f"published figure {text!r} is not a number such as 2.3e6 "
                        "(write a rounded figure as text, e.g. \"2.3e6\")")
    try:
        mantissa, exponent = decimal_parts(text)
    except SpecError as error:
        raise SpecError(f"published figure {text!r} is not a number such as 2.3e6 ({error.message})") from None
    scale = Fraction(10) ** exponent
    return Published(mantissa * scale, Fraction(1, 2) * scale, text)
