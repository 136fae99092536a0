"""The grid a relaxed form's error is measured on (``report --symbolic --relaxed``).

Each parameter spans its declared domain (``min`` … ``max``; without one, the values its
default and the spec's variants take, a single value v giving v/2 … 3v/2): up to
:data:`AXIS_POINTS` points, spaced geometrically when the range spans a factor of ten or more
(0.1 … 100: 0.1, 0.25, 0.75, 2, 5, 14, 37, 100 — rounding matters most at the small end),
evenly otherwise, and its value at the defaults (the spec's own design). The endpoints are
the bounds themselves; the points between are simple numbers near their place: whole
numbers for a parameter the spec only writes whole (``resolution: {default: 224, min:
32}``), else the fraction within 10 % of its place with the smallest power-of-two denominator
(¾ rather than 18/25: channel counts such as 64·a stay whole, as at the widths papers use),
else the one with the smallest denominator among those the spec writes.

A value that gives no valid network with the other parameters at their defaults (MobileNeXt
without its identity shortcut, ``identity: 0``; a resolution too small for the last stage)
is left out of the grid, and said: one compiled sweep per parameter finds them
(:func:`costmodel.analysis.sweep.sweep` with ``skip_invalid``). Points of the full grid that
are still no valid network are skipped by the sweep over it and counted in the report.

The grid holds at most :data:`MAX_POINTS` points: each parameter gets the most points n ≤
:data:`AXIS_POINTS` that keep the product within it; when two each are too many, the last
parameters are held at their default (one point), which the printed ranges show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from costmodel.arith import Number
from costmodel.errors import SpecError
from costmodel.graph import Network

__all__ = ["AXIS_POINTS", "MAX_POINTS", "WORK", "ErrorGrid", "error_grid"]

AXIS_POINTS = 8
"""Most points per parameter spread over its domain (its default comes on top)."""

MAX_POINTS = 4096
"""Most points of the whole grid."""

WORK = 3.5
"""Estimated seconds of builds (:mod:`costmodel.analysis.sweep_budget`) the probes and the
sweep of the grid share: the shipped specs need 0.03–2.7 s (their CPU time: 0.1–1.8 s), a
report stays within seconds beside the naming of its symbolic totals."""

_DYADIC = (1, 2, 4, 8, 16, 32, 64)
"""Denominators tried first for a point that need not be whole."""


@dataclass(frozen=True)
class ErrorGrid:
    """The grid's values per parameter, the values left out of it (no valid network with
    the other parameters at their defaults), and the work its probes spent (estimated s)."""

    axes: dict[str, list[Number]]
    left_out: dict[str, list[Number]]
    work: float
    defaults: Network
    """The network at the defaults (with ``fixed``), for the sweep of the grid."""


def error_grid(spec: Any, path: str, names: Sequence[str],
               fixed: Mapping[str, Any]) -> ErrorGrid:
    """The grid of ``names`` for ``spec`` with ``fixed`` bound (see the module docstring).
    Raises :class:`SpecError` for a parameter with neither a numeric value nor declared
    bounds."""
    from costmodel.graph import build, resolve_bindings

    defaults = resolve_bindings(spec, fixed)
    ranges = {name: _range(spec, name, defaults[name]) for name in names}
    candidates = _candidates(ranges, names)
    network = build(spec, path, fixed)
    axes: dict[str, list[Number]] = {}
    left_out: dict[str, list[Number]] = {}
    work = 0.0
    for name in names:
        axes[name], bad, spent = _valid(spec, path, fixed, network, name, candidates[name],
                                        _exact(defaults[name]), WORK - work)
        work += spent
        if bad:
            left_out[name] = bad
    return ErrorGrid(axes, left_out, work, network)


def _candidates(ranges: Mapping[str, tuple[Number, Number, int, Number]],
                names: Sequence[str]) -> dict[str, list[Number]]:
    """Each parameter's values before the probe, within :data:`MAX_POINTS` in all."""
    varying = [name for name in names if ranges[name][0] != ranges[name][1]]
    for spanned in range(len(varying), -1, -1):
        for per_axis in range(AXIS_POINTS, 1, -1):
            axes = {name: _axis(*ranges[name], per_axis) if name in varying[:spanned]
                    else [ranges[name][3]] for name in names}
            if math.prod(map(len, axes.values())) <= MAX_POINTS:
                return axes
    raise AssertionError("one point per parameter is within MAX_POINTS")


def _valid(spec: Any, path: str, fixed: Mapping[str, Any], network: Network, name: str,
           values: list[Number], default: Number, limit: float) -> tuple[list[Number], list[Number], float]:
    """(values giving a valid network with the other parameters at their defaults, the
    others, the work spent): one compiled sweep of ``name`` within ``limit``; a value it
    leaves unbuilt counts as invalid (it is not measured)."""
    from costmodel.analysis.sweep import sweep

    if values == [default]:
        return values, [], 0.0
    axis: dict[str, Any] = {name: values}
    result = sweep(spec, path=path, fixed=fixed, method="compiled", skip_invalid=True,
                   work_limit=limit, defaults=network, **axis)
    assert result.invalid is not None and result.unbuilt is not None
    invalid = result.invalid | result.unbuilt
    return ([v for v, bad in zip(values, invalid) if not bad],
            [v for v, bad in zip(values, invalid) if bad], result.work)


def _range(spec: Any, name: str, default: Any) -> tuple[Number, Number, int, Number]:
    """(least, greatest, q, value at the defaults) of one parameter: q is the least common
    multiple of the denominators the spec writes for it (1: whole numbers only)."""
    parameter = spec.params[name]
    known: list[Number] = [_exact(default)] + [v for v in (_number(variant.bindings[name]) for variant in spec.variants
                                             if name in variant.bindings) if v is not None]
    low, high = _number(parameter.min), _number(parameter.max)
    if low is None:
        low = min(known) if len(set(known)) > 1 or high is not None else Fraction(known[0]) / 2
    if high is None:
        high = max(known) if len(set(known)) > 1 else max(Fraction(known[0]) * 3 / 2, low)
    step = math.lcm(*(Fraction(v).denominator for v in (*known, low, high)))
    return _exact(low), _exact(high), step, known[0]


def _axis(low: Number, high: Number, step: int, default: Number, points: int) -> list[Number]:
    """``points`` simple numbers from ``low`` to ``high``, whole when ``step`` is 1, and
    ``default`` (see the module docstring)."""
    low_, high_ = Fraction(low), Fraction(high)
    if low_ > 0 and high_ >= 10 * low_:
        ratio = (float(high_) / float(low_)) ** (1 / (points - 1))
        places = [float(low_) * ratio**i for i in range(1, points - 1)]
        tolerances = [place / 10 for place in places]
    else:
        gap = (high_ - low_) / (points - 1)
        places = [float(low_ + gap * i) for i in range(1, points - 1)]
        tolerances = [float(gap) / 4] * len(places)
    inner = [_simple(place, tolerance, step, low_, high_) for place, tolerance in zip(places, tolerances)]
    return sorted({_exact(v) for v in (low_, *inner, high_, default)})


def _simple(place: float, tolerance: float, step: int, low: Fraction, high: Fraction) -> Fraction:
    """The whole number nearest ``place`` when ``step`` is 1; else the first fraction within
    ``tolerance`` of it with a denominator in :data:`_DYADIC`, then ``step``'s divisors
    (ascending); else the nearest multiple of 1/``step``. Always inside [low, high]."""
    denominators = [1] if step == 1 else [*_DYADIC, *(d for d in _divisors(step) if d not in _DYADIC)]
    for denominator in denominators:
        candidate = Fraction(round(place * denominator), denominator)
        if low <= candidate <= high and abs(float(candidate) - place) <= tolerance:
            return candidate
    return min(max(Fraction(round(place * step), step), low), high)


def _divisors(number: int) -> list[int]:
    """The divisors of ``number`` up to 1,000, ascending."""
    return [d for d in range(1, min(number, 1000) + 1) if number % d == 0]


def _exact(value: Any) -> Number:
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else value


def _number(value: Any) -> Number | None:
    """A parameter's bound or a variant's binding as an exact number; None for one written
    in other parameters."""
    from costmodel.arith import as_int
    from costmodel.spec.expr import evaluate

    if value is None:
        return None
    try:
        number = as_int(evaluate(value, {}))
    except SpecError:
        return None
    return number if isinstance(number, (int, Fraction)) else None
