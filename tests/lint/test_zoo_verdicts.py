"""The ShuffleNetV2 paper's verdicts (Sec. 3, "Discussion") on the zoo specs."""

from __future__ import annotations

from pathlib import Path

from costmodel.lint import lint_path

SPECS = Path(__file__).parents[2] / "specs"


def verdict(name: str) -> set[str]:
    path = SPECS / f"{name}.yaml"
    return {finding.code for finding in lint_path(path)}


def test_shufflenet_v1_violates_g1_and_g2() -> None:
    # "ShuffleNet v1 heavily depends group convolutions (against G2) and bottleneck-like
    # building blocks (against G1)"
    assert {"G1", "G2"} <= verdict("shufflenet_v1")


def test_mobilenet_v2_violates_g1_and_g4() -> None:
    # "MobileNet v2 uses an inverted bottleneck structure that violates G1 ... It uses
    # depthwise convolutions and ReLUs on thick feature maps. This violates G4."
    assert {"G1", "G4"} <= verdict("mobilenet_v2")


def test_nasnet_a_violates_g3() -> None:
    # "the auto-generated structures are highly fragmented, such as NASNET-A (G3)"
    assert "G3" in verdict("nasnet_a_mobile")


def test_shufflenet_v2_follows_g1_g2_g3() -> None:
    assert not {"G1", "G2", "G3"} & verdict("shufflenet_v2")
