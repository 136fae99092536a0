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

import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = ["Counts", "Measurement", "Meter"]


class _Tally:
    """`mem_access` of a tally of `reads` and `writes` (ShuffleNetV2's MAC)."""

    __slots__ = ()
    reads: int
    writes: int

    @property
    def mem_access(self) -> int:
        """Elements read plus elements written."""
        return self.reads + self.writes


@dataclass(frozen=True, slots=True)
class Counts(_Tally):
    """An immutable tally."""

    maccs: int = 0
    reads: int = 0
    writes: int = 0
    elementwise: int = 0

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
class Meter(_Tally):
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

    def snapshot(self) -> Counts:
        """The tally so far, as an immutable value."""
        return Counts(self.maccs, self.reads, self.writes, self.elementwise)

    def take(self) -> Counts:
        """The tally so far, then zero it: what a block tallied, one value per block (the
        forward's per-node measure without two snapshots and a difference)."""
        counts = Counts(self.maccs, self.reads, self.writes, self.elementwise)
        self.maccs = self.reads = self.writes = self.elementwise = 0
        return counts

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
        at most once per operand. Summed contractions run as batched BLAS matmul,
        or as `np.einsum` when they are a stack of matrix-vector products.

        Raises:
            ValueError: malformed subscripts or extents that disagree.
        """
        spec = _Contraction.parse(subscripts, a.shape, b.shape)
        self.maccs += spec.maccs
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
    """A parsed two-operand contraction, planned once per subscripts and shapes.

    Nothing summed: a broadcast product of both operands viewed in output order
    (`a_view`, `b_view`). A stack of matrix-vector products: `np.einsum` as is.
    Otherwise a batched matmul [batch, M, K] @ [batch, K, N] of the operands
    transposed and reshaped by `a_view` and `b_view`, whose product is reshaped
    to `product` and transposed by `result`.
    """

    maccs: int
    method: Literal["broadcast", "matmul", "einsum"]
    subscripts: str
    a_view: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    b_view: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    product: tuple[int, ...] = ()
    result: tuple[int, ...] = ()

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def parse(subscripts: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> _Contraction:
        """Check `subscripts` against the operand shapes and plan the run."""
        subscripts = subscripts.replace(" ", "")
        inputs, arrow, out = subscripts.partition("->")
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
        maccs = math.prod(extents.values())
        summed = [i for i in a if i in b and i not in out]
        if not summed:  # each operand in output order, extent 1 where it lacks an index
            aligned = [
                (tuple(idx.index(i) for i in out if i in idx),
                 tuple(extents[i] if i in idx else 1 for i in out))
                for idx in (a, b)
            ]
            return _Contraction(maccs, "broadcast", subscripts, aligned[0], aligned[1])
        batch = [i for i in out if i in a and i in b]
        free_a = [i for i in out if i not in b]
        free_b = [i for i in out if i not in a]

        def view(idx: str, *groups: list[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
            order = [i for group in groups for i in group]
            sizes = tuple(math.prod(extents[i] for i in group) for group in groups)
            # a batch of one runs as a plain 2-D matmul: numpy 2.4's stacked matmul ran a
            # 1×3136×144 @ 1×144×32 product 40× slower than the 2-D one
            return tuple(idx.index(i) for i in order), sizes[1:] if sizes[0] == 1 else sizes

        order = batch + free_a + free_b
        rows, cols = (math.prod(extents[i] for i in free) for free in (free_a, free_b))
        if math.prod(extents[i] for i in batch) > 1 and min(rows, cols) == 1:
            # a stack of matrix-vector products (a depthwise conv): BLAS gains nothing,
            # and einsum's own loop reads strided views without copying them first
            return _Contraction(maccs, "einsum", subscripts)
        return _Contraction(
            maccs,
            "matmul",
            subscripts,
            view(a, batch, free_a, summed),
            view(b, batch, summed, free_b),
            tuple(extents[i] for i in order),
            tuple(order.index(i) for i in out),
        )

    def run(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The planned broadcast product, batched matmul or einsum."""
        if self.method == "einsum":
            return np.einsum(self.subscripts, a, b)
        a = a.transpose(self.a_view[0]).reshape(self.a_view[1])
        b = b.transpose(self.b_view[0]).reshape(self.b_view[1])
        if self.method == "broadcast":
            return np.multiply(a, b)
        return np.matmul(a, b).reshape(self.product).transpose(self.result)
