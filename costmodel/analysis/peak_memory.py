"""Peak activation memory: liveness of tensors over an execution order.

Model (elements; bytes = elements × dtype size):

- Executing node v needs every tensor still live plus v's outputs: step(v) = live + |out(v)|.
- A tensor is freed right after its last consumer runs; the network output is never freed;
  a tensor nobody reads is freed right after it is produced (it still counts at its step).
- Views (:data:`VIEW_OPS`: flatten, dropout, identity) allocate nothing: they alias their
  input, and whoever reads the view reads that buffer.
- An op in :data:`IN_PLACE_OPS` (add) writes its output into an input buffer of the same
  size that dies at this step, so that input's elements are not counted twice.
- The network input is live from the start.

peak = max over the order of step(v); the node where it occurs is reported.
:func:`peak_memory` evaluates one order (the spec's by default); :func:`best_peak_memory`
searches the topological orders: the graph is cut at nodes every order places at the same
position (a node comparable with all others), and each segment between cuts is solved
exactly by dynamic programming over its executed sets (state = set of executed nodes,
which fixes the live tensors) when it has at most ``max_states`` such sets, otherwise by a
greedy order (run the ready node with the smallest step, then the smallest live set),
kept only where it beats the spec's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from costmodel.arith import as_int, is_symbolic
from costmodel.errors import SpecError
from costmodel.graph import Network
from costmodel.ops.base import numel

__all__ = ["VIEW_OPS", "IN_PLACE_OPS", "Peak", "PeakMemory", "peak_memory", "best_peak_memory",
           "analyze_peak_memory"]

VIEW_OPS = frozenset({"flatten", "dropout", "identity", "slice"})
"""Ops whose output aliases their input (no allocation, no kernel)."""

IN_PLACE_OPS = frozenset({"add"})
"""Ops that may overwrite an input that dies at them (PyTorch ``x += y``, TFLite in-place adds)."""

DEFAULT_MAX_STATES = 4096


@dataclass(frozen=True)
class Peak:
    """Peak activation memory of one order: elements, the node where it occurs, the order."""

    elements: int
    node: str
    order: tuple[str, ...]

    def bytes(self, dtype_bytes: int) -> int:
        """Peak in bytes at ``dtype_bytes`` per element."""
        return self.elements * dtype_bytes


@dataclass(frozen=True)
class PeakMemory:
    """The spec's order and the best order found; ``exact`` when the search was exhaustive."""

    spec: Peak
    best: Peak
    exact: bool


class _Schedule:
    """The network reduced to kernels and buffers, with bitmask bookkeeping."""

    def __init__(self, network: Network) -> None:
        names = [name for name, node in network.nodes.items() if node.op not in VIEW_OPS]
        self.names = names
        self.index = {name: i for i, name in enumerate(names)}
        alias: dict[tuple[str, int], tuple[str, int]] = {}
        for name, node in network.nodes.items():
            if node.op in VIEW_OPS:
                alias[(name, 0)] = alias.get(node.inputs[0], node.inputs[0])

        def root(ref: tuple[str, int]) -> tuple[str, int]:
            return alias.get(ref, ref)

        self.size: dict[tuple[str, int], int] = {}
        self.outputs: list[list[tuple[str, int]]] = []
        self.reads: list[list[tuple[str, int]]] = []
        self.preds = [0] * len(names)
        consumers: dict[tuple[str, int], int] = {}
        for i, name in enumerate(names):
            node = network.nodes[name]
            refs = [(name, port) for port in range(len(node.outputs))]
            for ref, shape in zip(refs, node.outputs):
                self.size[ref] = _elements(shape, network.path, name)
            self.outputs.append(refs)
            reads = list(dict.fromkeys(root(ref) for ref in node.inputs))
            self.reads.append(reads)
            for ref in reads:
                consumers[ref] = consumers.get(ref, 0) | (1 << i)
                self.preds[i] |= 1 << self.index[ref[0]]
        self.consumers = consumers
        self.pinned = root(network.output)
        self.ops = [network.nodes[name].op for name in names]

    def step(self, i: int, done: int, live: int) -> tuple[int, int]:
        """(memory while node i runs, live elements after it) given the executed set."""
        after_done = done | (1 << i)
        new = sum(self.size[ref] for ref in self.outputs[i])
        freed = 0
        reused = 0
        for ref in self.reads[i]:
            if ref != self.pinned and not self.consumers[ref] & ~after_done:
                freed += self.size[ref]
                if not reused and self.ops[i] in IN_PLACE_OPS and self.size[ref] == new:
                    reused = new
        for ref in self.outputs[i]:
            if ref != self.pinned and not self.consumers.get(ref, 0):
                freed += self.size[ref]
        return live + new - reused, live + new - freed

    def run(self, order: Iterable[int], done: int = 0, live: int = 0) -> tuple[int, int, int, int]:
        """Simulate ``order``: (peak, index of the peak node, executed set, live after)."""
        peak, where = -1, -1
        for i in order:
            memory, live = self.step(i, done, live)
            done |= 1 << i
            if memory > peak:
                peak, where = memory, i
        return peak, where, done, live

    def peak(self, order: list[int]) -> Peak:
        peak, where, _, _ = self.run(order)
        return Peak(peak, self.names[where], tuple(self.names[i] for i in order))


def _elements(shape: tuple, path: str, name: str) -> int:
    size = as_int(numel(shape))
    if is_symbolic(size) or not isinstance(size, int):
        raise SpecError("peak memory needs numeric sizes (bind every parameter)", path=path,
                        layer=name)
    return size


def peak_memory(network: Network, order: Iterable[str] | None = None) -> Peak:
    """Peak of ``order`` (kernel names; views may be listed or not), default the spec's.

    Raises :class:`SpecError` when sizes are symbolic, ValueError when ``order`` is not a
    topological order of the kernels.
    """
    schedule = _Schedule(network)
    names = schedule.names if order is None else [n for n in order if n in schedule.index]
    indices = [schedule.index[name] for name in names]
    done = 0
    for i in indices:
        if schedule.preds[i] & ~done or done >> i & 1:
            raise ValueError(f"'{schedule.names[i]}' is out of order or repeated")
        done |= 1 << i
    if len(indices) != len(schedule.names):
        raise ValueError("the order does not list every kernel")
    return schedule.peak(indices)


def _segments(schedule: _Schedule) -> list[list[int]]:
    """Runs of nodes between cut nodes (comparable with every node), each ending at a cut."""
    count = len(schedule.names)
    ancestors = [0] * count
    for i in range(count):
        mask, preds = 0, schedule.preds[i]
        while preds:
            low = preds & -preds
            j = low.bit_length() - 1
            mask |= ancestors[j] | low
            preds ^= low
        ancestors[i] = mask
    descendants = [0] * count
    for i in range(count):
        mask = ancestors[i]
        while mask:
            low = mask & -mask
            descendants[low.bit_length() - 1] |= 1 << i
            mask ^= low
    segments: list[list[int]] = [[]]
    for i in range(count):
        segments[-1].append(i)
        if (ancestors[i] | descendants[i]).bit_count() == count - 1:
            segments.append([])
    return [segment for segment in segments if segment]


def _exact(schedule: _Schedule, segment: list[int], done: int, live: int,
           max_states: int) -> list[int] | None:
    """Min-peak order of ``segment`` by DP over executed sets; None past ``max_states``."""
    states: dict[int, tuple[int, int, tuple[int, ...]]] = {done: (-1, live, ())}
    seen = 1
    for _ in segment:
        following: dict[int, tuple[int, int, tuple[int, ...]]] = {}
        for state, (peak, state_live, order) in states.items():
            for i in segment:
                if state >> i & 1 or schedule.preds[i] & ~state:
                    continue
                memory, after = schedule.step(i, state, state_live)
                key = state | (1 << i)
                candidate = (max(peak, memory), after, order + (i,))
                if key not in following or candidate[0] < following[key][0]:
                    following[key] = candidate
        seen += len(following)
        if seen > max_states:
            return None
        states = following
    (_, _, order), = states.values()
    return list(order)


def _greedy(schedule: _Schedule, segment: list[int], done: int, live: int) -> list[int]:
    order: list[int] = []
    remaining = list(segment)
    while remaining:
        best = None
        for i in remaining:
            if schedule.preds[i] & ~done:
                continue
            memory, after = schedule.step(i, done, live)
            if best is None or (memory, after) < best[0]:
                best = ((memory, after), i)
        assert best is not None
        (_, live), i = best
        order.append(i)
        remaining.remove(i)
        done |= 1 << i
    return order


def best_peak_memory(network: Network, max_states: int = DEFAULT_MAX_STATES) -> tuple[Peak, bool]:
    """The lowest peak found over topological orders, and whether it is proven minimal."""
    schedule = _Schedule(network)
    order: list[int] = []
    done = live = 0
    exact = True
    for segment in _segments(schedule):
        chosen = _exact(schedule, segment, done, live, max_states) if len(segment) > 1 else segment
        if chosen is None:
            exact = False
            greedy = _greedy(schedule, segment, done, live)
            chosen = min((greedy, segment), key=lambda o: schedule.run(o, done, live)[0])
        order += chosen
        _, _, done, live = schedule.run(chosen, done, live)
    return schedule.peak(order), exact


def analyze_peak_memory(network: Network, max_states: int = DEFAULT_MAX_STATES) -> PeakMemory:
    """Peak of the spec's order and of the best order found."""
    best, exact = best_peak_memory(network, max_states)
    return PeakMemory(peak_memory(network), best, exact)
