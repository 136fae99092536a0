"""Proof by execution: every spec and variant in specs/ exports to a model that passes the
ONNX checker (full check) and that onnxruntime runs to the numpy reference's output.

"Equal within 1e-4 relative": |onnxruntime − reference| ≤ 1e-4·|reference| + 1e-4·max|reference|
element by element (the second term keeps outputs near zero from demanding absolute
agreement below float32 rounding of the largest logits). Small resolutions keep CI fast.
"""

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from costmodel.export import export_network
from tests.reference.test_zoo_check import SPECS, cases, small_network

RTOL = 1e-4


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


@pytest.mark.parametrize(("path", "bindings"), list(cases()))
def test_onnxruntime_agrees_with_the_reference(path, bindings):
    exported = export_network(small_network(path, bindings))
    onnx.checker.check_model(exported.model, full_check=True)
    got = run(exported.model, exported.input)
    expected = exported.output
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=RTOL * np.abs(expected).max())


def test_every_spec_is_covered():
    # the cases come from the folder, so a new spec is proven without editing this test
    assert {path.stem for path, _ in (case.values for case in cases())} == {p.stem for p in SPECS}
