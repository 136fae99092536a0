"""Peak activation memory: liveness of tensors over an execution order.

Model (elements; bytes = elements × dtype size):

- Executing node v needs every tensor still live plus v's outputs: step(v) = live + |out(v)|.
- A tensor is freed right after its last consumer runs; the network output is never freed;
  a tensor nobody reads is freed right after it is produced (it still counts at its step).
- Views (ops of category ``view``: flatten, dropout, identity, slice) allocate nothing: they
  alias their input, and whoever reads the view reads that buffer.
- An op of category ``in_place`` (add) writes its output into an input buffer of the same
  size that dies at this step, so that input's elements are not counted twice.
- The network input is live from the start.

peak = max over the order of step(v); the node where it occurs is reported.
:func:`peak_memory` evaluates one order (the spec's by default); :func:`best_peak_memory`
searches the topological orders: the graph is cut at nodes every order places at the same
position (a node comparable with all others), and each segment between cuts is solved
exactly by dynamic programming over its executed sets (state = set of executed nodes,
which fixes the live tensors) when it has at most ``max_states`` such sets, otherwise by a
greedy order (run the ready node with the smallest step, then the smallest live set),
kept only where it beats the spec's order. The search spends at most ``budget`` step
evaluations in all; past it, segments keep the spec's order, and :attr:`PeakMemory.search`
says which of these happened. Everything else is linear in nodes and edges (reference
counts per buffer, not sets of executed nodes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from costmodel.arith import as_int, is_symbolic
from costmodel.errors import SpecError
from costmodel.graph import Network
from costmodel.ops.base import Category, has, numel

__all__ = ["Peak", "PeakMemory", "peak_memory", "best_peak_memory",
           "analyze_peak_memory"]

DEFAULT_MAX_STATES = 4096
DEFAULT_BUDGET = 200_000
"""Step evaluations the best-order search may spend (~0.3 s) before keeping the spec's order."""

SEARCHES = ("exact", "greedy", "spec order")
"""How the best order was found: proven minimal by dynamic programming in every segment;
greedy in some segment that had more than ``max_states`` executed sets; the spec's order
kept in some segment once the search budget was spent."""


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
    """The spec's order and the best order found, and how it was found (:data:`SEARCHES`)."""

    spec: Peak
    best: Peak
    search: str

    @property
    def exact(self) -> bool:
        """Whether the best order is proven minimal."""
        return self.search == "exact"


class _Schedule:
    """The network reduced to kernels and buffers (integer ids); linear bookkeeping."""

    def __init__(self, network: Network) -> None:
        names: list[str] = []
        alias: dict[tuple[str, int], tuple[str, int]] = {}
        buffer: dict[tuple[str, int], int] = {}
        self.size: list[int] = []
        self.producer: list[int] = []
        self.outputs: list[list[int]] = []
        self.reads: list[list[int]] = []
        self.preds: list[list[int]] = []
        self.in_place: list[bool] = []
        views = _ops_of(network, "view")
        in_place = _ops_of(network, "in_place")
        for name, node in network.nodes.items():
            if node.op in views:
                alias[(name, 0)] = alias.get(node.inputs[0], node.inputs[0])
                continue
            i = len(names)
            names.append(name)
            self.in_place.append(node.op in in_place)
            reads = [buffer[alias.get(ref, ref)] for ref in node.inputs]
            if len(reads) > 1:
                reads = list(dict.fromkeys(reads))
            self.reads.append(reads)
            preds = [self.producer[b] for b in reads]
            self.preds.append(list(dict.fromkeys(preds)) if len(preds) > 1 else preds)
            outputs = []
            for port, shape in enumerate(node.outputs):
                buffer[(name, port)] = len(self.size)
                outputs.append(len(self.size))
                self.size.append(_elements(shape, network.path, name))
                self.producer.append(i)
            self.outputs.append(outputs)
        self.names = names
        self.index = {name: i for i, name in enumerate(names)}
        self.consumers: list[list[int]] = [[] for _ in self.size]
        for i, reads in enumerate(self.reads):
            for b in reads:
                self.consumers[b].append(i)
        self.pinned = buffer[alias.get(network.output, network.output)]
        self.new = [sum(self.size[b] for b in outputs) for outputs in self.outputs]
        self.unread = [sum(self.size[b] for b in outputs if b != self.pinned and not self.consumers[b])
                       for outputs in self.outputs]

    def step(self, i: int, live: int, dying: Iterable[int]) -> tuple[int, int]:
        """(memory while node i runs, live elements after it); ``dying``: reads i frees."""
        new = self.new[i]
        freed = self.unread[i]
        reused = 0
        for b in dying:
            if b != self.pinned:
                freed += self.size[b]
                if not reused and self.in_place[i] and self.size[b] == new:
                    reused = new
        return live + new - reused, live + new - freed

    def run(self, order: Iterable[int], remaining: list[int], live: int = 0) -> tuple[int, int, int]:
        """Simulate ``order`` (updating ``remaining`` reads per buffer): (peak, peak node, live)."""
        peak, where = -1, -1
        for i in order:
            dying = []
            for b in self.reads[i]:
                remaining[b] -= 1
                if not remaining[b]:
                    dying.append(b)
            memory, live = self.step(i, live, dying)
            if memory > peak:
                peak, where = memory, i
        return peak, where, live

    def remaining(self) -> list[int]:
        """Unexecuted readers per buffer before anything runs."""
        return [len(consumers) for consumers in self.consumers]

    def peak(self, order: list[int]) -> Peak:
        peak, where, _ = self.run(order, self.remaining())
        return Peak(peak, self.names[where], tuple(self.names[i] for i in order))


def _ops_of(network: Network, category: Category) -> set[str]:
    """The ops of ``network`` that declared ``category`` (asked once per op, not per node)."""
    return {op for op in {node.op for node in network.nodes.values()} if has(op, category)}


def _elements(shape: tuple, path: str, name: str) -> int:
    size = math.prod(shape)
    if type(size) is int:  # the common case (every size an int), without the generic path
        return size
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
    done = [False] * len(schedule.names)
    for i in indices:
        if done[i] or not all(done[j] for j in schedule.preds[i]):
            raise ValueError(f"'{schedule.names[i]}' is out of order or repeated")
        done[i] = True
    if len(indices) != len(schedule.names):
        raise ValueError("the order does not list every kernel")
    return schedule.peak(indices)


def _segments(schedule: _Schedule) -> list[list[int]]:
    """Runs of nodes between cut nodes (comparable with every node), each ending at a cut.

    In a topological order, node p is comparable with every node exactly when each earlier
    node has a successor at or before p (then every earlier node reaches p: follow such
    successors, which stay at or before p) and each later node has a predecessor at or
    after p (symmetrically). Prefix maxima and suffix minima make this linear.
    """
    count = len(schedule.names)
    first_successor = [count] * count
    last_predecessor = [-1] * count
    for i, preds in enumerate(schedule.preds):
        for j in preds:
            first_successor[j] = min(first_successor[j], i)
            last_predecessor[i] = max(last_predecessor[i], j)
    suffix_min = [count] * (count + 1)
    for i in range(count - 1, -1, -1):
        suffix_min[i] = min(suffix_min[i + 1], last_predecessor[i])
    segments: list[list[int]] = [[]]
    reach = -1  # max over earlier nodes of their first successor
    for i in range(count):
        segments[-1].append(i)
        if reach <= i and suffix_min[i + 1] >= i:
            segments.append([])
        reach = max(reach, first_successor[i])
    return [segment for segment in segments if segment]


class _Budget:
    """Step evaluations the best-order search may still spend."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def spend(self, steps: int) -> bool:
        """Take ``steps``; False (and take nothing) when they are not left."""
        if steps > self.steps:
            return False
        self.steps -= steps
        return True


class _Segment:
    """A segment in local positions: predecessor and successor bits, readers per buffer."""

    def __init__(self, schedule: _Schedule, segment: list[int], remaining: list[int]) -> None:
        position = {i: k for k, i in enumerate(segment)}
        self.nodes = segment
        self.preds = [0] * len(segment)
        self.succs: list[list[int]] = [[] for _ in segment]
        for k, i in enumerate(segment):
            for j in schedule.preds[i]:
                if j in position:
                    self.preds[k] |= 1 << position[j]
                    self.succs[position[j]].append(k)
        self.ready = sum(1 << k for k, preds in enumerate(self.preds) if not preds)
        self.readers: dict[int, int] = {}
        for k, i in enumerate(segment):
            for b in schedule.reads[i]:
                self.readers[b] = self.readers.get(b, 0) | (1 << k)
        self.outside = {b: remaining[b] - mask.bit_count() for b, mask in self.readers.items()}

    def after(self, ready: int, state: int, k: int) -> int:
        """Ready nodes once ``k`` joins ``state`` (``state`` already includes it)."""
        ready &= ~(1 << k)
        for k2 in self.succs[k]:
            if not self.preds[k2] & ~state:
                ready |= 1 << k2
        return ready

    def dying(self, schedule: _Schedule, k: int, state: int) -> list[int]:
        """Buffers node ``k`` reads that nobody reads after ``state`` (which includes k)."""
        return [b for b in schedule.reads[self.nodes[k]]
                if not self.outside[b] and not self.readers[b] & ~state]


def _bits(mask: int) -> Iterator[int]:
    """Positions of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _exact(schedule: _Schedule, segment: _Segment, live: int, max_states: int,
           budget: _Budget) -> list[int] | None:
    """Min-peak order of ``segment`` by DP over executed sets; None past ``max_states``
    states or the budget. Bits of a state are positions in the segment."""
    states: dict[int, tuple[int, int, tuple[int, ...], int]] = {0: (-1, live, (), segment.ready)}
    seen = 1
    for _ in segment.nodes:
        if not budget.spend(sum(ready.bit_count() for *_, ready in states.values())):
            return None
        following: dict[int, tuple[int, int, tuple[int, ...], int]] = {}
        for state, (peak, state_live, order, ready) in states.items():
            for k in _bits(ready):
                key = state | (1 << k)
                memory, after = schedule.step(segment.nodes[k], state_live,
                                              segment.dying(schedule, k, key))
                if key not in following or max(peak, memory) < following[key][0]:
                    following[key] = (max(peak, memory), after, order + (k,),
                                      segment.after(ready, key, k))
        seen += len(following)
        if seen > max_states:
            return None
        states = following
    (_, _, order, _), = states.values()
    return [segment.nodes[k] for k in order]


def _greedy(schedule: _Schedule, segment: _Segment, live: int, budget: _Budget) -> list[int] | None:
    """Run the ready node with the smallest step, then the smallest live set; None when the
    budget runs out."""
    order: list[int] = []
    state, ready = 0, segment.ready
    while ready:
        if not budget.spend(ready.bit_count()):
            return None
        best = None
        for k in _bits(ready):
            key = state | (1 << k)
            memory, after = schedule.step(segment.nodes[k], live, segment.dying(schedule, k, key))
            if best is None or (memory, after) < best[0]:
                best = ((memory, after), k)
        assert best is not None
        (_, live), k = best
        state |= 1 << k
        ready = segment.after(ready, state, k)
        order.append(segment.nodes[k])
    return order


def _order_segment(schedule: _Schedule, segment: list[int], remaining: list[int], live: int,
                   max_states: int, budget: _Budget) -> tuple[list[int], str]:
    """The order chosen for one segment and how it was found (:data:`SEARCHES`)."""
    if not budget.spend(len(segment)):  # setting up the search is itself linear
        return segment, "spec order"
    local = _Segment(schedule, segment, remaining)
    exact = _exact(schedule, local, live, max_states, budget)
    if exact is not None:
        return exact, "exact"
    greedy = _greedy(schedule, local, live, budget)
    if greedy is None:
        return segment, "spec order"
    return min((greedy, segment), key=lambda o: schedule.run(o, list(remaining), live)[0]), "greedy"


def best_peak_memory(network: Network, max_states: int = DEFAULT_MAX_STATES,
                     budget: int = DEFAULT_BUDGET) -> tuple[Peak, str]:
    """The lowest peak found over topological orders and how it was found (:data:`SEARCHES`).

    Each segment is solved exactly while it has at most ``max_states`` executed sets, else
    greedily; once ``budget`` step evaluations are spent, the remaining segments keep the
    spec's order.
    """
    return _best(_Schedule(network), max_states, budget)


def _best(schedule: _Schedule, max_states: int, budget: int) -> tuple[Peak, str]:
    left = _Budget(budget)
    remaining = schedule.remaining()
    order: list[int] = []
    live = 0
    search = "exact"
    simulated = 0  # order[:simulated] has been run: a segment's search needs the state before it
    for segment in _segments(schedule):
        if len(segment) > 1:  # a lone node has one order: nothing to search, run it later
            _, _, live = schedule.run(order[simulated:], remaining, live)
            simulated = len(order)
            segment, how = _order_segment(schedule, segment, remaining, live, max_states, left)
            if SEARCHES.index(how) > SEARCHES.index(search):
                search = how
        order += segment
    return schedule.peak(order), search


def analyze_peak_memory(network: Network, max_states: int = DEFAULT_MAX_STATES,
                        budget: int = DEFAULT_BUDGET) -> PeakMemory:
    """Peak of the spec's order and of the best order found (one schedule for both)."""
    schedule = _Schedule(network)
    best, search = _best(schedule, max_states, budget)
    return PeakMemory(schedule.peak(list(range(len(schedule.names)))), best, search)
