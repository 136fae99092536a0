"""Read an ONNX file safely: a regular file of bounded size, parsed as a ModelProto."""

from __future__ import annotations

import os
import stat
from typing import Any

from costmodel.errors import SpecError

__all__ = ["MAX_ONNX_BYTES", "MAX_ONNX_NODES", "read_model"]

MAX_ONNX_BYTES = 512 * 1024 * 1024
"""Largest file read; beyond it the model is refused before reading (weights can be stripped).
Full-weight exports of the families' large members fit: timm repvgg_b3 with its train-time
branches holds 123 M params (492 MB), nasnetalarge 355 MB, efficientformer_l7 328 MB. The
file is read whole and parsed: a 462 MB one took 4.4 s of CPU and 0.98 GB of memory to
``report`` (2-core machine under load)."""
MAX_ONNX_NODES = 10_000
"""Most nodes in a model's graph; beyond it the model is refused once parsed, before any
node is converted. Every node of an ONNX graph is written out (no ``repeat`` shares the
costing of copies, as in a spec), so each costs its own conversion, validation and costing,
twice for ``check`` (its forward, then a clean one against onnxruntime's output): on this
2-core machine under load, Relu chains took 4.2 s of CPU to report and 6.4 s to check at
10,000 nodes, 6.7 s and 9.7 s at 20,000, 7.3 s and 11.7 s at 25,000 (10 s is the bound
every input must meet). CNN exports have hundreds to a few thousand nodes."""


def read_model(path: str) -> Any:
    """The ``onnx.ModelProto`` at ``path``. Raises :class:`SpecError` for special files,
    oversized, unreadable or malformed input (never reads more than MAX_ONNX_BYTES + 1)."""
    import onnx
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped]

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise SpecError(f"cannot read ONNX model: {error.strerror}", path=path) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SpecError("not a regular file", path=path)
        data = handle.read(MAX_ONNX_BYTES + 1)
    if len(data) > MAX_ONNX_BYTES:
        raise SpecError(f"file exceeds {MAX_ONNX_BYTES} bytes", path=path)
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as error:
        raise SpecError(f"not an ONNX model (protobuf: {str(error).splitlines()[0] if str(error) else 'decode error'})",
                        path=path) from None
    if not model.HasField("graph") or not model.graph.node:
        raise SpecError("not an ONNX model (no graph nodes)", path=path)
    if len(model.graph.node) > MAX_ONNX_NODES:
        raise SpecError(f"the graph has {len(model.graph.node):,} nodes; at most {MAX_ONNX_NODES:,} "
                        "are read (MAX_ONNX_NODES: each node is converted and costed on its own)",
                        path=path)
    return model
