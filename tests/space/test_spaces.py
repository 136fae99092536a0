"""The other spaces in specs/spaces/: counts, the MCUNet-style backbone against Once-for-All's
code, and an additive metric registered from outside (the hook a latency model uses)."""

from __future__ import annotations

import pytest

import costmodel
from costmodel.space.graph import ADDITIVE_METRICS, build_space, register_metric
from costmodel.space.stats import SpaceStats
from costmodel.space.subnet import subnet_spec
from costmodel.spec.load import load_spec, parse_spec
from tests.space.small import SMALL, enumerate_small

# Measured on mit-han-lab's `ofa` package (torch 2.14.1): OFAProxylessNASNets(
# base_stage_width="google", width_mult=w, ks_list=[3,5,7], expand_ratio_list=[3,4,6],
# depth_list=[2,3,4]) with set_active_subnet(ks, e, d) at 128×128; params summed, MACCs by
# forward hooks (conv out_numel·(C_in/groups)·k², linear in·out). ks/e: 21 blocks (4 per
# stage, then the 320-wide block); d: 5 stages.
KS = [3, 7, 3, 5, 3, 5, 5, 5, 7, 5, 3, 3, 5, 3, 5, 5, 7, 3, 7, 5, 5]
E = [6, 3, 6, 3, 4, 3, 3, 3, 6, 6, 3, 4, 6, 3, 4, 6, 3, 6, 3, 4, 4]
D = [4, 2, 3, 2, 4]
MCUNET = [  # (width, ks, e, d, params, maccs)
    ("0.5", [3] * 21, [3] * 21, [2] * 5, 911408, 14713600),
    ("0.5", [7] * 21, [6] * 21, [4] * 5, 1538984, 66133504),
    ("0.5", KS, E, D, 1144264, 30770688),
    ("0.3", [7] * 21, [6] * 21, [4] * 5, 812712, 37222400),
    ("0.3", KS, E, D, 600896, 16293632),
]


@pytest.mark.parametrize(("width", "ks", "e", "d", "params", "maccs"), MCUNET)
def test_mcunet_backbone_matches_the_authors_code(width, ks, e, d, params, maccs):
    path = "specs/spaces/mcunet.yaml"
    space = build_space(load_spec(path), path, {"width": width, "resolution": 128})
    chosen = {f"stage{i + 1}": {"depth": d[i], "kernel": ks[4 * i:4 * i + d[i]],
                                "expansion": e[4 * i:4 * i + d[i]]} for i in range(5)}
    chosen["stage6"] = {"kernel": [ks[20]], "expansion": [e[20]]}
    totals = costmodel.analyze(parse_spec(subnet_spec(space, chosen))).totals
    assert (params, maccs) == (totals.params, totals.maccs)


@pytest.mark.parametrize(("path", "count"), [
    # 5 stages of 4 blocks: the first 6 MBConvs, the others 6 or Zero; then one block of 6
    ("specs/spaces/proxylessnas.yaml", (6 * 7**3) ** 5 * 6),
    # shape-changing layers (stage1…3, stage5 firsts, stage4's first, stage6) 6 choices; 16 others 7
    ("specs/spaces/fbnet_style.yaml", 6**6 * 7**16),
])
def test_counts(path, count):
    stats = SpaceStats(build_space(load_spec(path), path))
    assert count == stats.count
    assert costmodel.analyze(path).totals.maccs == stats.extreme("maccs", max).value  # defaults: the largest


def _convs(analysis) -> int:
    return sum(layer.op == "conv2d" for layer in analysis.layers)


def test_registered_metric_is_covered():
    register_metric("convs", _convs)
    try:
        with pytest.raises(ValueError, match="already registered"):
            register_metric("convs", _convs)
        stats = SpaceStats(build_space(parse_spec(SMALL)), max_bins=1 << 20)
        counts = sorted(_convs(costmodel.analyze(parse_spec(spec))) for spec, _ in enumerate_small())
        assert (counts[0], counts[-1]) == (stats.extreme("convs", min).value, stats.extreme("convs", max).value)
        assert (counts.count(counts[0]),) * 2 == stats.at_most("convs", counts[0])
    finally:
        del ADDITIVE_METRICS["convs"]
