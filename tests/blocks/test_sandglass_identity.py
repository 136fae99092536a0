"""Sandglass identity tensor multiplier (MobileNeXt §3.3; official SGBlock.identity_div):
the shortcut adds only the first ⌊C·m⌋ channels, params and MACCs unchanged."""

from __future__ import annotations

import pytest

from costmodel import analyze
from costmodel.errors import SpecError
from costmodel.spec.load import parse_spec


def sandglass(identity) -> dict:
    spec = {"model": "t", "input": [24, 8, 8],
            "layers": [{"name": "sg", "op": "sandglass", "out": 24, "identity": identity}]}
    return {row.name: row for row in analyze(parse_spec(spec)).layers}, analyze(parse_spec(spec))


def test_half_identity_adds_half_the_channels():
    rows, half = sandglass("1/2")
    _, full = sandglass(1)
    assert rows["sg.add"].output_shape == (1, 12, 8, 8)
    assert rows["sg.add"].cost.elementwise == 12 * 8 * 8  # ⌊24·½⌋ channels added, not 24
    assert rows["sg.out"].output_shape == (1, 24, 8, 8)
    assert (half.totals.params, half.totals.maccs) == (full.totals.params, full.totals.maccs)
    assert full.totals.elementwise - half.totals.elementwise == (24 - 12) * 8 * 8


def test_third_identity_floors_like_the_official_code():
    rows, _ = sandglass("1/3")
    assert rows["sg.add"].output_shape[1] == 24 // 3  # x[:, :C // identity_div]


@pytest.mark.parametrize("bad", [0, "3/2"])
def test_identity_multiplier_is_a_fraction_in_0_1(bad):
    with pytest.raises(SpecError, match="identity"):
        sandglass(bad)
