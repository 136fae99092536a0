"""A measuring process runs numpy's BLAS on one thread (no worker spinning on another core)."""

import ctypes
import os

import numpy as np
import pytest

import costmodel.runtime.onnxruntime_backend  # noqa: F401  (importing it limits BLAS)
from costmodel.runtime.timing import single_threaded_blas


def _openblas() -> ctypes.CDLL:
    with open("/proc/self/maps", encoding="utf-8") as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()})
    if not paths:
        pytest.skip("numpy is not linked to OpenBLAS here")
    return ctypes.CDLL(paths[0])


def test_the_backend_leaves_numpy_one_blas_thread():
    library = _openblas()
    getter = next(getattr(library, name) for name in ("scipy_openblas_get_num_threads64_",
                                                      "openblas_get_num_threads64_", "openblas_get_num_threads")
                  if hasattr(library, name))
    np.ones((64, 64)) @ np.ones((64, 64))  # a BLAS call after the limit still runs, on one thread
    assert getter() == 1
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert single_threaded_blas() == 1  # the loaded library is found again, nothing else


def test_a_profiled_session_times_plain_and_profiled_runs_and_calls_the_hook_untimed(tmp_path):
    # a relu of 8 elements: each timed run is preceded by the hook (cache eviction in the
    # calibration), outside the timed interval; plain and profiled runs alternate
    from costmodel.export import export_network
    from costmodel.graph import build
    from costmodel.runtime.base import RunOptions
    from costmodel.runtime.onnxruntime_backend import OnnxRuntime
    from costmodel.spec.load import parse_spec

    spec = {"model": "r", "input": [8, 1, 1], "layers": [{"name": "k", "op": "relu"}]}
    exported = export_network(build(parse_spec(spec), "<r>", {}), seed=0)
    calls = []
    session = OnnxRuntime().profiled(exported.model.SerializeToString(),
                                     {exported.model.graph.input[0].name: exported.input},
                                     RunOptions(1, "all"), str(tmp_path), before_run=lambda: calls.append(1))
    session.run(3)
    times = session.finish()
    assert len(calls) == 6 and len(times.plain_us) == 3 and len(times.cpu_us) == 3
    assert len(times.node_us) == 3 and set(times.op_types.values()) == {"Relu"}
