"""Execution models: per-op and conv-bn-act folding."""

from __future__ import annotations

from costmodel.analysis.fusion import execution_view
from costmodel.graph import build
from costmodel.spec.load import parse_spec
from costmodel.spec.located_yaml import load_yaml


def network(layers: str):  # type: ignore[no-untyped-def]
    text = f"model: t\ninput: [4, 8, 8]\nlayers:\n{layers}"
    return build(parse_spec(load_yaml("t.yaml", text), "t.yaml"), "t.yaml")


def test_conv_bn_relu_folds_into_one_kernel() -> None:
    net = network("  - {name: c, op: conv_bn_act, out: 8}\n")
    plain = execution_view(net, "none").total
    fused = execution_view(net, "conv-bn-act")
    # conv: 4·64 read + 8·64 written + 32 weights = 800; BN: 2·512 + 2·8 = 1040; ReLU: 1024
    assert (plain.mem_access, plain.fragments, plain.elementwise) == (800 + 1040 + 1024, 3, 1024)
    # folded: BN's shift is a bias (8 reads, 512 adds); ReLU clamps in registers (512 ops)
    assert (fused.total.mem_access, fused.total.fragments, fused.total.elementwise) == (808, 1, 1024)
    assert fused.folded_into == {"c.bn": "c.conv", "c.act": "c.conv"}
    assert fused.total.params == plain.params and fused.total.maccs == plain.maccs


def test_unfusable_activation_and_shared_output_stay() -> None:
    net = network("  - {name: c, op: conv_bn_act, out: 8, act: hardswish}\n")
    assert execution_view(net, "conv-bn-act").folded_into == {"c.bn": "c.conv"}
    shared = network("  - {name: c, op: conv2d, out: 8}\n  - {name: bn, op: batchnorm}\n"
                     "  - {name: s, op: add, inputs: [c, bn]}\n")
    assert execution_view(shared, "conv-bn-act").folded_into == {}


def test_bias_conv_merges_the_shift() -> None:
    net = network("  - {name: c, op: conv2d, out: 8, bias: true}\n  - {name: bn, op: batchnorm}\n")
    cost = execution_view(net, "conv-bn-act").costs["bn"]
    assert (cost.mem_access, cost.elementwise, cost.fragments) == (0, 0, 0)


def test_report_shows_the_fused_view_and_peak_memory() -> None:
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from costmodel.cli import main

    spec = str(Path(__file__).parents[2] / "specs" / "mobilenet_v2.yaml")
    plain = json.loads(CliRunner().invoke(main, ["report", spec, "--format", "json", "--totals-only"]).output)
    fused = json.loads(CliRunner().invoke(main, ["report", spec, "--format", "json", "--totals-only",
                                                 "--fuse", "conv-bn-act"]).output)
    assert fused["totals"]["maccs"] == plain["totals"]["maccs"]
    assert fused["totals"]["fragments"] < plain["totals"]["fragments"]
    # 96×112×112 expansion read by its BN while the BN writes its own: 2·96·112·112
    assert plain["totals"]["peak_memory"] == 2 * 96 * 112 * 112 == plain["totals"]["peak_memory_best"]
    assert plain["totals"]["peak_memory_bytes"] == 4 * 2 * 96 * 112 * 112
    table = CliRunner().invoke(main, ["report", spec, "--totals-only"]).output
    assert "peak_memory  2,408,448 elements" in table
