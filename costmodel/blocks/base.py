"""The block registry: a block is a spec class plus an expansion into child layers.

An expansion receives the block layer with its expression fields evaluated and the shapes
of its inputs, and returns child layer specs. Children are named relative to the block (``expand`` becomes
``features.3.expand``), default to chaining, and may refer to ``input`` (the block's
input; ``input:k`` for its k-th) or to a sibling by name. The block's output is its last
child. Children may themselves be blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

from costmodel.ops.base import Shape
from costmodel.spec.base import LayerSpec

__all__ = ["BlockSpec", "BlockDef", "BLOCKS", "register_block"]


class BlockSpec(LayerSpec):
    """A layer that expands into other layers."""

    kind: ClassVar[str] = "block"


Expansion = Callable[[BlockSpec, list[Shape]], list[LayerSpec]]


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
        for name in spec.model_fields["op"].annotation.__args__:
            if name in BLOCKS:
                raise ValueError(f"block '{name}' is registered twice")
            BLOCKS[name] = BlockDef(name, spec, expand)
        return expand

    return decorate
