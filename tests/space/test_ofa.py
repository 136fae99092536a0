"""The Once-for-All MobileNetV3 space (specs/spaces/ofa_mbv3.yaml) against its authors' code."""

from __future__ import annotations

import pytest

import costmodel
from costmodel.space.graph import build_space
from costmodel.space.stats import SpaceStats
from costmodel.space.subnet import subnet_spec
from costmodel.spec.load import load_spec, parse_spec

SPEC = "specs/spaces/ofa_mbv3.yaml"

# Params and MACCs measured on mit-han-lab's `ofa` package (PyPI ofa 0.1.0.post202307202001,
# torch 2.14.1): OFAMobileNetV3(width_mult=w, ks_list=[3,5,7], expand_ratio_list=[3,4,6],
# depth_list=[2,3,4]).set_active_subnet(ks, e, d); get_active_subnet(); parameters summed,
# MACCs by forward hooks: conv out_numel·(C_in/groups)·k², linear in·out.
RANDOM_KS = [5, 5, 3, 5, 7, 5, 5, 5, 5, 5, 7, 3, 7, 3, 5, 3, 3, 7, 5, 7]
RANDOM_E = [6, 6, 3, 4, 3, 6, 3, 6, 4, 4, 6, 3, 4, 4, 4, 6, 6, 3, 6, 4]
RANDOM_D = [3, 4, 3, 2, 4]
REFERENCE = [  # (width, resolution, ks, e, d, params, maccs)
    ("1.0", 224, [3] * 20, [3] * 20, [2] * 5, 3410792, 121278672),
    ("1.0", 160, [3] * 20, [3] * 20, [2] * 5, 3410792, 63240528),
    ("1.0", 224, [7] * 20, [6] * 20, [4] * 5, 7664760, 566170656),
    ("1.0", 160, [7] * 20, [6] * 20, [4] * 5, 7664760, 291318048),
    ("1.0", 224, RANDOM_KS, RANDOM_E, RANDOM_D, 5316280, 293339712),
    ("1.0", 160, RANDOM_KS, RANDOM_E, RANDOM_D, 5316280, 151494720),
    ("1.2", 224, [3] * 20, [3] * 20, [2] * 5, 4602456, 193078200),
    ("1.2", 224, [7] * 20, [6] * 20, [4] * 5, 10701632, 843101040),
    ("1.2", 160, RANDOM_KS, RANDOM_E, RANDOM_D, 7330976, 232955248),
]


def _bindings(ks: list[int], e: list[int], d: list[int]) -> dict[str, dict[str, object]]:
    """OFA's per-block ks/e (20 blocks, 4 per stage) and per-stage d as subnet bindings."""
    return {f"stage{i + 1}": {"depth": d[i], "kernel": ks[4 * i:4 * i + d[i]],
                              "expansion": e[4 * i:4 * i + d[i]]} for i in range(5)}


@pytest.fixture(scope="module")
def ofa224() -> SpaceStats:
    return SpaceStats(build_space(load_spec(SPEC), SPEC, {"resolution": 224}))


@pytest.mark.parametrize(("width", "resolution", "ks", "e", "d", "params", "maccs"), REFERENCE)
def test_subnets_match_the_authors_code(width, resolution, ks, e, d, params, maccs):
    space = build_space(load_spec(SPEC), SPEC, {"width": width, "resolution": resolution})
    totals = costmodel.analyze(parse_spec(subnet_spec(space, _bindings(ks, e, d)))).totals
    assert (params, maccs) == (totals.params, totals.maccs)


def test_count(ofa224):
    # per stage: depth 2, 3 or 4, each block one of 3 kernels × 3 expand ratios
    assert (9**2 + 9**3 + 9**4) ** 5 == 7371**5 == ofa224.count


def test_extremes_are_the_authors_smallest_and_largest(ofa224):
    low, high = ofa224.extreme("maccs", min), ofa224.extreme("maccs", max)
    assert (121278672, 566170656) == (low.value, high.value)  # REFERENCE rows 1 and 3
    assert _bindings([3] * 20, [3] * 20, [2] * 5) == low.subnet
    assert _bindings([7] * 20, [6] * 20, [4] * 5) == high.subnet
    for found in (low, high):
        spec = parse_spec(subnet_spec(ofa224.space, found.subnet))
        assert found.value == costmodel.analyze(spec).totals.maccs
    assert high.value == costmodel.analyze(SPEC).totals.maccs  # the spec's defaults: the largest


def test_share_under_300m_agrees_with_uniform_samples(ofa224):
    surely, possibly = ofa224.at_most("maccs", 300_000_000)
    assert possibly - surely < ofa224.count // 1000  # the grid brackets the count tightly
    n = 2000
    drawn = ofa224.sample(n, seed=11)
    under = sum(sum(edge.values["maccs"] for edge in path) <= 300_000_000 for _, path in drawn)
    p = surely / ofa224.count
    assert abs(under / n - p) <= 5 * (p * (1 - p) / n) ** 0.5


def test_sampler_settings_count():
    space = build_space(load_spec(SPEC), SPEC, {"resolution": 224}, settings=True)
    # OFA's sample_active_subnet draws ks and e for all 20 blocks and d for the 5 stages
    assert 9**20 * 3**5 == SpaceStats(space).count
