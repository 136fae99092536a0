"""Exact params and MACCs of the transformer-era zoo specs (MobileViT XXS/XS/S,
EfficientFormer-L1, MobileNetV4 hybrid-medium) against timm, in total and layer by layer.

Every number was measured by tools/reference_counts.py (run in a throwaway environment with
torch 2.14.1, torchvision 0.29.1, timm 1.0.31; totals in tools/reference_counts.json): the
reference built with random weights, params = Σ numel of its parameters, MACCs =
torch.utils.flop_counter.FlopCounterMode ÷ 2 with scaled-dot-product attention forced to its
math backend, so the attention matmuls count heads·L_q·L_k·(d_qk + d_v) as in costmodel
(docs/glossary.md). tests/zoo/data/transformer_layers.json holds the per-layer rows of
``tools/reference_counts.py MODEL --layers`` (every Conv2d and Linear module of the
reference in execution order: output shape, params, MACCs by forward hook).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costmodel import analyze
from costmodel.graph import build
from costmodel.spec.load import load_spec

SPECS = Path(__file__).resolve().parents[2] / "specs"
LAYERS = json.loads((Path(__file__).parent / "data" / "transformer_layers.json").read_text())["models"]

CASES = [
    # spec, variant (= the timm model), params, maccs, of which attention matmuls (bmm)
    ("mobilevit", "mobilevit_xxs", 1_272_024, 407_364_096, 78_184_448),
    ("mobilevit", "mobilevit_xs", 2_317_848, 1_025_911_808, 117_276_672),
    ("mobilevit", "mobilevit_s", 5_578_632, 2_000_831_488, 177_635_328),
    ("efficientformer", "efficientformer_l1", 12_289_928, 1_291_284_736, 3_073_280),
    ("mobilenetv4_hybrid_medium", "mobilenetv4_hybrid_medium", 11_074_648, 1_271_183_360, 41_943_040),
]
IDS = [case[1] for case in CASES]


def _network(spec: str, variant: str):
    path = SPECS / f"{spec}.yaml"
    loaded = load_spec(path)
    bindings = next(v for v in loaded.variants if v.name == variant).bindings
    return build(loaded, str(path), dict(bindings))


@pytest.mark.parametrize("spec, variant, params, maccs, attention", CASES, ids=IDS)
def test_reference_counts(spec, variant, params, maccs, attention):
    bindings = next(v for v in load_spec(SPECS / f"{spec}.yaml").variants if v.name == variant).bindings
    totals = analyze(SPECS / f"{spec}.yaml", **bindings).totals
    assert (totals.params, totals.maccs) == (params, maccs)


@pytest.mark.parametrize("spec, variant, params, maccs, attention", CASES, ids=IDS)
def test_attention_matmuls_are_the_references_bmm(spec, variant, params, maccs, attention):
    # e.g. MobileNetV4 hybrid-medium: 4 MQA blocks at 16×16 with keys at 8×8 and 4 at 8×8,
    # 4 heads of 64: 4·(4·256·64·128) + 4·(4·64·64·128) = 41,943,040
    network = _network(spec, variant)
    assert sum(n.cost.maccs for n in network.nodes.values() if n.op == "matmul") == attention


@pytest.mark.parametrize("spec, variant", [case[:2] for case in CASES], ids=IDS)
def test_every_conv_and_linear_matches_the_reference_layer(spec, variant):
    network = _network(spec, variant)
    ours = [[list(n.outputs[0]), n.cost.params, n.cost.maccs]
            for n in network.nodes.values() if n.op in ("conv2d", "linear")]
    theirs = [row[1:] for row in LAYERS[variant]["layers"]]
    assert ours == theirs


def test_every_variant_has_a_reference_count():
    for spec in {case[0] for case in CASES}:
        names = {v.name for v in load_spec(SPECS / f"{spec}.yaml").variants}
        assert names == {case[1] for case in CASES if case[0] == spec}


def test_the_layer_data_agrees_with_the_totals():
    for _, variant, params, maccs, attention in CASES:
        rows = LAYERS[variant]
        assert (rows["params"], rows["maccs"], rows["attention_maccs"]) == (params, maccs, attention)
        assert sum(row[3] for row in rows["layers"]) + attention == maccs  # hooks + bmm
