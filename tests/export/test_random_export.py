"""Differential test over random specs: the exported model run by onnxruntime gives the
numpy reference's output (hypothesis draws the specs of tests/reference/test_random_specs.py:
every op, odd sizes, strides, paddings, dilations, ceil-mode pools, blocks)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from costmodel.export import export_network
from costmodel.graph import build
from costmodel.spec.load import parse_spec
from tests.export.test_proof import RTOL, run
from tests.reference.test_random_specs import specs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_random_specs_run_alike_in_onnxruntime(spec):
    if not spec["layers"]:
        spec["layers"] = [{"op": "relu"}]
    exported = export_network(build(parse_spec(spec)))
    got, expected = run(exported.model, exported.input), exported.output
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=RTOL * np.abs(expected).max())


@pytest.mark.parametrize("layers", [
    # hypothesis' draws (session 12): width 5 → 2 after the conv; a 1×1 max pool of stride 2 in
    # ceil mode gives 1 (PyTorch drops the last window, it starts past the input) where
    # ONNX's ceil gives 2: onnxruntime's NCHWc pool failed, and a concat failed shape inference
    [{"name": "p", "op": "max_pool", "kernel": [1, 1], "stride": [1, 2], "padding": [0, 0], "ceil_mode": True},
     {"name": "c", "op": "conv2d", "kernel": 1, "padding": 1, "out": 1, "bias": False}],
    [{"name": "p", "op": "max_pool", "kernel": [1, 1], "stride": [1, 2], "padding": [0, 0], "ceil_mode": True},
     {"name": "g", "op": "adaptive_avg_pool", "size": [1, 1]}, {"name": "j", "op": "concat", "inputs": ["g", "p"]}]])
def test_a_ceil_mode_pool_exports_pytorchs_size(layers):
    spec = {"model": "ceil", "input": [1, 1, 5], "layers": [
        {"name": "c0", "op": "conv2d", "kernel": [1, 4], "out": 1, "bias": False}, *layers]}
    exported = export_network(build(parse_spec(spec)))
    got, expected = run(exported.model, exported.input), exported.output
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=RTOL * np.abs(expected).max())
