"""Exact values over a grid of parameter values: a build of every grid point at once.

A sweep binds each swept parameter to a :class:`Lanes` holding all its grid values along
its own axis; the ordinary numeric build (formulas, blocks, expressions) then runs once
and every value it computes is the exact value at every point. A value is a sum of
*terms*, each a product of *factors*; a factor is an integer numpy array over the axes
it depends on (size 1 along the others) divided by a common positive denominator.
Products of values on different axes stay factored (C_out·k² on the width axis times
H′·W′ on the resolution axis is two small vectors, not a grid), so a whole network's
totals cost O(nodes · axis length); :func:`gather` multiplies them out at the end.

Every operation is exact: int64 where a bound proves no overflow, Python ints (object
arrays) otherwise; rationals keep a common denominator; ⌊⌋, ⌈⌉, round, //, % and
comparisons work lane by lane. A Python decision on a value (``if c_in == out``,
``range(repeat)``, ``int(x)``) returns its answer when every lane agrees and raises
:class:`Diverged` otherwise: the sweep then splits the lanes by the outcome and builds each
part again — one build per structure met, each exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["Lanes", "Diverged", "Gathered", "axis_over", "minimum", "maximum", "gather", "reuse_memory"]

_SAFE = 2**62
"""int64 results stay below this (a sum of two such values still fits)."""

Number = int | Fraction


class Diverged(Exception):
    """A decision whose outcome differs between lanes. ``key`` holds each lane's outcome
    (an integer array shaped like the lanes); equal keys took the same branch."""

    def __init__(self, key: np.ndarray) -> None:
        super().__init__("a decision differs between grid points")
        self.key = key


class _Factor:
    """``num / den``: ``num`` an int64 or object array with one dimension per grid axis."""

    __slots__ = ("num", "den", "bound", "axes", "single")

    def __init__(self, num: np.ndarray, den: int = 1, bound: int | None = None) -> None:
        if num.dtype == bool:
            num = num.astype(np.int64)
        self.num, self.den = num, den
        self.bound = _bound(num) if bound is None else bound
        self.axes = _AXES.get(num.shape) or _axes(num.shape)
        """The grid axes the factor depends on."""
        self.single: Number | None | bool = False
        """The value when every lane holds the same one, None if not; False: not known yet."""

    @property
    def shape(self) -> tuple[int, ...]:
        return self.num.shape

    def scaled(self, factor: int) -> np.ndarray:
        """``num · factor`` (object dtype when int64 could overflow)."""
        if factor == 1:
            return self.num
        return _wide(self.num, self.bound * abs(factor)) * factor

    def reduced(self) -> _Factor:
        """The same value with the smallest common denominator."""
        if self.den == 1:
            return self
        common = math.gcd(self.den, _gcd(self.num))
        if common == 1:
            return self
        return _Factor(self.num // common, self.den // common, self.bound // common)


_AXES: dict[tuple[int, ...], frozenset[int]] = {}


def _axes(shape: tuple[int, ...]) -> frozenset[int]:
    _AXES[shape] = axes = frozenset(i for i, n in enumerate(shape) if n > 1)
    return axes


def _bound(num: np.ndarray) -> int:
    """max |num| (0 for no lanes)."""
    if num.size <= 1:
        return abs(int(num.flat[0])) if num.size else 0
    return max(int(num.max()), -int(num.min()))


def _gcd(num: np.ndarray) -> int:
    if num.dtype == object:
        return math.gcd(*(int(v) for v in num.flat))
    return int(np.gcd.reduce(num.reshape(-1)))


def _wide(num: np.ndarray, bound: int) -> np.ndarray:
    """``num`` as Python ints when a result up to ``bound`` would not fit in int64."""
    return num.astype(object) if bound >= _SAFE and num.dtype != object else num


def _product(a: _Factor, b: _Factor) -> _Factor:
    bound = a.bound * b.bound
    return _Factor(_wide(a.num, bound) * _wide(b.num, bound), a.den * b.den, bound).reduced()


def _sum(a: _Factor, b: _Factor, subtract: bool = False) -> _Factor:
    """a + b, or a − b (one pass over the lanes, not a negation and a sum)."""
    den = math.lcm(a.den, b.den)
    sa, sb = den // a.den, den // b.den
    bound = a.bound * sa + b.bound * sb
    left, right = _wide(a.scaled(sa), bound), _wide(b.scaled(sb), bound)
    return _Factor(left - right if subtract else left + right, den, bound).reduced()


Term = tuple[_Factor, ...]
"""A product of factors on pairwise disjoint axes."""


def _term_product(a: Term, b: Term) -> Term:
    if len(a) == 1 == len(b):  # the common case: two factors, merged or kept apart
        x, y = a[0], b[0]
        return (_product(x, y),) if not x.axes or not y.axes or x.axes & y.axes else (x, y)
    factors = list(a)
    for factor in b:
        while True:  # merge with every factor sharing an axis (or a constant)
            axes = factor.axes
            overlap = next((i for i, f in enumerate(factors)
                            if not axes or not f.axes or axes & f.axes), None)
            if overlap is None:
                break
            factor = _product(factors.pop(overlap), factor)
        factors.append(factor)
    return tuple(factors)


def _comparison(op: Any) -> Callable[[Lanes, Any], Any]:
    """A comparison operator of :class:`Lanes`: 0/1 lanes of ``op`` (a numpy ufunc)."""

    def compare(self: Lanes, other: Any) -> Any:
        return self._compare(other, op)

    return compare


class Lanes:
    """An exact value at every point of a grid (see the module docstring)."""

    __slots__ = ("terms", "ndim", "_dense")
    __array_ufunc__ = None  # numpy defers to our operators
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, terms: Sequence[Term], ndim: int) -> None:
        self.terms = tuple(terms)
        self.ndim = ndim
        self._dense: _Factor | None = None

    # -- construction ------------------------------------------------------------------
    @classmethod
    def _constant(cls, value: Number, ndim: int) -> Lanes:
        key = (value, ndim)
        if key not in _CONSTANTS:
            exact = Fraction(value)
            top = exact.numerator
            num = np.array(top, dtype=np.int64 if abs(top) < _SAFE else object).reshape((1,) * ndim)
            factor = _Factor(num, exact.denominator, abs(top))
            if len(_CONSTANTS) > 4096:
                _CONSTANTS.clear()
            _CONSTANTS[key] = cls([(factor,)], ndim)
        return _CONSTANTS[key]

    def _scaled(self, factor: Number) -> Lanes:
        """``self · factor`` for a number: the first factor of each term scaled (``self``
        for 1: lanes are never changed in place)."""
        if factor == 1:
            return self
        if isinstance(factor, int):
            top, bottom = factor, 1
        else:
            top, bottom = factor.numerator, factor.denominator
        terms = []
        for first, *rest in self.terms:
            bound = first.bound * abs(top)
            scaled = _Factor(_wide(first.num, bound) * top, first.den * bottom, bound)
            terms.append((scaled.reduced() if bottom != 1 else scaled, *rest))
        return Lanes(terms, self.ndim)

    def _coerce(self, other: Any) -> Lanes | None:
        if isinstance(other, Lanes):
            return other
        if isinstance(other, (int, Fraction)):
            return Lanes._constant(other, self.ndim)
        return None

    def dense(self) -> _Factor:
        """One factor over every axis the value depends on (terms multiplied out)."""
        if self._dense is None:
            if len(self.terms) == 1 and len(self.terms[0]) == 1:
                self._dense = self.terms[0][0]
            else:
                total: _Factor | None = None
                for term in self.terms:
                    value = term[0]
                    for factor in term[1:]:
                        value = _product(value, factor)
                    total = value if total is None else _sum(total, value)
                self._dense = total if total is not None else _Factor(
                    np.zeros((1,) * self.ndim, dtype=np.int64))
        return self._dense

    def uniform(self) -> Number | None:
        """The value when every lane holds the same one, else None (also, without
        multiplying them out, for a sum or product of several factors)."""
        if len(self.terms) > 1 or len(self.terms[0]) > 1:
            return None
        factor = self.terms[0][0]
        if factor.single is False:
            num = factor.num
            if num.size > 1 and num.max() != num.min():
                factor.single = None
            else:
                first = int(num.flat[0]) if num.size else 0
                value = Fraction(first, factor.den)
                factor.single = value.numerator if value.denominator == 1 else value
        return factor.single

    def whole(self) -> bool:
        """Whether every lane is an integer."""
        factor = self.dense()
        return factor.den == 1 or not np.any(factor.num % factor.den)

    # -- arithmetic --------------------------------------------------------------------
    def __add__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else self._plus(value)

    __radd__ = __add__

    def _plus(self, value: Lanes, subtract: bool = False) -> Lanes:
        """self + value, or self − value: one factor when both are one factor on nested
        axes, else the terms side by side."""
        if len(self.terms) == 1 == len(value.terms) and len(self.terms[0]) == 1 == len(value.terms[0]):
            a, b = self.terms[0][0], value.terms[0][0]
            if a.axes >= b.axes or b.axes >= a.axes:
                return Lanes([(_sum(a, b, subtract),)], self.ndim)
        return Lanes(self.terms + (value * -1 if subtract else value).terms, self.ndim)

    def __neg__(self) -> Lanes:
        return self * -1

    def __pos__(self) -> Lanes:
        return self

    def __sub__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else self._plus(value, subtract=True)

    def __rsub__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else value._plus(self, subtract=True)

    def __mul__(self, other: Any) -> Lanes:
        if isinstance(other, (int, Fraction)):
            return self._scaled(other)
        value = self._coerce(other)
        if value is None:
            return NotImplemented
        return Lanes([_term_product(a, b) for a in self.terms for b in value.terms], self.ndim)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Lanes:
        if isinstance(other, (int, Fraction)):
            if other == 0:
                raise ZeroDivisionError("division by zero")
            return self._scaled(1 / Fraction(other))
        value = self._coerce(other)
        return NotImplemented if value is None else _divide(self.dense(), value.dense(), self.ndim)

    def __rtruediv__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else value / self

    def __floordiv__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        if value is None:
            return NotImplemented
        a, b = self.dense(), value.dense()
        if np.any(b.num == 0):
            raise ZeroDivisionError("division by zero")
        left, right = _cross(a, b)
        return _lanes(left // right, 1, self.ndim, a.bound * b.den)  # |l // r| ≤ |l|

    def __rfloordiv__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else value // self

    def __mod__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else self - value * (self // value)

    def __rmod__(self, other: Any) -> Lanes:
        value = self._coerce(other)
        return NotImplemented if value is None else value % self

    def __pow__(self, exponent: Any) -> Lanes:
        if not isinstance(exponent, int):
            return NotImplemented
        result: Lanes = Lanes._constant(1, self.ndim)
        for _ in range(abs(exponent)):
            result = result * self
        return result if exponent >= 0 else 1 / result

    def __abs__(self) -> Lanes:
        factor = self.dense()
        return _lanes(np.abs(factor.num), factor.den, self.ndim, factor.bound)

    def __floor__(self) -> Lanes:
        factor = self.dense()
        return self if factor.den == 1 else _lanes(factor.num // factor.den, 1, self.ndim,
                                                   factor.bound // factor.den + 1)

    def __ceil__(self) -> Lanes:
        factor = self.dense()
        return self if factor.den == 1 else _lanes(-(-factor.num // factor.den), 1, self.ndim,
                                                   factor.bound // factor.den + 1)

    def __round__(self, ndigits: None = None) -> Lanes:
        """Nearest integer, ties to even (Python's ``round``)."""
        factor = self.dense()
        if factor.den == 1:
            return self
        quotient = factor.num // factor.den
        remainder = factor.num - quotient * factor.den
        up = (2 * remainder > factor.den) | ((2 * remainder == factor.den) & (quotient % 2 == 1))
        return _lanes(quotient + up, 1, self.ndim, factor.bound // factor.den + 1)

    # -- comparisons: 0/1 lanes --------------------------------------------------------
    def _compare(self, other: Any, op: Any) -> Lanes:
        value = self._coerce(other)
        if value is None:
            return NotImplemented
        left, right = _cross(self.dense(), value.dense())
        return _lanes(op(left, right), 1, self.ndim, 1)

    __lt__ = _comparison(np.less)
    __le__ = _comparison(np.less_equal)
    __gt__ = _comparison(np.greater)
    __ge__ = _comparison(np.greater_equal)
    __eq__ = _comparison(np.equal)
    __ne__ = _comparison(np.not_equal)

    # -- decisions: one answer, or Diverged --------------------------------------------
    def __bool__(self) -> bool:
        num = self.dense().num
        count = np.count_nonzero(num)
        if count == num.size:
            return True
        if not count:
            return False
        raise Diverged(num != 0)

    def _single(self) -> Number:
        value = self.uniform()
        if value is None:
            raise Diverged(self.dense().num)
        return value

    def __int__(self) -> int:
        return int(self._single())

    __index__ = __int__

    def __float__(self) -> float:
        return float(self._single())

    # -- text (error messages) -----------------------------------------------------------
    def __str__(self) -> str:
        value = self.uniform()
        if value is not None:
            return str(value)
        factor = self.dense()
        low, high = (Fraction(int(f(factor.num)), factor.den) for f in (np.min, np.max))
        return f"{_show(low)}…{_show(high)}"

    def __repr__(self) -> str:
        return f"Lanes({self})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_CONSTANTS: dict[tuple[Number, int], Lanes] = {}
"""Constant lanes by (value, ndim): factors are never changed in place, so they are shared."""


def _show(value: Fraction) -> str:
    return str(value.numerator if value.denominator == 1 else value)


def _lanes(num: np.ndarray, den: int, ndim: int, bound: int | None = None) -> Lanes:
    """Lanes of one factor ``num / den``; ``bound`` ≥ max |num| when known (else measured)."""
    return Lanes([(_Factor(num, den, bound).reduced(),)], ndim)


def _cross(a: _Factor, b: _Factor) -> tuple[np.ndarray, np.ndarray]:
    """a.num·b.den and b.num·a.den: a and b over one denominator, compared or divided."""
    return a.scaled(b.den), b.scaled(a.den)


def _divide(a: _Factor, b: _Factor, ndim: int) -> Lanes:
    """a / b lane by lane, exact: over the least common denominator of the quotients."""
    if np.any(b.num == 0):
        raise ZeroDivisionError("division by zero")
    top, bottom = _cross(a, b)
    sign = np.where(bottom < 0, -1, 1)
    top, bottom = top * sign, bottom * sign
    if top.dtype != object and bottom.dtype != object:
        common = np.gcd(top, bottom)
        top, bottom = top // common, bottom // common
        den = math.lcm(*(int(d) for d in np.unique(bottom)))
        if den < _SAFE:
            scale = den // bottom
            bound = _bound(top) * _bound(scale)
            return _lanes(_wide(top, bound) * scale, den, ndim)
    pairs = np.frompyfunc(lambda t, d: Fraction(int(t), int(d)), 2, 1)(top, bottom)
    den = math.lcm(*(v.denominator for v in pairs.flat))
    return _lanes(np.frompyfunc(lambda v: v.numerator * (den // v.denominator), 1, 1)(pairs), den, ndim)


def reuse_memory() -> None:
    """Keep freed memory in the process for the next arrays (glibc only; elsewhere nothing).

    A build over lanes allocates thousands of arrays of up to a few hundred KB and holds
    many until its totals are gathered. By default glibc maps such arrays fresh from the
    kernel and returns them when freed, so every build pays a page fault per 4 KB it
    touches — measured, more than half of a 10⁶-lane sweep's time. Serving them from the
    heap and never trimming it lets each build reuse the memory of the one before (2–3×
    faster builds; the process keeps its peak memory until it exits). It changes malloc for
    the whole process, so the library never calls it: ``costmodel sweep`` does, in its own
    process; a program sweeping large grids may too."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return
    mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's largest: bigger arrays are still mapped


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
"""glibc's mallopt parameters (malloc.h)."""


def axis_over(num: np.ndarray, den: int, position: int, ndim: int) -> Lanes:
    """The lanes of one swept parameter: the values ``num``/``den`` (integer numerators over
    a positive denominator, as :class:`costmodel.analysis.grid_axis.Axis` holds them) along
    axis ``position`` of ``ndim``."""
    shape = [1] * ndim
    shape[position] = len(num)
    return _lanes(num.reshape(shape), den, ndim)


def _lanes_of(values: Sequence[Any]) -> list[Lanes]:
    ndim = next(v.ndim for v in values if isinstance(v, Lanes))
    return [v if isinstance(v, Lanes) else Lanes._constant(v, ndim) for v in values]


def _extreme(values: Sequence[Any], pick: Any) -> Lanes:
    lanes = _lanes_of(values)
    den = math.lcm(*(v.dense().den for v in lanes))
    scaled = [v.dense().scaled(den // v.dense().den) for v in lanes]
    common = [s.astype(object) for s in scaled] if any(s.dtype == object for s in scaled) else scaled
    result = common[0]
    for other in common[1:]:
        result = pick(result, other)
    return _lanes(result, den, lanes[0].ndim)


def minimum(*values: Any) -> Lanes:
    """min(x₁, …, xₙ) lane by lane (at least one argument a :class:`Lanes`)."""
    return _extreme(values, np.minimum)


def maximum(*values: Any) -> Lanes:
    """max(x₁, …, xₙ) lane by lane."""
    return _extreme(values, np.maximum)


class Gathered:
    """A sum of lanes over a grid, gathered for one matrix product: the value at row i
    (first axis) and column j (the other axes, flattened) is
    (Σ_k left[i, k]·right[k, j] + coupled[i, j]) / den."""

    def __init__(self, left: np.ndarray, right: np.ndarray, den: int, coupled: np.ndarray | None,
                 shape: tuple[int, ...]) -> None:
        self.left, self.right, self.den, self.coupled, self.shape = left, right, den, coupled, shape

    @property
    def fits(self) -> bool:
        """Whether int64 provably holds every partial sum (else Python ints are used)."""
        return self.left.dtype != object and self.right.dtype != object and (
            self.coupled is None or self.coupled.dtype != object)

    def write(self, out: np.ndarray | None = None, rows: slice = slice(None)) -> np.ndarray:
        """The values at ``rows`` of the first axis (all of them by default) over the other
        axes; written into ``out`` when given (an int64 array of that shape, possibly a
        view of a larger grid) with no new memory when int64 suffices. Raises ValueError
        when a value is not whole."""
        left = self.left[rows]
        shape = (len(left), *self.shape[1:])
        if out is not None and self.fits and out.dtype == np.int64 and out.ndim == 2:
            grid = out
            np.matmul(left, self.right, out=grid)
        else:
            grid = (left @ self.right if self.fits else left.dot(self.right)).reshape(len(left), -1)
        if self.coupled is not None:
            grid += self.coupled[rows].reshape(len(left), -1)
        if self.den != 1:
            if np.any(grid % self.den):
                raise ValueError("a total is not a whole number")
            grid //= self.den
        result = grid.reshape(shape)
        if out is not None and not np.shares_memory(result, out):
            out[...] = result
            return out
        return result


def gather(values: Sequence[Sequence[Any]], shape: Sequence[int]) -> list[Gathered]:
    """Each sum of ``values[i]`` (:class:`Lanes` or numbers) over a grid of ``shape``, as
    :class:`Gathered`: exact, in int64 when a bound proves every partial sum fits.

    Terms are gathered by their factor on the trailing axes (a spatial size such as H′·W′
    is shared by many nodes), so a sum is one matrix product, first axis × the rest:
    (``shape[0]`` × K) · (K × ``prod(shape[1:])``), K the distinct factors. A term coupling
    the first axis with another is added densely.
    """
    ndim, grid = len(shape), tuple(shape)
    columns_of: dict[tuple[bytes, np.dtype[Any], tuple[int, ...], int], int] = {}
    column_list: list[_Factor] = []
    results = []
    for summands in values:
        by_column: dict[int, list[_Factor]] = {}
        coupled: list[_Factor] = []
        for value in summands:
            terms = value.terms if isinstance(value, Lanes) else Lanes._constant(value, ndim).terms
            for term in terms:
                row, column = _split(term, ndim)
                if column is None:
                    coupled.append(row)
                    continue
                key = (column.num.tobytes(), column.num.dtype, column.shape, column.den)
                index = columns_of.setdefault(key, len(column_list))
                if index == len(column_list):
                    column_list.append(column)
                by_column.setdefault(index, []).append(row)
        rows = {index: _total(factors) for index, factors in by_column.items()}
        results.append(_gathered(rows, column_list, _total(coupled) if coupled else None, grid))
    return results


def _total(factors: Sequence[_Factor]) -> _Factor:
    """The exact sum of ``factors`` (broadcast together), added in place into one array:
    int64 when the sum of their bounds over the common denominator fits, else Python ints."""
    if len(factors) == 1:
        return factors[0]
    den = math.lcm(*(f.den for f in factors))
    bound = sum(f.bound * (den // f.den) for f in factors)
    shape = np.broadcast_shapes(*(f.shape for f in factors))
    total = np.zeros(shape, dtype=object if bound >= _SAFE else np.int64)
    for factor in factors:
        total += factor.scaled(den // factor.den)
    return _Factor(total, den, bound).reduced()


def _gathered(by_column: dict[int, _Factor], columns: list[_Factor], coupled: _Factor | None,
              shape: tuple[int, ...]) -> Gathered:
    """The matrices of Σ_k rows_k ⊗ columns_k (+ the coupled terms) over one denominator."""
    keys = sorted(by_column) or []
    dens = [by_column[k].den * columns[k].den for k in keys] + ([coupled.den] if coupled else [])
    den = math.lcm(*dens) if dens else 1
    lefts = [by_column[k].scaled(den // (by_column[k].den * columns[k].den)) for k in keys]
    rights = [columns[k].num for k in keys]
    extra = None if coupled is None else coupled.scaled(den // coupled.den)
    bound = (max(map(_bound, lefts), default=0) * max(map(_bound, rights), default=0) * len(keys)
             + (0 if extra is None else _bound(extra)))
    dtype: Any = object if bound >= _SAFE else np.int64
    left = np.zeros((shape[0], max(len(keys), 1)), dtype=dtype)
    right = np.zeros((max(len(keys), 1), math.prod(shape[1:])), dtype=dtype)
    for k, (row, column) in enumerate(zip(lefts, rights)):
        left[:, k] = np.broadcast_to(row.reshape(-1), (shape[0],))
        right[k, :] = np.broadcast_to(column, (1, *shape[1:])).reshape(-1)
    if extra is not None:
        extra = np.broadcast_to(extra, shape).astype(dtype)
    return Gathered(left, right, den, extra, shape)


def _split(term: Term, ndim: int) -> tuple[_Factor, _Factor | None]:
    """(factor on the first axis, factor on the other axes) of one term; (the whole term
    multiplied out, None) when a factor couples the first axis with another."""
    row: _Factor | None = None
    column: _Factor | None = None
    for factor in term:
        axes = factor.axes
        if 0 in axes and len(axes) > 1:
            whole = term[0]
            for other in term[1:]:
                whole = _product(whole, other)
            return whole, None
        if 0 in axes:
            row = factor if row is None else _product(row, factor)
        else:
            column = factor if column is None else _product(column, factor)
    one = _Factor(np.ones((1,) * ndim, dtype=np.int64), 1, 1)
    return (one if row is None else row), (one if column is None else column)
