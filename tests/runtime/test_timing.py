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
