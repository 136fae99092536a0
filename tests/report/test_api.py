"""The Python API: load from a path, YAML text or a dict; readable reprs; ``__all__``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import costmodel

SPEC = Path("specs/mobilenet_v2.yaml")
TINY = "model: tiny\ninput: [3, 32, 32]\nlayers:\n  - {op: conv2d, out: 8, kernel: 3}\n"


def test_a_path_yaml_text_and_a_dict_give_the_same_analysis() -> None:
    text = SPEC.read_text()
    by_path = costmodel.analyze(SPEC, alpha=0.75).totals
    assert costmodel.analyze(str(SPEC), alpha=0.75).totals == by_path
    assert costmodel.analyze(text, alpha=0.75).totals == by_path
    assert costmodel.analyze(yaml.safe_load(text), alpha=0.75).totals == by_path
    assert by_path.maccs == 209_069_792  # torchvision mobilenet_v2(width_mult=0.75)


def test_tiny_spec_from_text() -> None:
    cost = costmodel.analyze(TINY).totals
    # 3×3 conv, 3 → 8 channels, no padding: 30×30 outputs
    assert cost.params == 3 * 3 * 3 * 8
    assert cost.maccs == 3 * 3 * 3 * 8 * 30 * 30


def test_errors_name_where_the_spec_came_from() -> None:
    with pytest.raises(costmodel.SpecError, match="^<dict>: layer '#0' .*unknown op 'relux'"):
        costmodel.analyze({"model": "m", "input": [3, 8, 8], "layers": [{"op": "relux"}]})
    with pytest.raises(costmodel.SpecError, match="^<string>:"):
        costmodel.analyze(TINY.replace("conv2d", "conv3d"))


def test_reprs_are_readable() -> None:
    analysis = costmodel.analyze(SPEC)
    text = repr(analysis)
    assert text.startswith("<Analysis mobilenet_v2 (alpha=1, resolution=224, classes=1000): ")
    assert "params 3,504,872" in text and "maccs 300,774,272" in text and len(text) < 200
    assert repr(analysis.totals).startswith("Cost(params=3504872")


def test_all_is_documented_and_resolves() -> None:
    for name in costmodel.__all__:
        assert getattr(costmodel, name) is not None
        assert f"``{name}" in costmodel.__doc__ or name == "__version__", name
    assert set(costmodel.__all__) <= set(dir(costmodel))
    with pytest.raises(AttributeError):
        costmodel.nothing  # noqa: B018
