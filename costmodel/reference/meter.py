"""Counted primitives: the only way reference kernels do work that is counted.

A `Meter` tallies what the reference forward *executes*. Kernels read a tensor
with `Meter.load`, write one with `Meter.store`, multiply-accumulate with
`Meter.contract`, and do element-wise or reducing arithmetic with
`Meter.apply` and `Meter.reduce`. Every count is derived from the arrays
handed to the primitive, never from a cost formula (DESIGN.md, principle 3), so
comparing a meter with the analytic counts is an independent check.

All counts are in elements, batch included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Counts", "Measurement", "Meter"]


@dataclass(frozen=True, slots=True)
class Counts:
    """An immutable tally; `mem_access` = `reads` + `writes` (ShuffleNetV2 MAC)."""

    maccs: int = 0
    reads: int = 0
    writes: int = 0
    elementwise: int = 0

    @property
    def mem_access(self) -> int:
        """Elements read plus elements written."""
        return self.reads + self.writes

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.maccs + other.maccs,
            self.reads + other.reads,
            self.writes + other.writes,
            self.elementwise + other.elementwise,
        )

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.maccs - other.maccs,
            self.reads - other.reads,
            self.writes - other.writes,
            self.elementwise - other.elementwise,
        )


@dataclass(slots=True)
class Measurement:
    """What a `Meter` tallied inside one `Meter.measure` block; set when it exits."""

    counts: Counts = field(default_factory=Counts)


@dataclass(slots=True)
class Meter:
    """A mutable tally of executed work, with the counted primitives.

    Examples:
        >>> meter = Meter()
        >>> with meter.measure() as node:
        ...     y = meter.contract("ik,kj->ij", np.ones((2, 3)), np.ones((3, 4)))
        >>> node.counts.maccs  # i·k·j
        24
    """

    maccs: int = 0
    reads: int = 0
    writes: int = 0
    elementwise: int = 0

    @property
    def mem_access(self) -> int:
        """Elements read plus elements written."""
        return self.reads + self.writes

    def snapshot(self) -> Counts:
        """The tally so far, as an immutable value."""
        return Counts(self.maccs, self.reads, self.writes, self.elementwise)

    def __sub__(self, earlier: Counts) -> Counts:
        """What was tallied since the snapshot `earlier`."""
        return self.snapshot() - earlier

    @contextmanager
    def measure(self) -> Iterator[Measurement]:
        """Yield a `Measurement` that holds this block's counts once it exits."""
        measurement = Measurement()
        start = self.snapshot()
        try:
            yield measurement
        finally:
            measurement.counts = self - start

    def load(self, array: np.ndarray) -> np.ndarray:
        """Read a whole tensor once: `reads += array.size`."""
        self.reads += array.size
        return array

    def store(self, array: np.ndarray) -> np.ndarray:
        """Write a whole tensor once: `writes += array.size`."""
        self.writes += array.size
        return array

    def contract(self, subscripts: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Contract two operands like `np.einsum(subscripts, a, b)`.

        `maccs += ∏ extent(i)` over the distinct indices of both operands: one
        multiply-accumulate per point of the iteration space the contraction
        runs. Indices summed over must occur in both operands; an index occurs
        at most once per operand. Summed contractions run as batched BLAS matmul.

        Raises:
            ValueError: malformed subscripts or extents that disagree.
        """
        spec = _Contraction.parse(subscripts, a.shape, b.shape)
        self.maccs += math.prod(spec.extents.values())
        return spec.run(a, b)

    def apply(
        self,
        fn: Callable[..., np.ndarray],
        *arrays: np.ndarray,
        ops_per_element: int = 1,
    ) -> np.ndarray:
        """Element-wise `fn(*arrays)`: `elementwise += output.size · ops_per_element`.

        (Named `apply` because `elementwise` is the tally it adds to.)
        """
        out = np.asarray(fn(*arrays))
        self.elementwise += out.size * ops_per_element
        return out

    def reduce(
        self,
        fn: Callable[..., np.ndarray],
        array: np.ndarray,
        axis: int | tuple[int, ...],
    ) -> np.ndarray:
        """Apply `fn(array, axis=axis)`: `elementwise += array.size`.

        Each input element is combined into its output once, so a k×k window
        reduced at every output position counts k·k per output element.
        """
        self.elementwise += array.size
        return np.asarray(fn(array, axis=axis))


@dataclass(frozen=True, slots=True)
class _Contraction:
    """A parsed two-operand contraction, grouped for a batched matmul."""

    a: str
    b: str
    out: str
    extents: dict[str, int]

    @classmethod
    def parse(
        cls, subscripts: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...]
    ) -> _Contraction:
        """Check `subscripts` against the operand shapes and record each index's extent."""
        inputs, arrow, out = subscripts.replace(" ", "").partition("->")
        a, comma, b = inputs.partition(",")
        if not (arrow and comma) or "," in b:
            raise ValueError(f"contract needs 'a,b->out' subscripts, got {subscripts!r}")
        extents: dict[str, int] = {}
        for idx, shape in ((a, a_shape), (b, b_shape)):
            named_once = len(set(idx)) == len(idx) == len(shape) and (idx.isalpha() or not idx)
            if not named_once:
                raise ValueError(f"subscripts {idx!r} do not name each axis of a shape {shape} once")
            for letter, extent in zip(idx, shape, strict=True):
                if extents.setdefault(letter, extent) != extent:
                    raise ValueError(f"index {letter!r} has extents {extents[letter]} and {extent}")
        one_sided = set(a) ^ set(b)
        if len(set(out)) != len(out) or not set(out) <= set(extents) or one_sided - set(out):
            raise ValueError(
                f"{subscripts!r}: output indices must be distinct and known, "
                "and an index summed over must occur in both operands"
            )
        return cls(a, b, out, extents)

    def run(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Broadcast product when nothing is summed, else [batch, M, K] @ [batch, K, N]."""
        batch = [i for i in self.out if i in self.a and i in self.b]
        free_a = [i for i in self.out if i not in self.b]
        free_b = [i for i in self.out if i not in self.a]
        summed = [i for i in self.a if i in self.b and i not in self.out]
        if not summed:
            return np.multiply(self._align(a, self.a), self._align(b, self.b))
        lhs = self._gather(a, self.a, batch + free_a + summed)
        rhs = self._gather(b, self.b, batch + summed + free_b)
        lhs = lhs.reshape(self._sizes(batch, free_a, summed))
        rhs = rhs.reshape(self._sizes(batch, summed, free_b))
        order = batch + free_a + free_b
        product = np.matmul(lhs, rhs).reshape([self.extents[i] for i in order])
        return product.transpose([order.index(i) for i in self.out])

    def _sizes(self, *groups: list[str]) -> tuple[int, ...]:
        """The flattened extent of each group of indices."""
        return tuple(math.prod(self.extents[i] for i in group) for group in groups)

    @staticmethod
    def _gather(array: np.ndarray, idx: str, order: list[str]) -> np.ndarray:
        return array.transpose([idx.index(i) for i in order])

    def _align(self, array: np.ndarray, idx: str) -> np.ndarray:
        """View `array` with axes in output order and size 1 where it lacks an index."""
        present = [i for i in self.out if i in idx]
        shape = [self.extents[i] if i in idx else 1 for i in self.out]
        return self._gather(array, idx, present).reshape(shape)
