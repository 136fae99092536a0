"""Exact params and MACCs of the classic specs against their reference implementations.

Numbers measured with torch (forward hooks on Conv2d/Linear, cross-checked with
torch.utils.flop_counter): the torchvision models by tools/reference_counts.py (recorded in
tools/reference_counts.json, torchvision 0.29.1; 0.29.2 gave the same counts); the authors'
code measured the same way from its source: megvii-model/ShuffleNet-Series @aa91feb;
apple/ml-mobileone @b7f4e6d (timm 1.0.31 mobileone_s0…s4, train form and after
timm.utils.model.reparameterize_model, count the same: tools/reference_counts.json).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel import analyze

SPECS = Path(__file__).resolve().parents[2] / "specs"

CASES = [
    # spec, bindings, params, maccs, source
    ("shufflenet_v2", {"stage2": 48, "stage3": 96, "stage4": 192}, 1_366_792, 40_476_448,
     "torchvision shufflenet_v2_x0_5"),
    ("shufflenet_v2", {}, 2_278_604, 144_907_992, "torchvision shufflenet_v2_x1_0"),
    ("shufflenet_v2", {"stage2": 176, "stage3": 352, "stage4": 704}, 3_503_624, 295_759_392,
     "torchvision shufflenet_v2_x1_5"),
    ("shufflenet_v2", {"stage2": 244, "stage3": 488, "stage4": 976, "last": 2048}, 7_393_996,
     583_253_464, "torchvision shufflenet_v2_x2_0"),
    # megvii's official ShuffleNetV2 has a bias-free classifier: its params + 1000 biases.
    ("shufflenet_v2", {"proj_keeps_input": 1}, 2_278_760 + 1000, 145_814_296,
     "megvii ShuffleNetV2 1.0x"),
    ("shufflenet_v2", {"proj_keeps_input": 1, "stage2": 176, "stage3": 352, "stage4": 704},
     3_506_720 + 1000, 298_970_656, "megvii ShuffleNetV2 1.5x"),
    ("shufflenet_v2", {"proj_keeps_input": 1, "stage2": 244, "stage3": 488, "stage4": 976,
                       "last": 2048}, 7_402_600 + 1000, 590_783_000, "megvii ShuffleNetV2 2.0x"),
    ("shufflenet_v1", {}, 1_864_728, 137_460_672, "megvii ShuffleNetV1 g=3 1.0x"),
    ("shufflenet_v1", {"groups": 8, "stage2": 384, "stage3": 768, "stage4": 1536}, 2_433_768,
     138_365_952, "megvii ShuffleNetV1 g=8 1.0x"),
    ("shufflenet_v1", {"stem": 12, "stage2": 120, "stage3": 240, "stage4": 480}, 717_324,
     37_589_856, "megvii ShuffleNetV1 g=3 0.5x"),
    ("shufflenet_v1", {"groups": 8, "stem": 48, "stage2": 768, "stage3": 1536, "stage4": 3072},
     6_521_232, 521_942_016, "megvii ShuffleNetV1 g=8 2.0x"),
    ("squeezenet1_0", {}, 1_248_424, 818_924_576, "torchvision squeezenet1_0"),
    ("squeezenet1_1", {}, 1_235_496, 349_151_936, "torchvision squeezenet1_1"),
    ("resnet18", {}, 11_689_512, 1_814_073_344, "torchvision resnet18"),
    ("resnet50", {}, 25_557_032, 4_089_184_256, "torchvision resnet50 (v1.5)"),
    ("resnet50", {"stride_on": 1}, 25_557_032, 3_857_973_248,
     "torchvision resnet50 with the stride moved to conv1 of each first bottleneck (v1)"),
]
_S = {"s1": {"w1": "1.5", "w2": "1.5", "w3": 2, "w4": "2.5", "branches": 1},
      "s2": {"w1": "1.5", "w2": 2, "w3": "2.5", "w4": 4, "branches": 1},
      "s3": {"w1": 2, "w2": "2.5", "w3": 3, "w4": 4, "branches": 1},
      "s4": {"w1": 3, "w2": "3.5", "w3": "3.5", "w4": 4, "branches": 1, "se": 1},
      "s0": {}}
MOBILEONE = [  # apple/ml-mobileone mobileone(variant=…), then reparameterize_model()
    ("s0", 5_293_272, 1_051_935_232, 2_078_504, 275_110_400),
    ("s1", 4_825_192, 830_062_080, 4_764_840, 825_057_024),
    ("s2", 7_884_648, 1_304_027_392, 7_808_168, 1_298_426_496),
    ("s3", 10_170_600, 1_902_112_768, 10_078_312, 1_895_790_592),
    ("s4", 14_951_248, 2_986_802_432, 14_838_352, 2_979_269_760),
]
for name, train_p, train_m, inf_p, inf_m in MOBILEONE:
    CASES += [("mobileone", {**_S[name], "reparam": 0}, train_p, train_m, f"mobileone_{name} train"),
              ("mobileone", {**_S[name], "reparam": 1}, inf_p, inf_m, f"mobileone_{name} reparam")]


@pytest.mark.parametrize("spec, bindings, params, maccs, source", CASES,
                         ids=[case[-1] for case in CASES])
def test_exact_reference_counts(spec, bindings, params, maccs, source):
    totals = analyze(SPECS / f"{spec}.yaml", **bindings).totals
    assert (totals.params, totals.maccs) == (params, maccs)


def test_resnet50_layouts_differ_only_in_first_bottleneck_maccs():
    # Moving the stride from the 3×3 to the first 1×1 shrinks conv1 and the 3×3 of the
    # first bottleneck of layers 2–4 (torchvision resnet50: 4,089,184,256; with the stride moved
    # to conv1, measured the same way: 3,857,973,248).
    v15 = analyze(SPECS / "resnet50.yaml").totals.maccs
    v1 = analyze(SPECS / "resnet50.yaml", stride_on=1).totals.maccs
    # layer2.0: conv1 256→128 at 56² instead of 28², and its 3×3 128→128 at 28² either way:
    # conv1 saves 256·128·(56² − 28²); layer3.0 512·256·(28² − 14²); layer4.0 1024·512·(14² − 7²)
    saved = 256 * 128 * (56**2 - 28**2) + 512 * 256 * (28**2 - 14**2) + 1024 * 512 * (14**2 - 7**2)
    assert v15 - v1 == saved == 231_211_008
