"""What a distributed worker runs on one subnet: importable without side effects (no
cluster, no heavy imports at import time), so any Dask worker can unpickle the task."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["evaluate", "measure", "resolve"]


def measure(analysis: Any) -> dict[str, int]:
    """The default question: every total and the peak activation memory (spec order)."""
    values = {name: value for name, value in analysis.totals.as_dict().items() if name != "buffers"}
    peak = analysis.peak_memory
    values["peak_memory"] = None if peak is None else peak.spec.elements
    return values


def resolve(name: str) -> Callable[[Any], Any]:
    """``"package.module:function"`` → the function. Raises :class:`SpecError` (one line
    quoting ``name``) when it is not MODULE:FUNCTION, the module cannot be imported, or the
    attribute is missing or not callable."""
    from costmodel.errors import SpecError

    module, _, attribute = name.partition(":")
    if not module or not attribute:
        raise SpecError(f"--map '{name}' is not MODULE:FUNCTION")
    try:
        function = getattr(import_module(module), attribute)
    except (ImportError, AttributeError, ValueError, TypeError) as error:
        raise SpecError(f"--map '{name}': {type(error).__name__}: {error}") from None
    if not callable(function):
        raise SpecError(f"--map '{name}' is not a function")
    return function


def evaluate(spec: dict[str, Any], question: Callable[[Any], Any] | str = measure) -> Any:
    """Build and analyze the plain spec ``spec`` (data) and apply ``question`` to its
    :class:`~costmodel.analysis.result.Analysis` (a function, or its import path)."""
    from costmodel.api import analyze
    from costmodel.spec.load import parse_spec

    function = resolve(question) if isinstance(question, str) else question
    return function(analyze(parse_spec(spec)))
