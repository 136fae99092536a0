"""The work a sweep may do: estimated before it starts and again as it goes, so that every
accepted sweep finishes within seconds and a larger one is refused in one line saying why.

Work is counted in seconds of the reference machine (benchmarks/bench_sweep.py), from
counts only — never from a clock — so a sweep is refused or accepted alike on a busy and
on a quiet machine. A build of a network of L layers over a region of the grid whose axes
hold V values in all (:mod:`costmodel.lanes`: every value of every axis is a lane of every
layer's vectors) costs L · (:data:`LAYER_SECONDS` + V · :data:`LANE_SECONDS`). A point
built one by one (a numeric build) costs L · :data:`POINT_SECONDS` + D ·
:data:`COSTING_SECONDS`, D the layers costed anew: a numeric build costs a layer written
alike once (graph.py's memo: the copies of a repeated block share one costing, so a
50,000-layer chain has 4), which lanes builds cannot.

* Before the work (:meth:`Budget.compiled`, :meth:`Budget.points`): a compiled sweep of
  one structure (the layers of the spec's defaults, a build per chunk of the longest axis),
  or the points built one by one, is estimated and refused when the estimate passes
  :data:`WORK_LIMIT`, with the most values that would pass.
* As it goes (:meth:`Budget.spend`, :meth:`Budget.plan`): builds multiply when the
  structure changes across the grid (a swept depth or repeat count: one build per
  structure, each of its own size), which no estimate sees up front. The work done plus
  the work planned (the regions waiting, each as large as the largest network met so far)
  is checked after every build and every split: a sweep meeting 1000 repeat counts is
  refused as soon as it splits, not after its budget is spent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from costmodel.errors import SpecError

if TYPE_CHECKING:
    from costmodel.graph import Network

__all__ = ["WORK_LIMIT", "LAYER_SECONDS", "LANE_SECONDS", "POINT_SECONDS", "COSTING_SECONDS",
           "AXIS_CHUNK", "Budget", "OverBudget", "costings"]

WORK_LIMIT = 3.5
"""Most estimated seconds of builds per sweep; with imports, output and a busy machine a
sweep stays well within 10 s."""

LAYER_SECONDS = 150e-6
"""A lanes build's cost per layer, whatever the lanes (measured as POINT_SECONDS, 2 lanes:
chain 50k 131–135 µs/layer, branchy 158–164, written 101, MobileNetV2 100–149, GhostNet 143,
NASNet-A 138, ResNet-50 208; lanes builds cost every layer anew). At 60 µs, 100 widths of a
50,000-layer chain were estimated 3.1 s and took 13.4 s CPU."""

POINT_SECONDS = 25e-6
"""A numeric build's cost per layer, its costing shared (measured, CPU time of builds on
this machine under load, min of 5: 11 µs/layer for a 50,000-layer chain, 15 for a
20,000-layer branchy net, 18–20 for 27,000–45,000 repeated MBConv layers, 20–35 for
3,000–15,000 layers written out)."""

COSTING_SECONDS = 100e-6
"""A numeric build's cost per layer costed anew, on top (same measurement: MobileNetV2 154
layers, 71 costed, 13 ms: 107 µs each; GhostNet 291, 157, 33 ms: 145; NASNet-A 905, 267,
25 ms: 9; EfficientFormer 196, 86, 6 ms)."""

LANE_SECONDS = 15e-9
"""The cost of one lane of one layer: its costs and shape over one grid value, then their
sum into the totals (measured 10–12 ns and 3–4 ns)."""

AXIS_CHUNK = 1 << 15
"""Most values of one axis built at once: longer lanes gain no speed."""

LANE_BYTES = 48
"""Memory one lane of one layer holds until the totals are gathered (its costs and shape;
measured 31–42 bytes)."""

LANE_MEMORY = 600 * 2**20
"""Memory the lanes of one build may hold (the rest of 2 GiB holds the totals and output)."""


class OverBudget(SpecError):
    """A sweep refused for the work it needs (the message says how much and what would pass)."""


class Budget:
    """The work of one sweep over axes ``names`` of lengths ``shape``, for a network of
    ``layers`` layers at the spec's defaults, within ``limit`` estimated seconds. Unless
    ``strict``, work planned and spent past the limit is not refused: the caller plans only
    what :meth:`affords` allows and leaves the rest undone."""

    def __init__(self, names: Sequence[str], shape: Sequence[int], layers: int,
                 limit: float = WORK_LIMIT, strict: bool = True, costed: int | None = None) -> None:
        self.names, self.shape, self.layers = tuple(names), tuple(shape), max(1, layers)
        self.limit, self.strict = limit, strict
        self.point = self.point_cost(self.layers, self.layers if costed is None else costed)
        """Estimated seconds of one numeric build (``costed`` of the layers costed anew;
        unknown: all)."""
        self.largest = self.layers
        """The most layers a build of this sweep has had."""
        self.spent = 0.0
        self.waiting = [0, 0, 0]
        """Regions planned and not built yet: [how many, their values in all], and numeric
        builds of points."""
        self.builds = 0

    def chunk(self, others: int) -> int:
        """Most values of a region's longest axis built at once, the other axes holding
        ``others`` values: :data:`AXIS_CHUNK`, fewer where the lanes of the largest network
        met would hold more than :data:`LANE_MEMORY`."""
        return max(1, min(AXIS_CHUNK, LANE_MEMORY // (LANE_BYTES * self.largest) - others))

    def cost(self, layers: int, lanes: int) -> float:
        """Estimated seconds of one build of ``layers`` layers over ``lanes`` values."""
        return layers * (LAYER_SECONDS + lanes * LANE_SECONDS)

    @staticmethod
    def point_cost(layers: int, costed: int) -> float:
        """Estimated seconds of one numeric build of ``layers`` layers, ``costed`` of them
        costed anew."""
        return layers * POINT_SECONDS + costed * COSTING_SECONDS

    def points(self, count: int) -> None:
        """Refuse, before any work, ``count`` points built one by one past the limit."""
        if count and count * self.point > self.limit:
            most = int(self.limit / self.point)
            raise OverBudget(f"{count:,} points built one by one ({self.layers:,} layers each) need "
                            f"about {_up(count * self.point)} s, more than the sweep's "
                            f"limit of {self.limit:.1f} s; sweep at most {most:,} points this way, "
                            "or use --method compiled")

    def compiled(self) -> None:
        """Refuse, before any work, a compiled sweep whose estimate for one structure (a
        build per chunk of the longest axis) passes the limit."""
        longest = max(range(len(self.shape)), key=lambda axis: self.shape[axis])
        values, others = self.shape[longest], sum(self.shape) - self.shape[longest]
        need = self._compiled(values, others)
        if need > self.limit:
            most = values
            while most > 1 and self._compiled(most, others) > self.limit:
                most = most * 7 // 8
            name = self.names[longest]
            advice = (f"sweep at most about {most:,} values of {name}"
                      if self._compiled(most, others) <= self.limit else
                      f"use --method exact for at most {int(self.limit / self.point):,} points "
                      "(built one by one, repeated layers share their costing)")
            raise OverBudget(f"{values:,} values of {name} × {self.layers:,} layers need about "
                            f"{_up(need)} s of builds, more than the sweep's limit of "
                            f"{self.limit:.1f} s; {advice}")

    def _compiled(self, values: int, others: int) -> float:
        pieces = -(-values // self.chunk(others))
        return pieces * self.cost(self.layers, others) + self.layers * values * LANE_SECONDS

    def plan(self, regions: int, lanes: int) -> None:
        """``regions`` regions of ``lanes`` values in all wait to be built (negative: taken)."""
        self.waiting[0] += regions
        self.waiting[1] += lanes
        self._check()

    def spend_point(self, seconds: float | None) -> None:
        """Count a numeric build of ``seconds`` (:meth:`point_cost`; None: failed, counted as
        one at the defaults); refuse once the work done and planned passes the limit."""
        self.waiting[2] -= 1
        self.spent += self.point if seconds is None else seconds
        self.builds += 1
        self._check()

    def plan_points(self, count: int) -> None:
        """``count`` numeric builds wait to be done."""
        self.waiting[2] += count
        self._check()

    def spend(self, layers: int | None, lanes: int) -> None:
        """Count a build of ``layers`` layers (None: stopped early, counted as the largest
        met) over ``lanes`` values; refuse once the work done and planned passes the limit."""
        self.largest = max(self.largest, layers or 0)
        self.spent += self.cost(self.largest if layers is None else layers, lanes)
        self.builds += 1
        self._check()

    def affords(self, regions: int, lanes: int) -> bool:
        """Whether ``regions`` more regions of ``lanes`` values in all stay within the limit."""
        return self._need(regions, lanes) <= self.limit

    def _need(self, regions: int = 0, lanes: int = 0) -> float:
        """Seconds of the work done and planned (and ``regions``/``lanes`` more)."""
        regions += self.waiting[0]
        lanes += self.waiting[1]
        return (self.spent + regions * self.cost(self.largest, 0) + self.largest * lanes * LANE_SECONDS
                + self.waiting[2] * self.point)

    def _check(self) -> None:
        regions = self.waiting[0] + self.waiting[2]
        need = self._need()
        if need > self.limit and self.strict:
            raise OverBudget(f"this sweep's {self.builds:,} build(s) so far (up to {self.largest:,} "
                            f"layers: the network changes across the grid) and the {regions:,} "
                            f"left need about {_up(need)} s in all, more than the sweep's limit of "
                            f"{self.limit:.1f} s; sweep fewer values of {', '.join(self.names)}")


def costings(network: Network) -> int:
    """How many layers of a numeric build were costed anew: its distinct cost objects (the
    copies of a layer written alike share one)."""
    return len({id(node.cost) for node in network.nodes.values()})


def _up(seconds: float) -> float:
    """Seconds rounded up to a tenth: an estimate shown beside the limit never equals it."""
    return math.ceil(seconds * 10) / 10
