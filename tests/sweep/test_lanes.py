"""Lanes (costmodel/lanes.py) equal the same arithmetic done point by point on ints and
Fractions — two code paths for one number, compared on many random inputs."""

from __future__ import annotations

import math
import operator
import random
from fractions import Fraction

import pytest

from costmodel import arith
from costmodel.analysis.grid_axis import Axis
from costmodel.lanes import Diverged, Lanes, axis_over, gather

SHAPE = (5, 4)


def axis(values: list[Fraction | int], position: int, ndim: int) -> Lanes:
    grid = Axis.of(values)
    return axis_over(grid.tops, grid.den, position, ndim)


def _values(rng: random.Random, n: int, big: bool = False) -> list[Fraction | int]:
    top = 2**70 if big else 300
    return [rng.choice([rng.randrange(-top, top), Fraction(rng.randrange(-top, top), rng.randrange(1, 40))])
            for _ in range(n)]


def _at(value: object, i: int, j: int) -> Fraction:
    """The value of lanes (or a number) at grid point (i, j), its terms multiplied out."""
    if not isinstance(value, Lanes):
        return Fraction(value)  # type: ignore[arg-type]
    factor = value.dense()
    num = factor.num[min(i, factor.num.shape[0] - 1), min(j, factor.num.shape[1] - 1)]
    return Fraction(int(num), factor.den)


BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
          operator.mod]


@pytest.mark.parametrize("seed", range(40))
def test_operations_equal_point_by_point(seed: int) -> None:
    rng = random.Random(seed)
    big = seed % 4 == 0  # beyond int64: Python ints inside
    xs, ys = _values(rng, SHAPE[0], big), _values(rng, SHAPE[1], big)
    x, y = axis(xs, 0, 2), axis(ys, 1, 2)
    constant = rng.choice([3, Fraction(7, 3), -2])
    for op in BINARY:
        for left, right, lv, rv in ((x, y, xs, ys), (x, constant, xs, None), (constant, y, None, ys)):
            try:
                result = op(left, right)
            except ZeroDivisionError:
                continue
            for i in range(SHAPE[0]):
                for j in range(SHAPE[1]):
                    a = lv[i] if lv else left
                    b = rv[j] if rv else right
                    assert _at(result, i, j) == op(Fraction(a), Fraction(b)), (op, a, b)
    for function, reference in ((math.floor, math.floor), (math.ceil, math.ceil), (round, round),
                                (abs, abs), (arith.floor, math.floor)):
        result = function(x * y + constant)
        for i in range(SHAPE[0]):
            for j in range(SHAPE[1]):
                assert _at(result, i, j) == reference(Fraction(xs[i]) * Fraction(ys[j]) + constant)


@pytest.mark.parametrize("seed", range(20))
def test_make_divisible_min_max_equal_point_by_point(seed: int) -> None:
    # the channel rounding of the MobileNets over widths 0.05 … 3 (its "+d when it lost
    # more than 10 %" branch differs between lanes: chosen lane by lane, no split)
    rng = random.Random(seed)
    alphas = [Fraction(rng.randrange(5, 300), 100) for _ in range(30)]
    channels, divisor = rng.choice([16, 24, 32, 40, 96, 1280]), rng.choice([1, 4, 8])
    lanes = arith.make_divisible(axis(alphas, 0, 1) * channels, divisor)
    low = arith.minimum(axis(alphas, 0, 1) * 10, 7)
    high = arith.maximum(3, axis(alphas, 0, 1) * 10, Fraction(9, 2))
    for i, alpha in enumerate(alphas):
        assert lanes.dense().num[i] == arith.make_divisible(alpha * channels, divisor)
        assert _lanes_1d(low, i) == min(alpha * 10, 7)
        assert _lanes_1d(high, i) == max(3, alpha * 10, Fraction(9, 2))


def _lanes_1d(value: Lanes, i: int) -> Fraction:
    factor = value.dense()
    return Fraction(int(factor.num[i]), factor.den)


def test_a_decision_answers_when_the_lanes_agree_and_diverges_otherwise() -> None:
    widths = axis([8, 8, 16], 0, 1)
    assert bool(widths > 4) and not bool(widths > 100)
    with pytest.raises(Diverged) as split:
        bool(widths == 8)
    assert split.value.key.tolist() == [True, True, False]
    with pytest.raises(Diverged):
        range(widths)  # a repeat count that differs between points
    assert int(axis([3, 3], 0, 1)) == 3
    assert arith.as_int(axis([Fraction(6, 2), 3], 0, 1)) == 3  # uniform lanes are a number


def _nodes(a: object, r: object, widths: list[int], pick: list[int]) -> list[object]:
    """Costs shaped like a network's: channel counts times spatial sizes, plus both alone,
    plus one beyond int64; the same code runs on lanes and on numbers."""
    channels = [arith.make_divisible(a * width, 8) for width in widths]
    spatial = [(r + 1) // 2 * ((r + 1) // 2), r * r, (r - 3) // 4 + 1]
    nodes = [c * spatial[k] + c + spatial[(k + 1) % 3] + 5 for c, k in zip(channels, pick)]
    return nodes + [channels[0] * channels[1] * 2**40 * spatial[1]]


@pytest.mark.parametrize("seed", range(10))
def test_gather_sums_factored_terms_exactly(seed: int) -> None:
    rng = random.Random(seed)
    alphas = [Fraction(rng.randrange(10, 200), 100) for _ in range(6)]
    sizes = [rng.randrange(30, 300) for _ in range(7)]
    widths, pick = [rng.choice([16, 24, 32]) for _ in range(5)], [rng.randrange(3) for _ in range(5)]
    (gathered,) = gather([_nodes(axis(alphas, 0, 2), axis(sizes, 1, 2), widths, pick)],
                         (len(alphas), len(sizes)))
    grid = gathered.write()
    assert not gathered.fits  # 2⁴⁰·C·C·r² needs Python ints
    for i, alpha in enumerate(alphas):
        for j, size in enumerate(sizes):
            assert grid[i, j] == sum(_nodes(alpha, size, widths, pick))  # type: ignore[arg-type]
