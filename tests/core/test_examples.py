"""The four user specs of docs/spec.md ("Examples"): each builds, passes `check`, and uses
its input's shape instead of hand-passed widths; a user block may not shadow a built-in."""

from pathlib import Path

import pytest

from costmodel.check import check_network
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.spec.load import load_spec
from tests.core.helpers import analyze_layers, only

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.yaml"))


def test_the_four_examples_are_there_and_documented():
    assert [p.stem for p in EXAMPLES] == ["fused_mbconv_repvgg", "inception_three_branch",
                                          "mobilenet_v2_cifar", "mobilenext_half_identity"]
    doc = (Path(__file__).parents[2] / "docs" / "spec.md").read_text()
    assert all(f"examples/{p.name}" in doc for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_passes_check(path):
    assert check_network(build(load_spec(path), str(path))).disagreements == []


def test_mobilenext_half_identity_adds_half_the_channels():
    network = build(load_spec(EXAMPLES[3]), str(EXAMPLES[3]))
    added = network.nodes["stage2.1.added"]
    assert added.outputs[0][1] == 144 // 2  # identity multiplier ½ of 144 channels
    assert added.cost.elementwise == 72 * 8 * 8


def test_mobilenet_v2_cifar_keeps_32x32_through_the_first_stages():
    network = build(load_spec(EXAMPLES[2]), str(EXAMPLES[2]))
    assert network.nodes["s2.1.add"].outputs[0] == (1, 24, 32, 32)  # stride 1 stem and stage 2


def test_a_user_block_may_not_shadow_a_builtin():
    with pytest.raises(SpecError, match="block 'sandglass' has the name of a built-in"):
        analyze_layers([{"op": "relu"}], blocks={"sandglass": {"layers": [{"op": "relu"}]}})
    assert only(analyze_layers([{"name": "r", "op": "relu"}]), "r").cost.elementwise == 3 * 8 * 8
