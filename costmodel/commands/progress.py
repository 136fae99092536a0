"""A progress bar on stderr for work that can take more than a second (big sweeps, the zoo,
calibration, check of large specs) — only on a terminal: a pipe, a file or CI gets nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["progress_bar"]

_UPDATE_EVERY = 0.05
"""Seconds between two updates of a shown bar (the last one always shows): ``check`` of
100,000 layers reports each node, and each rich update cost ~3.4 µs (0.34 s)."""


@contextmanager
def progress_bar(label: str, *, delay: float = 1.0,
                 stream: Any = None) -> Iterator[Callable[[int, int], None]]:
    """A (done, total) callback showing rich's bar on ``stream`` (stderr) once the work has
    taken ``delay`` seconds, and only when that stream is a terminal; the bar is removed
    when the block ends."""
    stream = sys.stderr if stream is None else stream
    started = time.perf_counter()
    state: dict[str, Any] = {}
    shown = bool(getattr(stream, "isatty", lambda: False)())

    def update(done: int, total: int) -> None:
        if not shown:
            return
        if "bar" not in state:
            if time.perf_counter() - started < delay:
                return
            from rich.console import Console
            from rich.progress import Progress

            state["bar"] = Progress(console=Console(file=stream), transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task(label, total=total)
        elif done < total and time.perf_counter() - state["updated"] < _UPDATE_EVERY:
            return  # rich redraws 10 times a second: telling it more often only costs CPU
        state["bar"].update(state["task"], completed=done, total=total)
        state["updated"] = time.perf_counter()

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()
