"""Expansion caps: a spec expanding past MAX_NETWORK_NODES ops is refused BEFORE anything is
allocated (issue 9: ``repeat: 1000000000``, blocks nested to 10⁹ ops and ``split parts:
1e8`` hung or exhausted memory), with one line naming the file; the bound is a lower bound
of the op count, so the refusal costs time proportional to the spec's text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.budget import MAX_NETWORK_NODES, OpBudget
from costmodel.cli import main
from costmodel.spec.load import parse_spec
from tests.safety.files import assert_one_line_error

HEAD = "model: t\nparams: {n: {default: 1, min: 1, max: 1000000000}}\ninput: [3, 8, 8]\n"

CASES = {
    "repeat_1e9": "layers:\n  - {op: relu, repeat: 1000000000}\n",
    "repeat_limit_plus_one": f"layers:\n  - {{op: relu, repeat: {MAX_NETWORK_NODES + 1}}}\n",
    "repeat_expression": "layers:\n  - {op: relu, repeat: '10 ** 9'}\n",
    "repeat_parameter": "layers:\n  - {op: relu, repeat: n * 1000}\n",
    "two_stages": f"layers:\n  - {{op: relu, repeat: {MAX_NETWORK_NODES // 2 + 1}}}\n"
                  f"  - {{op: relu6, repeat: {MAX_NETWORK_NODES // 2 + 1}}}\n",
    "nested_blocks_1e9": "blocks:\n  b1: {layers: [{op: relu, repeat: 1000}]}\n"
                         "  b2: {layers: [{op: b1, repeat: 1000}]}\n"
                         "layers:\n  - {op: b2, repeat: 1000}\n",
    "nested_blocks_deep": "blocks:\n" + "".join(
        f"  b{k}: {{layers: [{{op: {'relu' if k == 0 else f'b{k - 1}'}}}, {{op: {'relu' if k == 0 else f'b{k - 1}'}}}]}}\n"
        for k in range(40)) + "layers:\n  - {op: b39}\n",                  # 2^40 ops
    "split_parts_1e8": "layers:\n  - {op: split, parts: 100000000}\n",
    "mobileone_branches": "layers:\n  - {op: mobileone_block, out: 8, branches: 100000000}\n",
    "mobileone_stage": "layers:\n  - {op: mobileone_stage, out: 8, blocks: 1000, branches: 1000}\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["report", "lint", "check", "transform"])
def test_expansion_beyond_the_limit_is_refused(tmp_path: Path, case: str, command: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(HEAD + CASES[case])
    extra = ["--fold-bn"] if command == "transform" else []
    result = CliRunner().invoke(main, [command, str(spec), *extra, "--set", "n=1000000"])
    line = assert_one_line_error(result, str(spec))
    assert f"{MAX_NETWORK_NODES:,}" in line or "out of range" in line or "at most" in line, line


def test_at_the_limit_is_built(tmp_path: Path) -> None:
    # 1 conv + (limit − 1) relus: exactly MAX_NETWORK_NODES ops (the input is not an op), accepted
    spec = tmp_path / "s.yaml"
    spec.write_text("model: t\ninput: [3, 1, 1]\nlayers:\n  - {op: conv2d, out: 2, kernel: 1}\n"
                    f"  - {{op: relu, repeat: {MAX_NETWORK_NODES - 1}}}\n")
    result = CliRunner().invoke(main, ["report", str(spec), "--totals-only"])
    assert result.exit_code == 0, result.output
    assert "params       6" in result.output       # 3·2 weights, no bias
    assert f"fragments    {MAX_NETWORK_NODES:,}" in result.output  # one kernel per op


@pytest.mark.parametrize(("layers", "line", "layer"), [
    # one op past the limit, found by the lower bound before expanding, at the layer crossing it
    (f"  - {{op: conv2d, out: 2, kernel: 1}}\n  - {{name: r, op: relu, repeat: {MAX_NETWORK_NODES}}}\n",
     5, "'r' (relu)"),
    # two calls of a block, each under the limit: refused at the call crossing it
    (f"blocks:\n  b:\n    layers:\n      - {{name: r, op: relu, repeat: {MAX_NETWORK_NODES // 2 + 1}}}\n"
     "layers:\n  - {name: x, op: b}\n  - {name: y, op: b}\n", 9, "'y' (b)"),
    # a count the lower bound cannot see (an expression): refused as the block expands, at the
    # block's layer, named by its instance
    (f"blocks:\n  b:\n    layers:\n      - {{name: r, op: relu, repeat: 'in_channels * {MAX_NETWORK_NODES // 3 + 1}'}}\n"
     "layers:\n  - {name: x, op: b}\n", 6, "'x.r' (relu)"),
])
def test_just_beyond_the_limit_is_refused_at_its_line(tmp_path: Path, layers: str, line: int,
                                                      layer: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("model: t\ninput: [3, 1, 1]\n" + ("" if layers.startswith("blocks") else "layers:\n")
                    + layers)
    result = CliRunner().invoke(main, ["report", str(spec)])
    message = assert_one_line_error(result, f"{spec}:{line}: layer {layer}: ")
    assert f"beyond {MAX_NETWORK_NODES:,} ops" in message and "MAX_NETWORK_NODES" in message


@pytest.mark.parametrize(("layers", "bound"), [
    ("[{op: relu, repeat: 7}]", 7),
    ("[{op: relu, repeat: 7}, {op: relu6}]", 8),
    ("[{op: b, repeat: 3}]", 3 * 5),                                # b: relu × 5
    ("[{op: relu, repeat: n}]", 1),                                 # an expression counts 1
])
def test_lower_bound(layers: str, bound: int) -> None:
    spec = parse_spec({"model": "t", "params": {"n": 3}, "input": [3, 8, 8],
                       "blocks": {"b": {"layers": [{"op": "relu", "repeat": 5}]}},
                       "layers": __import__("yaml").safe_load(layers)})
    assert OpBudget(spec.blocks).layers(spec.layers) == bound
