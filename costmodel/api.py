"""The Python entry point: ``costmodel.analyze``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from costmodel.analysis.result import Analysis
from costmodel.arith import exact_decimal
from costmodel.graph import build
from costmodel.spec.load import load_spec
from costmodel.spec.schema import ModelSpec

__all__ = ["analyze"]


def analyze(spec: str | Path | ModelSpec, *, symbolic: Iterable[str] = (), **bindings: Any) -> Analysis:
    """Analyze a spec file (or a validated :class:`ModelSpec`) at the given bindings.

    Bindings are numbers or expression text; a float is taken as the decimal it was written
    as (``alpha=0.75`` is 3/4). Names in ``symbolic`` stay sympy symbols.
    Raises :class:`costmodel.errors.SpecError` for invalid specs or bindings.

    >>> analyze("specs/mobilenet_v2.yaml").totals.params
    3504872
    """
    bindings = {name: exact_decimal(value) if isinstance(value, float) else value
                for name, value in bindings.items()}
    if isinstance(spec, ModelSpec):
        path = "<spec>"
    else:
        path, spec = str(spec), load_spec(spec)
    return Analysis(build(spec, path, bindings, tuple(symbolic)))
