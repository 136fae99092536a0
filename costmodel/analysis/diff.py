"""Differences between two analyses: per block (rolled up to a depth) and in total."""

from __future__ import annotations

from dataclasses import dataclass

from costmodel.analysis.result import Analysis
from costmodel.cost import Cost

__all__ = ["BlockDelta", "Diff", "diff"]


@dataclass(frozen=True)
class BlockDelta:
    """One block (or layer) of either side: its cost on each side (None where absent)."""

    name: str
    a: Cost | None
    b: Cost | None

    def delta(self, metric: str) -> int:
        """B − A of ``metric``, an absent side counting 0."""
        return (getattr(self.b, metric) if self.b else 0) - (getattr(self.a, metric) if self.a else 0)


@dataclass(frozen=True)
class Diff:
    """Two analyses side by side: blocks in A's order (then B's new ones) and totals."""

    a: Analysis
    b: Analysis
    blocks: list[BlockDelta]

    def changed(self, metrics: tuple[str, ...]) -> list[BlockDelta]:
        """The blocks whose ``metrics`` differ, or that only one side has."""
        return [block for block in self.blocks
                if block.a is None or block.b is None or any(block.delta(m) for m in metrics)]


def diff(a: Analysis, b: Analysis, depth: int = 1) -> Diff:
    """Blocks matched by name ``depth`` levels down (:meth:`Analysis.by_block`)."""
    rows_a, rows_b = a.by_block(depth), b.by_block(depth)
    names = list(rows_a) + [name for name in rows_b if name not in rows_a]
    return Diff(a, b, [BlockDelta(name, rows_a.get(name), rows_b.get(name)) for name in names])
