"""The layer_scale op (γ·x per channel) against hand arithmetic, on images and on tokens."""

from __future__ import annotations

from costmodel import analyze
from costmodel.check import check_network
from costmodel.graph import build
from costmodel.spec.load import parse_spec


def test_layer_scale_on_an_image():
    # 1×40×56×56: γ has 40 values; one multiply per element, x read and y written, γ read
    a = analyze(parse_spec({"model": "t", "input": [40, 56, 56], "layers": [{"op": "layer_scale"}]}))
    size = 40 * 56 * 56
    assert (a.totals.params, a.totals.maccs) == (40, 0)
    assert (a.totals.elementwise, a.totals.mem_access) == (size, 2 * size + 40)


def test_layer_scale_is_checked_by_the_reference_forward():
    spec = parse_spec({"model": "t", "input": [8, 5, 5], "layers": [
        {"op": "conv2d", "out": 16, "kernel": 3, "padding": 1}, {"op": "layer_scale"}]})
    assert check_network(build(spec, "t", {})).ok
