"""specs/mobilenet_v2.yaml against torchvision's mobilenet_v2.

Reference: torchvision 0.29.2 (torchvision/models/mobilenetv2.py, git f122815), built with
``mobilenet_v2(width_mult=α)`` on torch 2.13.0 CPU, input 1×3×R×R. params = Σ numel of
``model.parameters()``; maccs = conv + linear multiply-accumulates measured by
``torch.utils.flop_counter.FlopCounterMode`` (FLOPs / 2), cross-checked with forward hooks.
"""

from __future__ import annotations

import pytest

import costmodel

SPEC = "specs/mobilenet_v2.yaml"

TORCHVISION = [  # (alpha, resolution, params, maccs)
    ("0.35", 224, 1_677_128, 59_285_808),
    ("0.5", 224, 1_968_680, 97_131_840),
    ("0.75", 224, 2_636_424, 209_069_792),
    ("1", 224, 3_504_872, 300_774_272),
    ("1.3", 224, 5_386_792, 509_374_560),
    ("1.4", 224, 6_108_776, 582_195_824),
    ("0.5", 96, 1_968_680, 18_885_440),
    ("0.5", 128, 1_968_680, 32_578_560),
    ("0.5", 160, 1_968_680, 50_184_000),
    ("0.5", 192, 1_968_680, 71_701_760),
    ("0.75", 96, 2_636_424, 39_445_472),
    ("0.75", 128, 2_636_424, 69_129_728),
    ("0.75", 160, 2_636_424, 107_295_200),
    ("0.75", 192, 2_636_424, 153_941_888),
    ("1", 96, 3_504_872, 56_289_152),
    ("1", 128, 3_504_872, 99_074_048),
    ("1", 160, 3_504_872, 154_083_200),
    ("1", 192, 3_504_872, 221_316_608),
    ("1", 97, 3_504_872, 76_391_360),  # odd sizes exercise ⌊(H + 2 − 3)/2⌋ + 1
    ("1", 225, 3_504_872, 344_759_744),
    ("1.4", 96, 6_108_776, 108_396_784),
    ("1.4", 128, 6_108_776, 191_311_616),
    ("1.4", 160, 6_108_776, 297_916_400),
    ("1.4", 192, 6_108_776, 428_211_136),
]


@pytest.mark.parametrize(("alpha", "resolution", "params", "maccs"), TORCHVISION)
def test_matches_torchvision(alpha: str, resolution: int, params: int, maccs: int) -> None:
    totals = costmodel.analyze(SPEC, alpha=alpha, resolution=resolution).totals
    assert (totals.params, totals.maccs) == (params, maccs)


def test_paper_figures_within_rounding() -> None:
    """Sandler et al. 2018, Table 4: 3.4 M params, 300 M MAdds at 224 (the paper's 3.4 M
    leaves out the 1280-channel conv's BN and rounds down; torchvision counts 3.50 M)."""
    totals = costmodel.analyze(SPEC).totals
    assert round(totals.maccs / 1e6, -1) == 300
    assert 3.4e6 <= totals.params < 3.6e6


def test_structure() -> None:
    analysis = costmodel.analyze(SPEC)
    blocks = analysis.by_block()
    # 1 stem + 17 inverted residuals + last conv + pool + flatten + dropout + classifier
    assert len([name for name in blocks if name.startswith("features")]) == 19
    residual_adds = [row.name for row in analysis.layers if row.op == "add"]
    assert len(residual_adds) == 10  # (n − 1) per stage: 1 + 2 + 3 + 2 + 2
    assert analysis.layers[-1].output_shape == (1, 1000)
    # Linear bottleneck: no activation after any projection (Sandler et al., section 3.2)
    assert not any(row.name.endswith("project.act") for row in analysis.layers)


@pytest.mark.parametrize(("alpha", "tf_params_millions"), [
    ("0.35", "1.66"), ("0.5", "1.95"), ("0.75", "2.61"), ("1", "3.47"), ("1.3", "5.34"), ("1.4", "6.06"),
])
def test_tf_checkpoint_table_params_follow_from_its_convention(alpha: str, tf_params_millions: str) -> None:
    """TF-slim's table (research/slim/nets/mobilenet/README.md) counts no BN γ/β and a
    1001-way classifier: params − BN params + (classifier inputs + 1) rounds to its figure."""
    from decimal import Decimal

    result = costmodel.analyze(SPEC, alpha=alpha)
    bn_params = sum(row.cost.params for row in result.layers if row.op == "batchnorm")
    classifier_inputs = next(row for row in result.layers if row.name == "flatten").output_shape[1]
    tf_style = result.totals.params - bn_params + classifier_inputs + 1
    assert round(Decimal(tf_style) / 10**6, 2) == Decimal(tf_params_millions)
