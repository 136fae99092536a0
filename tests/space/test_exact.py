"""Every statistic of `costmodel space` equals brute-force enumeration on a small space."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from costmodel.space.distribution import exact_count, grid_distribution, grid_step
from costmodel.space.graph import build_space
from costmodel.space.stats import SpaceStats
from costmodel.space.subnet import subnet_spec
from costmodel.spec.load import parse_spec
from tests.space.small import SMALL, enumerate_small, measure

METRICS = ("params", "maccs", "mem_access", "elementwise", "fragments", "peak_memory")


@pytest.fixture(scope="module")
def brute() -> list[tuple[dict[str, int], int]]:
    """(metrics, sampler settings) of every subnet, each analyzed as a whole network."""
    return [(measure(spec), weight) for spec, weight in enumerate_small()]


@pytest.fixture(scope="module")
def stats() -> SpaceStats:
    return SpaceStats(build_space(parse_spec(SMALL)), max_bins=1 << 20)  # fits the gcd: exact


def test_count(brute, stats):
    assert 2 * (4 + 4**2) * (1 + 2 + 2**2) == len(brute) == stats.count  # resolutions × stages


def test_settings_count(brute):
    settings = SpaceStats(build_space(parse_spec(SMALL), settings=True), max_bins=1 << 20)
    # every copy draws its choices: 2 resolutions × (2 depths · 4²) × (3 depths · 2²) settings
    assert 2 * (2 * 4**2) * (3 * 2**2) == sum(weight for _, weight in brute) == settings.count


@pytest.mark.parametrize("metric", METRICS)
def test_extremes_and_their_subnets(brute, stats, metric):
    for pick in (min, max):
        found = stats.extreme(metric, pick)
        assert found is not None
        assert pick(values[metric] for values, _ in brute) == found.value
        spec = parse_spec(subnet_spec(stats.space, found.subnet))
        assert measure(spec.model_dump(exclude_unset=True))[metric] == found.value


@pytest.mark.parametrize("metric", METRICS)
def test_cumulative_counts_at_every_value(brute, stats, metric):
    values = Counter(entry[metric] for entry, _ in brute)
    if metric != "peak_memory":
        assert stats.distribution(metric).exact
    below = 0
    for value in sorted(values):
        assert (below, below) == stats.at_most(metric, value - 1)
        below += values[value]
        assert (below, below) == stats.at_most(metric, value)


def test_histogram(brute, stats):
    bins = stats.histogram("maccs", 7)
    assert bins[0].low == min(v["maccs"] for v, _ in brute) and bins[-1].high == 1 + max(v["maccs"] for v, _ in brute)
    for b in bins:
        inside = sum(b.low <= v["maccs"] < b.high for v, _ in brute)
        below = sum(v["maccs"] < b.high for v, _ in brute)
        assert (inside, (below, below)) == (b.count, b.below_high)
    assert len(brute) == sum(b.count for b in bins)


def test_settings_distribution(brute):
    settings = SpaceStats(build_space(parse_spec(SMALL), settings=True), max_bins=1 << 20)
    for value in sorted({v["maccs"] for v, _ in brute}):
        expected = sum(weight for v, weight in brute if v["maccs"] <= value)
        assert (expected, expected) == settings.at_most("maccs", value)


def test_peak_budget(brute):
    peaks = sorted({v["peak_memory"] for v, _ in brute})
    budget = peaks[len(peaks) // 2]
    fitting = [v for v, _ in brute if v["peak_memory"] <= budget]
    limited = SpaceStats(build_space(parse_spec(SMALL)), peak_budget=budget, max_bins=1 << 20)
    assert len(fitting) == limited.count
    for metric in METRICS:
        assert min(v[metric] for v in fitting) == limited.extreme(metric, min).value
        assert max(v[metric] for v in fitting) == limited.extreme(metric, max).value
    for value in sorted({v["maccs"] for v in fitting}):
        expected = sum(v["maccs"] <= value for v in fitting)
        assert (expected, expected) == limited.at_most("maccs", value)


def _front(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Nondominated pairs by brute force: no other pair ≤ in both and different."""
    unique = set(points)
    return sorted(p for p in unique if not any(q != p and q[0] <= p[0] and q[1] <= p[1] for q in unique))


@pytest.mark.parametrize("pair", [("maccs", "mem_access"), ("params", "maccs"), ("maccs", "peak_memory"),
                                  ("peak_memory", "params")])
def test_pareto(brute, stats, pair):
    first, second = pair
    expected = _front([(v[first], v[second]) for v, _ in brute])
    front = stats.pareto(first, second)
    assert expected == [(x, y) for x, y, _ in front]
    for x, y, subnet in front:  # each point's subnet has those values
        measured = measure(subnet_spec(stats.space, subnet))
        assert (x, y) == (measured[first], measured[second])


def test_coarse_grid_bounds(brute):
    """With a grid coarser than the gcd, every threshold count is bracketed exactly."""
    coarse = SpaceStats(build_space(parse_spec(SMALL)), max_bins=16)
    grid = coarse.distribution("maccs")
    assert not grid.exact and grid.total == len(brute)
    for value in sorted({v["maccs"] for v, _ in brute}):
        surely, possibly = coarse.at_most("maccs", value)
        assert surely <= sum(v["maccs"] <= value for v, _ in brute) <= possibly


def test_grid_step_is_gcd_when_it_fits(stats):
    graphs = stats.space.graphs
    step = grid_step(graphs, "fragments")
    assert step >= 1
    for graph in graphs:
        assert all(edge.values["fragments"] % step == 0 for edges in graph.edges for edge in edges)
        assert grid_distribution(graph, "fragments", step)[0].exact


def test_samples_under_budget_are_uniform(brute, stats):
    limit = sorted(v["maccs"] for v, _ in brute)[len(brute) // 3]
    fitting = [v for v, _ in brute if v["maccs"] <= limit]
    drawn = stats.sample(3000, seed=7, budget=("maccs", limit))
    assert len(drawn) == 3000
    assert all(sum(edge.values["maccs"] for edge in path) <= limit for _, path in drawn)
    # resolution shares: exact proportions from the enumeration, within 5 standard deviations
    by_resolution = Counter(subnet["resolution"] for subnet, _ in drawn)
    for resolution in (32, 48):
        p = sum(1 for (v, _), (spec, _) in zip(brute, enumerate_small(), strict=True)
                if v["maccs"] <= limit and spec["params"]["resolution"] == resolution) / len(fitting)
        assert abs(by_resolution[resolution] / 3000 - p) <= 5 * (p * (1 - p) / 3000) ** 0.5


def test_exact_count_recovers_big_integers():
    """The uint64 residue + float pair gives back counts beyond 2⁶⁴ (differential, random)."""
    rng = random.Random(3)
    for _ in range(1000):
        true = rng.randrange(10**22)
        approx = float(true) * (1 + rng.uniform(-1e-12, 1e-12))
        assert true == exact_count(true % 2**64, approx)
