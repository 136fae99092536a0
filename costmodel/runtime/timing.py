"""Clocks and robust statistics for timing on a shared machine.

The CPU clock is the calling thread's CPU time (``time.thread_time_ns``): onnxruntime with
one intra-op thread runs every kernel on the calling thread, and time spent descheduled
while other processes run is not counted, so repetitions agree far better than wall time
(issue 12: median |Δ| ~2 % vs ~12 % on this machine). Wall time is ``perf_counter_ns``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["CLOCKS", "Clock", "Stats", "sample"]

Clock = Literal["wall", "cpu"]

CLOCKS: dict[str, Callable[[], int]] = {"wall": time.perf_counter_ns, "cpu": time.thread_time_ns}
"""Clock name → a nanosecond counter."""


@dataclass(frozen=True)
class Stats:
    """Median and interquartile range of ``runs`` timings, in microseconds."""

    median: float
    q1: float
    q3: float
    runs: int

    @property
    def iqr(self) -> float:
        """q3 − q1."""
        return self.q3 - self.q1

    @classmethod
    def of(cls, values_us: Sequence[float]) -> Stats:
        """Quartiles by linear interpolation between order statistics (numpy's default)."""
        ordered = sorted(values_us)
        if not ordered:
            raise ValueError("no timings")
        return cls(_quantile(ordered, 0.5), _quantile(ordered, 0.25), _quantile(ordered, 0.75),
                   len(ordered))


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def sample(call: Callable[[], object], runs: int, clock: Clock, warmup: int = 0) -> list[float]:
    """Time ``call`` ``runs`` times after ``warmup`` untimed calls; microseconds per call."""
    counter = CLOCKS[clock]
    for _ in range(warmup):
        call()
    times: list[float] = []
    for _ in range(runs):
        start = counter()
        call()
        times.append((counter() - start) / 1000)
    return times
