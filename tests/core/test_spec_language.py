"""Spec-language features: user blocks, repeat/first, names, ports, parameters."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.errors import SpecError
from tests.core.helpers import analyze_layers, only

SEPARABLE = {
    "separable": {
        "params": {"out": None, "stride": 1},
        "layers": [
            {"name": "dw", "op": "conv2d", "depthwise": True, "kernel": 3, "stride": "stride", "padding": 1},
            {"name": "pw", "op": "conv2d", "out": "out"},
        ],
    }
}


def test_user_block_expands_with_hierarchical_names_and_arguments() -> None:
    a = analyze_layers([{"name": "s1", "op": "separable", "out": 16},
                        {"name": "s2", "op": "separable", "out": 32, "stride": 2}],
                       (8, 10, 10), blocks=SEPARABLE)
    assert [row.name for row in a.layers] == ["s1.dw", "s1.pw", "s2.dw", "s2.pw"]
    assert only(a, "s2.dw").block_path == ("s2",)
    assert only(a, "s2.dw").cost.maccs == 3 * 3 * 16 * 5 * 5  # depthwise on 16 channels, 10 → 5
    assert only(a, "s2.pw").cost.maccs == 16 * 32 * 5 * 5


def test_repeat_with_first_override() -> None:
    a = analyze_layers([{"name": "stage", "op": "separable", "out": 8, "repeat": 3, "first": {"stride": 2}},
                        {"name": "after", "op": "relu", "inputs": "stage"}], (8, 12, 12), blocks=SEPARABLE)
    shapes = {row.name: row.output_shape for row in a.layers}
    assert shapes["stage.0.pw"] == (1, 8, 6, 6)  # only copy 0 strides
    assert shapes["stage.2.pw"] == (1, 8, 6, 6)
    assert only(a, "after").output_shape == (1, 8, 6, 6)  # 'stage' names the last copy


def test_repeat_count_may_be_an_expression() -> None:
    a = analyze_layers([{"name": "r", "op": "relu", "repeat": "ceil(depth * 3)"}], (1, 2, 2),
                       params={"depth": "1.2"})
    assert len(a.layers) == 4  # ⌈1.2 · 3⌉ = 4 (EfficientNet's depth rounding)


def test_block_output_and_multi_output_ports() -> None:
    blocks = {"halves": {"layers": [{"name": "s", "op": "split", "parts": 2},
                                    {"name": "x", "op": "relu", "inputs": "s:1"},
                                    {"name": "y", "op": "concat", "inputs": ["s:0", "x"]}],
                         "output": "y"}}
    a = analyze_layers([{"name": "h", "op": "halves"}], (6, 3, 3), blocks=blocks)
    assert only(a, "h.x").output_shape == (1, 3, 3, 3)
    assert a.layers[-1].output_shape == (1, 6, 3, 3)


def test_built_in_block_and_hand_written_block_cost_the_same() -> None:
    built_in = analyze_layers([{"op": "inverted_residual", "out": 8, "expansion": 4}], (8, 7, 7))
    by_hand = analyze_layers([
        {"name": "e", "op": "conv_bn_act", "out": 32, "act": "relu6"},
        {"name": "d", "op": "conv_bn_act", "depthwise": True, "kernel": 3, "act": "relu6"},
        {"name": "p", "op": "conv_bn_act", "out": 8, "act": "none"},
        {"name": "a", "op": "add", "inputs": ["input", "p"]},
    ], (8, 7, 7))
    assert built_in.totals == by_hand.totals


@pytest.mark.parametrize(("layers", "blocks", "message"), [
    ([{"op": "separable"}], SEPARABLE, "block 'separable' needs parameter 'out'"),
    ([{"op": "separable", "out": 4, "colour": 1}], SEPARABLE, "block 'separable' has no parameter 'colour'"),
    ([{"name": "r", "op": "relu", "first": {"op": "relu"}}], {}, "'first' only applies to a layer with 'repeat'"),
    ([{"op": "loop"}], {"loop": {"layers": [{"op": "loop"}]}}, "nested more than 16 deep"),
    ([{"op": "relu", "repeat": 0}], {}, "repeat: 0 is out of range: it must be a whole number ≥ 1"),
    ([{"name": "s", "op": "split", "parts": 2}, {"op": "relu", "inputs": "s:2"}], {}, "'s' has 2 output"),
])
def test_block_and_repeat_errors(layers, blocks, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        analyze_layers(layers, (4, 4, 4), blocks=blocks)


def test_parameter_defaults_may_use_earlier_parameters(tmp_path) -> None:
    spec = tmp_path / "p.yaml"
    spec.write_text("model: p\nparams: {alpha: 0.5, width: 64 * alpha}\ninput: [3, 8, 8]\n"
                    "layers:\n  - {op: conv2d, out: width}\n")
    result = CliRunner().invoke(main, ["report", str(spec), "--format", "csv", "--set", "alpha=0.25"])
    assert result.exit_code == 0
    assert ",16x8x8," not in result.stdout and "1x16x8x8" in result.stdout  # 64 · 1/4 = 16 channels
