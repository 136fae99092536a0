"""Op facts are declared once, at registration, and consumers read them (issue 10 item 2)."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path
from typing import Literal

import pytest

from costmodel.analysis.result import Analysis
from costmodel.graph import build
from costmodel.ops import OPS
from costmodel.ops.base import CATEGORIES, Geometry, Traffic, has, label, register_op
from costmodel.spec.base import LayerSpec
from costmodel.spec.load import parse_spec
from costmodel.spec.located_yaml import load_yaml

PACKAGE = Path(__file__).parents[2] / "costmodel"

OP_NAMES_ALLOWED = {"ops", "blocks", "transforms", "reference", "export", "importer"}
"""Where an op's name may be written: ops/ declares it; blocks/ and transforms/ write specs
that use ops by name; reference/ is the independent implementation; export/ maps each op
to ONNX (its table is keyed by op name and tied to the registry by its own test);
importer/ maps ONNX back onto ops by name (tied to export by the round-trip test)."""

SPEC_WRITERS = {"latency/calibrate.py"}
"""Modules outside those folders that write specs by op name (the calibration grid)."""

VOCABULARY = {"spec/layers.py"}
"""The layer vocabulary: each class declares the op names it stands for."""

FIELD_TABLES = {"spec/field_docs.py"}
"""Tables keyed by field name, two of which are spelled like ops (ghost_module's ``relu``,
sandglass's ``identity``): they name fields, not ops."""


def test_no_module_outside_the_op_owners_names_an_op() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in OP_NAMES_ALLOWED or relative.as_posix() in SPEC_WRITERS | FIELD_TABLES | VOCABULARY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in OPS:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: '{node.value}'")
    assert not offenders, "ask the op's categories (costmodel.ops.base.has) instead: " + \
        ", ".join(offenders)


def test_every_op_declares_known_categories() -> None:
    for name, definition in OPS.items():
        assert definition.categories <= set(CATEGORIES), name
    # a few facts as the literature states them
    assert has("relu6", "clamp") and not has("hardswish", "clamp")  # TFLite fuses RELU, RELU6
    assert has("silu", "sigmoid_based") and label("silu") == "swish"  # silu is swish, β = 1
    assert {name for name in OPS if has(name, "view")} >= {"flatten", "dropout", "identity"}
    assert not has("concat", "elementwise") and not has("max_pool", "elementwise")
    assert not has("input", "view")  # the input placeholder is no op


def test_an_unknown_category_is_refused_at_registration() -> None:
    class Bogus(LayerSpec):
        op: Literal["bogus"]

    with pytest.raises(ValueError, match="unknown categories"):
        register_op(Bogus, categories=("fast",))(lambda layer, x: None)  # type: ignore[arg-type]
    assert "bogus" not in OPS


def _network(layers: str):  # type: ignore[no-untyped-def]
    text = f"model: t\ninput: [4, 8, 8]\nlayers:\n{layers}"
    return build(parse_spec(load_yaml("t.yaml", text), "t.yaml"), "t.yaml")


def test_conv_formula_returns_its_geometry_and_traffic() -> None:
    net = _network("  - {name: c, op: conv2d, out: 8, kernel: 3, stride: 2, padding: 1, "
                   "groups: 2, bias: true}\n")
    node = net.nodes["c"]
    assert node.geometry == Geometry((3, 3), (2, 2), (1, 1), (1, 1), 2, True)
    # reads 4·8·8 = 256; output 8×4×4 = 128; weights 3·3·(4/2)·8 = 144; bias 8
    assert node.traffic == Traffic(256, 128, 144, 8)
    assert node.traffic.total == node.cost.mem_access == 256 + 128 + 144 + 8
    depthwise = _network("  - {name: d, op: conv2d, kernel: 3, padding: 1, depthwise: true}\n")
    assert depthwise.nodes["d"].geometry.groups == 4  # type: ignore[union-attr]  # C_in


def test_elementwise_share_counts_pointwise_maps_only() -> None:
    net = _network("  - {name: c, op: conv2d, out: 4}\n"      # 256 + 256 + 16 weights = 528
                   "  - {name: bn, op: batchnorm}\n"          # 2·256 + 2·4 = 520
                   "  - {name: r, op: relu}\n"                # 2·256 = 512
                   "  - {name: cat, op: concat, inputs: [r, input]}\n"  # copy: 512 + 512
                   "  - {name: p, op: max_pool, kernel: 2}\n"           # 512 + 128
                   "  - {name: a, op: add, inputs: [p, p]}\n")          # 3·128 = 384
    analysis = Analysis(net)
    assert analysis.elementwise_mem_access == 520 + 512 + 384
    total = 528 + 520 + 512 + 1024 + 640 + 384
    assert analysis.totals.mem_access == total
    assert analysis.elementwise_share == Fraction(520 + 512 + 384, total)
    # folded into the conv, BN reads its 4 shifts and ReLU moves nothing
    fused = Analysis(net, "conv-bn-act")
    assert fused.elementwise_share == Fraction(4 + 0 + 384, total - 520 - 512 + 4)
