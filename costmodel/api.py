"""The Python entry point: ``costmodel.analyze``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from costmodel.analysis.result import Analysis
from costmodel.graph import build
from costmodel.spec.load import load_spec
from costmodel.spec.schema import ModelSpec

__all__ = ["analyze"]


def analyze(spec: str | Path | ModelSpec, *, symbolic: Iterable[str] = (), **bindings: Any) -> Analysis:
    """Analyze a spec file (or a validated :class:`ModelSpec`) at the given bindings.

    Bindings are numbers or expression text (``alpha="0.75"`` or ``Fraction(3, 4)``; floats
    are refused because they are not exact). Names in ``symbolic`` stay sympy symbols.
    Raises :class:`costmodel.errors.SpecError` for invalid specs or bindings.

    >>> analyze("specs/mobilenet_v2.yaml").totals.params
    3504872
    """
    for name, value in bindings.items():
        if isinstance(value, float):
            raise TypeError(f"binding {name}={value!r} is a float; pass an int, Fraction or text")
    if isinstance(spec, ModelSpec):
        path = "<spec>"
    else:
        path, spec = str(spec), load_spec(spec)
    return Analysis(build(spec, path, bindings, tuple(symbolic)))
