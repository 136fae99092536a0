"""The builder costs a layer once per distinct exact scope and input shapes (issue 9: the
copies of a repeated block reuse the first copy's work): copies that differ in anything
that decides their cost are still costed apart."""

from __future__ import annotations

from pathlib import Path

from costmodel.graph import build
from costmodel.spec.load import load_spec, parse_spec


def _spec(blocks: dict, layers: list, params: dict | None = None, input_: list | None = None) -> dict:
    return {"model": "m", "params": params or {}, "input": input_ or [1, 8, 8],
            "blocks": blocks, "layers": layers}


WIDEN = {"unit": {"layers": [{"name": "conv", "op": "conv2d", "out": "in_channels * 2", "kernel": 3,
                              "padding": 1}]}}


def test_copies_whose_input_widens_are_costed_apart() -> None:
    network = build(parse_spec(_spec(WIDEN, [{"name": "body", "op": "unit", "repeat": 3}])))
    params = [network.nodes[f"body.{i}.conv"].cost.params for i in range(3)]
    # k·k·C_in·C_out: 1→2, 2→4, 4→8 channels
    assert params == [3 * 3 * 1 * 2, 3 * 3 * 2 * 4, 3 * 3 * 4 * 8]
    assert network.nodes["body.2.conv"].outputs == [(1, 8, 8, 8)]


def test_equal_copies_share_one_costing_and_keep_their_own_names_and_inputs() -> None:
    network = build(parse_spec(_spec(
        {"unit": {"layers": [{"name": "conv", "op": "conv2d", "out": 4, "kernel": 3, "padding": 1},
                             {"name": "act", "op": "relu"}]}},
        [{"name": "stem", "op": "conv2d", "out": 4, "kernel": 1},
         {"name": "body", "op": "unit", "repeat": 3}])))
    first, second, third = (network.nodes[f"body.{i}.conv"] for i in range(3))
    assert second.cost is third.cost and second.layer is third.layer  # costed once
    assert first.inputs == [("stem", 0)] and second.inputs == [("body.0.act", 0)]
    assert third.inputs == [("body.1.act", 0)] and third.block == ("body.2",)
    assert third.cost.maccs == 3 * 3 * 4 * 4 * 8 * 8  # k·k·C_in·C_out·H′·W′


def test_a_first_copy_override_changes_only_the_first_copy_of_each_expansion() -> None:
    blocks = {"stage": {"layers": [{"name": "conv", "op": "conv2d", "out": 2, "kernel": 1,
                                    "repeat": 2, "first": {"stride": 2}}]}}
    network = build(parse_spec(_spec(blocks, [{"name": "a", "op": "stage"},
                                              {"name": "b", "op": "stage"}], input_=[2, 8, 8])))
    sizes = [network.nodes[name].outputs[0][2:] for name in
             ("a.conv.0", "a.conv.1", "b.conv.0", "b.conv.1")]
    assert sizes == [(4, 4), (4, 4), (2, 2), (2, 2)]  # stride 2 halves 8 → 4, then 4 → 2


def test_calls_with_different_arguments_at_equal_shapes_are_costed_apart() -> None:
    blocks = {"unit": {"params": {"width": None},
                       "layers": [{"name": "conv", "op": "conv2d", "out": "width", "kernel": 1},
                                  {"name": "back", "op": "conv2d", "out": 1, "kernel": 1}]}}
    network = build(parse_spec(_spec(blocks, [{"name": "a", "op": "unit", "width": 3},
                                              {"name": "b", "op": "unit", "width": 5}])))
    # 1×1 convs from 1 channel: C_out weights each
    assert network.nodes["a.conv"].cost.params == 3 and network.nodes["b.conv"].cost.params == 5


def test_symbolic_copies_are_costed_each_and_agree() -> None:
    spec = parse_spec(_spec({"unit": {"layers": [{"name": "conv", "op": "conv2d", "out": "w",
                                                   "kernel": 1}]}},
                            [{"name": "stem", "op": "conv2d", "out": "w", "kernel": 1},
                             {"name": "body", "op": "unit", "repeat": 2}], params={"w": 4}))
    network = build(spec, symbolic=("w",))
    params = network.nodes["body.1.conv"].cost.params
    w, = params.free_symbols
    assert params.subs(w, 4) == 4 * 4  # 1·1·C_in·C_out with C_in = C_out = w
    assert network.nodes["body.0.conv"].cost == network.nodes["body.1.conv"].cost


def test_layers_written_alike_share_one_costing_and_keep_their_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("model: m\ninput: [2, 4, 4]\nlayers:\n"
            + "  - {op: conv2d, out: 2, kernel: 3, padding: 1}\n" * 3
            + "  - {op: conv2d, out: 2, kernel: 3, padding: 1, bias: true}\n")
    network = build(load_spec(path))
    convs = network.ops
    assert convs[1].cost is convs[2].cost and [c.line for c in convs] == [4, 5, 6, 7]
    # k·k·C_in·C_out, and C_out more with a bias
    assert [c.cost.params for c in convs] == [3 * 3 * 2 * 2] * 3 + [3 * 3 * 2 * 2 + 2]
