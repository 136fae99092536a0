"""The op budget: how many primitive ops a spec expands to, bounded below before anything
is expanded, so that ``repeat: 1000000000``, blocks nested to 10⁹ ops or
``branches: 100000000`` are refused at once instead of exhausting time and memory.

A lower bound is enough to refuse early: every layer is at least one op, a call of a user
block at least that block's bound, a repeat n times its layer's, and a built-in block at
least the product of the fields its class lists in ``counts`` (MobileOne's ``branches``).
Values still written as expressions count as 1; the builder checks again, with exact
counts, as it expands (:meth:`OpBudget.reserve`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from costmodel.arith import as_int
from costmodel.errors import SpecError
from costmodel.spec.base import MAX_BLOCK_DEPTH, MAX_NETWORK_NODES, LayerSpec

__all__ = ["OpBudget", "MAX_NETWORK_NODES", "BUDGET_DEPTH"]

BUDGET_DEPTH = 4 * MAX_BLOCK_DEPTH
"""Levels of user blocks the bound descends through. Deeper than MAX_BLOCK_DEPTH the builder
refuses the spec anyway; descending a little further still refuses a deep doubling chain for
its size (2⁴⁰ ops), while a chain of 1,000 distinct blocks no longer recurses past Python's
stack (a RecursionError before this bound)."""


def _literal(value: Any) -> int:
    value = as_int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 1 else 1


class OpBudget:
    """Lower bounds of op counts for one spec's user ``blocks`` (each computed once)."""

    def __init__(self, blocks: Mapping[str, Any]) -> None:
        self.blocks = blocks
        self.known: dict[str, int] = {}
        self.open: set[str] = set()

    def layers(self, layers: Sequence[LayerSpec]) -> int:
        """Lower bound of the ops ``layers`` expand to (capped just above the limit)."""
        total = 0
        for layer in layers:
            total += self.layer(layer)
            if total > MAX_NETWORK_NODES:
                break
        return total

    def layer(self, layer: LayerSpec, copies: int | None = None) -> int:
        """Lower bound of the ops one layer expands to: all its repeats (``copies`` of them
        when the count is known, else its literal ``repeat``)."""
        each = 1
        # a recursive call fails later (the builder refuses it with one line), and so does one
        # nested deeper than MAX_BLOCK_DEPTH: below BUDGET_DEPTH a block counts as its one op
        if layer.op in self.blocks and layer.op not in self.open and len(self.open) < BUDGET_DEPTH:
            if layer.op not in self.known:
                self.open.add(layer.op)
                self.known[layer.op] = max(1, self.layers(self.blocks[layer.op].layers))
                self.open.discard(layer.op)
            each = self.known[layer.op]
        for field in type(layer).counts:
            each *= _literal(getattr(layer, field))
        if copies is None:
            copies = _literal(layer.repeat) if layer.repeat is not None else 1
        return min(each, MAX_NETWORK_NODES + 1) * copies

    @staticmethod
    def reserve(existing: int, more: int, what: str) -> None:
        """Refuse an expansion of ``more`` ops on top of ``existing`` beyond the limit."""
        if existing + more > MAX_NETWORK_NODES:
            raise SpecError(f"{what} would expand the network beyond {MAX_NETWORK_NODES:,} ops "
                            f"(at least {existing + more:,}), the most a network may have "
                            "(MAX_NETWORK_NODES, so that every command finishes within seconds)")
