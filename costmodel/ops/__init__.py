"""Primitive ops. Importing this package registers every op in :data:`OPS`."""

from costmodel.ops import (  # noqa: F401  (registration)
    conv,
    elementwise,
    fused,
    layout,
    linear,
    matmul,
    norm,
    pool,
    position,
    resample,
    tensor,
)
from costmodel.ops.base import OPS, OpDef, OpResult, Shape

__all__ = ["OPS", "OpDef", "OpResult", "Shape"]
