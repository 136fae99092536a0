"""costmodel: exact static cost model of convolutional networks.

The public API (``costmodel.__all__``; heavy modules load on first use, so the CLI starts
fast):

- ``analyze(spec, *, symbolic=(), **bindings)`` → :class:`Analysis`: ``.totals`` (a
  :class:`Cost`: params, maccs, mem_access, elementwise, fragments, buffers — exact ints),
  ``.layers``, ``.by_block(depth)``, ``.by_op()``, ``.peak_memory``, ``.fragmentation()``.
  ``spec`` is a path, YAML text, a dict or a :class:`ModelSpec`; bindings are numbers or
  expression text (``alpha=0.75`` is exactly 3/4).
- ``load(spec)`` → (:class:`ModelSpec`, name): the validated spec alone.
- ``sweep(spec, alpha=[...], resolution=[...])`` → ``SweepResult``: every total over a grid.
- ``SpecError``: raised for any invalid spec or binding; ``str(error)`` is the one line the
  CLI prints (``file:line: layer 'x' (op): what is wrong``).
- ``Analysis``, ``Cost``, ``ModelSpec``: the result, cost and spec types.

>>> import costmodel
>>> costmodel.analyze("specs/mobilenet_v2.yaml", alpha="0.75").totals.maccs  # doctest: +SKIP
209069792
"""

from __future__ import annotations

from typing import Any

__all__ = ["analyze", "load", "sweep", "SpecError", "Analysis", "Cost", "ModelSpec", "__version__"]

__version__ = "0.1.0"

_LAZY = {
    "analyze": ("costmodel.api", "analyze"),
    "load": ("costmodel.api", "load"),
    "sweep": ("costmodel.analysis.sweep", "sweep"),
    "SpecError": ("costmodel.errors", "SpecError"),
    "Analysis": ("costmodel.analysis.result", "Analysis"),
    "Cost": ("costmodel.cost", "Cost"),
    "ModelSpec": ("costmodel.spec.schema", "ModelSpec"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'costmodel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
