"""Spec → spec transforms, proven by execution.

Importing this package registers every transform in :data:`TRANSFORMS`, in the order
they are applied: ``reparameterize``, ``fold-bn``, ``fuse-shuffle``.
"""

from costmodel.transforms import fold_bn, fuse_shuffle, reparameterize  # noqa: F401  (registration, in order)
from costmodel.transforms.apply import Equivalence, Transformed, prove, transform
from costmodel.transforms.base import TRANSFORMS, TransformDef

__all__ = ["TRANSFORMS", "TransformDef", "Transformed", "Equivalence", "transform", "prove"]
