"""Clocks and robust statistics for timing on a shared machine.

The CPU clock is the calling thread's CPU time (``time.thread_time_ns``): onnxruntime with
one intra-op thread runs every kernel on the calling thread, and time spent descheduled
while other processes run is not counted, so repetitions agree far better than wall time
(issue 12: median |Δ| ~2 % vs ~12 % on this machine). Wall time is ``perf_counter_ns``.
A measuring process first limits numpy's BLAS to one thread (:func:`single_threaded_blas`).
"""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["CLOCKS", "Clock", "Stats", "sample", "single_threaded_blas"]

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


BLAS_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
                "openblas_set_num_threads")
"""The thread-count setters of the OpenBLAS builds numpy ships (numpy 2: scipy_openblas64)."""


def single_threaded_blas() -> int:
    """Limit numpy's BLAS to one thread, loaded or not; returns how many loaded OpenBLAS
    libraries were limited (0: none loaded yet, the environment variable does it).

    numpy's OpenBLAS keeps a worker thread per further core; after every BLAS call (the
    exports' weight folding, a least-squares fit) the worker busy-waits for more work
    before it sleeps. Measured on the 2-core Xeon: matmuls of 300×300 every 0.1 s kept it
    spinning 0.96 s of every 2 s, none with one thread. A one-thread measurement must not
    share the other core with it. ``OPENBLAS_NUM_THREADS=1`` covers a numpy imported
    later (and child processes); a loaded OpenBLAS (found in /proc/self/maps) is told
    through its setter, as threadpoolctl does, without that dependency."""
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()}
    except OSError:
        return 0
    limited = 0
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        setter = next((getattr(library, name) for name in BLAS_SETTERS if hasattr(library, name)), None)
        if setter is not None:
            setter(1)
            limited += 1
    return limited
