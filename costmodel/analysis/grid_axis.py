"""One swept parameter's values, exact and vectorized: value i is ``tops[i] / den``.

``tops`` is an integer numpy array (int64 where every numerator fits with room to spare,
Python ints otherwise) and ``den`` > 0 the least common denominator. A million-value range
is one ``arange`` — no Fraction per value — and what a sweep asks of its axes (the lanes'
numerators, a value's position, csv labels, floats for a plot) is one array operation.
Indexing gives exact numbers (``int`` when whole, else a reduced ``Fraction``), so an
:class:`Axis` is a ``Sequence`` of numbers wherever a list of them was used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import overload

import numpy as np

__all__ = ["Axis"]

Number = int | Fraction

_SAFE = 2**62
"""int64 numerators stay below this (sums of two still fit)."""


class Axis(Sequence[Number]):
    """The values ``tops[i] / den`` (see the module docstring)."""

    __slots__ = ("tops", "den")

    def __init__(self, tops: np.ndarray, den: int = 1) -> None:
        if den <= 0:
            raise ValueError("an axis's denominator is positive")
        common = math.gcd(den, _gcd(tops)) if den > 1 and len(tops) else den
        self.tops = tops // common if common > 1 else tops
        self.den = den // common

    @classmethod
    def of(cls, values: Iterable[Number]) -> Axis:
        """The axis of exact numbers (ints and Fractions)."""
        if isinstance(values, Axis):
            return values
        values = list(values)
        den = math.lcm(1, *{v.denominator for v in values if not isinstance(v, int)})
        tops = [v * den if isinstance(v, int) else v.numerator * (den // v.denominator) for v in values]
        return cls(_array(tops, max(map(abs, tops), default=0)), den)

    @classmethod
    def range(cls, start: Number, step: Number, count: int) -> Axis:
        """start, start + step, …, ``count`` values: over D = lcm of the denominators of
        start and step, value i is (start·D + i·step·D) / D — integer arithmetic only."""
        den = math.lcm(Fraction(start).denominator, Fraction(step).denominator)
        first, stride = int(start * den), int(step * den)
        last = first + (count - 1) * stride
        if max(abs(first), abs(last)) < _SAFE:
            return cls(first + stride * np.arange(count, dtype=np.int64), den)
        return cls(_array(list(range(first, first + count * stride, stride))[:count], _SAFE), den)

    def __len__(self) -> int:
        return len(self.tops)

    @overload
    def __getitem__(self, index: int) -> Number: ...

    @overload
    def __getitem__(self, index: slice) -> Axis: ...

    def __getitem__(self, index: int | slice) -> Number | Axis:
        if isinstance(index, slice):
            return Axis(self.tops[index], self.den)
        top = int(self.tops[index])
        if self.den == 1:
            return top
        value = Fraction(top, self.den)
        return value.numerator if value.denominator == 1 else value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(map(str, self[:6]))
        return f"Axis([{shown}{', …' if len(self) > 6 else ''}], {len(self)} values)"

    def position(self, value: Number) -> int | None:
        """The first index holding ``value`` (None: not on the axis), by one comparison of
        integers over the axis's denominator."""
        scaled = Fraction(value) * self.den
        if scaled.denominator != 1:
            return None
        hits = np.flatnonzero(self.tops == scaled.numerator)
        return int(hits[0]) if hits.size else None

    def labels(self, index: np.ndarray | None = None) -> list[str]:
        """The values at ``index`` (all by default) as text, as ``str`` writes a number:
        ``3``, ``3/4``."""
        tops = self.tops if index is None else self.tops[index]
        if self.den == 1:
            return tops.astype(str).tolist() if tops.dtype != object else [str(v) for v in tops]
        common = np.gcd(tops, self.den)
        nums, dens = (tops // common).tolist(), (self.den // common).tolist()
        return [f"{n}/{d}" if d != 1 else str(n) for n, d in zip(nums, dens)]

    def floats(self) -> np.ndarray:
        """The values as floats (nearest; for plots and fits only, never a count)."""
        if self.tops.dtype != object:
            return self.tops / self.den
        return np.array([float(Fraction(int(t), self.den)) for t in self.tops])


def _array(tops: list[int], bound: int) -> np.ndarray:
    return np.array(tops, dtype=object if bound >= _SAFE else np.int64)


def _gcd(tops: np.ndarray) -> int:
    if tops.dtype == object:
        return math.gcd(*(int(v) for v in tops))
    return int(np.gcd.reduce(tops))
