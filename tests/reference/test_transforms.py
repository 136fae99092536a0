"""Transforms proven by execution: outputs equal within 1e-5 relative, costs before/after."""

import numpy as np
import pytest

from costmodel.check import check_network
from costmodel.graph import build
from costmodel.ops import OPS
from costmodel.reference import Meter
from costmodel.reference import kernels as K
from costmodel.spec.layers import ConcatShuffleSplit
from costmodel.spec.load import load_spec, parse_spec
from costmodel.transforms import prove, transform

from .test_zoo_check import SPECS

SPEC_DIR = SPECS[0].parent


def network(name, **bindings):
    return build(load_spec(SPEC_DIR / f"{name}.yaml"), name, {"resolution": 32, **bindings})


CASES = [
    ("mobilenet_v2", {}, ["fold-bn"]),
    ("resnet18", {}, ["fold-bn"]),
    ("mobileone", {}, ["reparameterize"]),
    ("mobileone", {}, ["reparameterize", "fold-bn"]),
    ("mobileone", {"se": 1, "branches": 2}, ["reparameterize", "fold-bn"]),
    ("fastvit", {}, ["reparameterize"]),  # RepMixer x + γ·(mixer(x) − BN(x)): one conv
    ("shufflenet_v2", {}, ["fuse-shuffle"]),
    ("shufflenet_v2", {}, ["fuse-shuffle", "fold-bn"]),
]


@pytest.mark.parametrize(("name", "bindings", "names"), CASES, ids=lambda v: str(v))
def test_transformed_network_computes_the_same_and_passes_check(name, bindings, names):
    before = network(name, **bindings)
    assert prove(before, names).relative < 1e-5
    after = transform(before, names).after
    assert check_network(after).ok
    assert before.total.maccs >= after.total.maccs


def test_fold_bn_cost_before_and_after():
    before = network("mobilenet_v2")
    after = transform(before, ["fold-bn"]).after
    bns = [n for n in before.nodes.values() if n.op == "batchnorm"]
    channels = sum(n.outputs[0][1] for n in bns)
    sizes = sum(n.outputs[0][0] * n.outputs[0][1] * n.outputs[0][2] * n.outputs[0][3] for n in bns)
    assert 0 == sum(n.op == "batchnorm" for n in after.nodes.values())
    # each BN (γ, β) becomes a conv bias: −2C + C params; running stats are gone
    assert before.total.params - channels == after.total.params
    assert 0 == after.total.buffers
    # the BN's read of x and write of y (2·|x|) and its 2C scale/shift reads disappear; the
    # conv reads C bias values instead; one bias add replaces one scale-and-shift per element
    assert before.total.mem_access - 2 * sizes - 2 * channels + channels == after.total.mem_access
    assert before.total.elementwise == after.total.elementwise
    assert before.total.fragments - len(bns) == after.total.fragments


def test_reparameterized_mobileone_is_the_inference_form():
    # Vasu et al. 2023 §3.1: the train-time branches collapse into the inference block; the
    # spec's reparam: 1 form is written independently of the transform
    for bindings in ({}, {"w1": "1.5", "w2": "1.5", "w3": 2, "w4": "2.5", "branches": 1, "se": 1}):
        merged = transform(network("mobileone", **bindings), ["reparameterize", "fold-bn"]).after
        assert network("mobileone", reparam=1, **bindings).total == merged.total


def test_reparameterize_leaves_unmatched_adds():
    # a ResNet residual add sums x and bn(conv(relu(bn(conv(x))))): its two inputs do not
    # come from one common tensor through a single conv, so nothing may merge
    before = network("resnet18")
    after = transform(before, ["reparameterize"]).after
    assert sum(n.op == "add" for n in before.nodes.values()) == sum(n.op == "add" for n in after.nodes.values())


def repvgg_spec(c_in, c_out, stride, kernel=3):
    """A RepVGG block (Ding et al. 2021, Fig. 4): k×k conv-BN + 1×1 conv-BN + BN identity."""
    identity = stride == 1 and c_in == c_out
    layers = [
        {"name": "k", "op": "conv_bn_act", "out": c_out, "kernel": kernel, "stride": stride,
         "act": "none", "inputs": "input"},
        {"name": "one", "op": "conv_bn_act", "out": c_out, "kernel": 1, "stride": stride,
         "act": "none", "inputs": "input"},
        *([{"name": "id", "op": "batchnorm", "inputs": "input"}] if identity else []),
        {"name": "sum", "op": "add", "inputs": ["k", "one", *(["id"] if identity else [])]},
        {"name": "relu", "op": "relu"},
    ]
    return parse_spec({"model": "repvgg_block", "input": [c_in, 9, 7], "batch": 2, "layers": layers})


@pytest.mark.parametrize(("c_in", "c_out", "stride", "kernel"),
                         [(4, 4, 1, 3), (4, 6, 2, 3), (3, 3, 1, 5), (6, 6, 1, [3, 1])])
def test_repvgg_block_becomes_one_conv(c_in, c_out, stride, kernel):
    before = build(repvgg_spec(c_in, c_out, stride, kernel))
    assert prove(before, ["reparameterize"]).relative < 1e-5
    after = transform(before, ["reparameterize"]).after
    assert ["conv2d", "relu"] == [n.op for n in after.nodes.values() if n.op != "input"]
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    assert kh * kw * c_in * c_out + c_out == after.total.params  # one k×k conv with bias


def test_repmixer_becomes_one_depthwise_conv():
    # FastViT's RepMixer (Vasu et al. 2023, eq. 2): x + γ·(BN(dwconv(x)) − BN(x)) is one
    # depthwise 3×3 conv with bias: W = I + γ·(W_dw·s₁ − I·s₂), 9C + C params
    c = 5
    layers = [
        {"name": "mixer", "op": "conv_bn_act", "kernel": 3, "depthwise": True, "act": "none",
         "inputs": "input"},
        {"name": "norm", "op": "batchnorm", "inputs": "input"},
        {"name": "diff", "op": "sub", "inputs": ["mixer", "norm"]},
        {"name": "scale", "op": "layer_scale"},
        {"name": "out", "op": "add", "inputs": ["scale", "input"]},
        {"name": "relu", "op": "relu"},
    ]
    before = build(parse_spec({"model": "repmixer", "input": [c, 8, 6], "batch": 2,
                               "layers": layers}))
    assert prove(before, ["reparameterize"]).relative < 1e-5
    after = transform(before, ["reparameterize"]).after
    assert ["conv2d", "relu"] == [n.op for n in after.nodes.values() if n.op != "input"]
    assert (after.total.params, after.total.maccs) == (9 * c + c, 9 * c * 8 * 6 * 2)


def test_fused_shuffle_costs_one_copy():
    before = network("shufflenet_v2")
    after = transform(before, ["fuse-shuffle"]).after
    fused = [n for n in after.nodes.values() if n.op == "concat_shuffle_split"]
    chains = [n for n in before.nodes.values() if n.op == "shuffle"]
    assert len(chains) == len(fused)  # every concat → shuffle fused
    assert 0 == sum(n.op in ("concat", "shuffle") for n in after.nodes.values())
    for node in fused:
        size = sum(node.outputs[k][0] * node.outputs[k][1] * node.outputs[k][2] * node.outputs[k][3]
                   for k in range(len(node.outputs)))
        assert 2 * size == node.cost.mem_access  # every element read once and written once


def test_fused_op_formula_by_hand():
    layer = ConcatShuffleSplit(op="concat_shuffle_split", groups=2, parts=2)
    result = OPS["concat_shuffle_split"].formula(layer, (1, 58, 28, 28), (1, 58, 28, 28))
    assert [(1, 58, 28, 28), (1, 58, 28, 28)] == result.outputs
    assert 2 * 116 * 28 * 28 == result.cost.mem_access  # read 116·28·28, write it once
    assert (0, 0, 1) == (result.cost.maccs, result.cost.elementwise, result.cost.fragments)


def test_fused_kernel_equals_the_three_ops():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 6, 3, 5)), rng.standard_normal((2, 4, 3, 5))
    meter = Meter()
    fused = K.concat_shuffle_split(meter, [a, b], 2, [3, 7])
    chain = K.channel_split(Meter(), K.channel_shuffle(Meter(), K.concat(Meter(), [a, b]), 2), [3, 7])
    for got, expected in zip(fused, chain, strict=True):
        np.testing.assert_array_equal(expected, got)
    assert 2 * 2 * 10 * 3 * 5 == meter.mem_access  # one read and one write per element
