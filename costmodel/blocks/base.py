"""The block registry: a block is a spec class plus an expansion into child layers.

An expansion receives the block layer with its expression fields evaluated and the shapes
of its inputs, and returns child layer specs. Children are named relative to the block (``expand`` becomes
``features.3.expand``), default to chaining, and may refer to ``input`` (the block's
input; ``input:k`` for its k-th) or to a sibling by name. The block's output is its last
child. Children may themselves be blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from costmodel.errors import SpecError
from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec, op_names
from costmodel.spec.layers import BlockSpec

__all__ = ["BlockDef", "BLOCKS", "register_block", "child_name", "token_channels"]


Expansion = Callable[[Any, list[Shape]], list[LayerSpec]]
"""``(layer, input_shapes) -> children``; ``layer`` is the registered spec class (hence Any:
a callable taking a subclass is not a callable taking every BlockSpec)."""


@dataclass(frozen=True)
class BlockDef:
    """A registered built-in block."""

    name: str
    spec: type[BlockSpec]
    expand: Expansion


BLOCKS: dict[str, BlockDef] = {}


def register_block(spec: type[BlockSpec]) -> Callable[[Expansion], Expansion]:
    """Register ``expand`` as the expansion of ``spec``'s op name; duplicates are refused."""

    def decorate(expand: Expansion) -> Expansion:
        for name in op_names(spec):
            if name in BLOCKS:
                raise ValueError(f"block '{name}' is registered twice")
            BLOCKS[name] = BlockDef(name, spec, expand)
        return expand

    return decorate


def child_name(child: LayerSpec) -> str:
    """The name of a child an expansion built (expansions name every child they return)."""
    if child.name is None:
        raise ValueError(f"an expansion built an unnamed {child.op} child")
    return child.name


def token_channels(op: str, x: Shape) -> Any:
    """C of a block's input tokens N×L×C; any other rank is refused, naming ``op``."""
    if len(x) != 3:
        raise SpecError(f"{op} needs tokens N×L×C (add a 'tokens' or 'unfold_patches' layer)")
    return x[2]
