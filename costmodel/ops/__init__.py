"""Primitive ops. Importing this package registers every op in :data:`OPS`."""

from costmodel.ops import conv, elementwise, fused, linear, pool, tensor  # noqa: F401  (registration)
from costmodel.ops.base import OPS, OpDef, OpResult, Shape

__all__ = ["OPS", "OpDef", "OpResult", "Shape"]
