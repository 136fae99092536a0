"""Differential test over random specs: the exported model run by onnxruntime gives the
numpy reference's output (hypothesis draws the specs of tests/reference/test_random_specs.py:
every op, odd sizes, strides, paddings, dilations, ceil-mode pools, blocks)."""

import numpy as np
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
