"""The Python entry points: ``costmodel.load`` and ``costmodel.analyze``.

A spec is accepted as a path, as YAML text, as a dict (as ``yaml.safe_load`` or JSON would
give it) or as a validated :class:`ModelSpec`::

    costmodel.analyze("specs/mobilenet_v2.yaml", alpha=0.75)
    costmodel.analyze("model: tiny\ninput: [3, 32, 32]\nlayers: [{op: conv2d, out: 8, kernel: 3}]")
    costmodel.analyze({"model": "tiny", "input": [3, 32, 32], "layers": [{"op": "relu"}]})
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from costmodel.analysis.result import Analysis
from costmodel.arith import exact_decimal
from costmodel.assumptions import Assumption, relation_at
from costmodel.graph import Network, build
from costmodel.spec.load import load_spec, parse_spec
from costmodel.spec.located_yaml import load_yaml
from costmodel.spec.schema import ModelSpec

__all__ = ["load", "analyze", "reference_build", "holds_at"]


def load(spec: str | Path | Mapping[str, Any] | ModelSpec) -> tuple[ModelSpec, str]:
    """The validated spec and the name errors will give it: a path, YAML text (a string that
    names no file and has a line break or starts ``model:``), a mapping, or a :class:`ModelSpec`.
    Raises :class:`costmodel.errors.SpecError`."""
    if isinstance(spec, ModelSpec):
        return spec, "<spec>"
    if isinstance(spec, Mapping):
        return parse_spec(dict(spec), "<dict>"), "<dict>"
    if isinstance(spec, str) and not os.path.lexists(spec) and (
            "\n" in spec or spec.lstrip().startswith(("model:", "{"))):  # an existing file is a path
        return parse_spec(load_yaml("<string>", spec), "<string>"), "<string>"
    return load_spec(spec), str(spec)


def analyze(spec: str | Path | Mapping[str, Any] | ModelSpec, *, symbolic: Iterable[str] = (),
            **bindings: Any) -> Analysis:
    """Analyze a spec (a path, YAML text, a dict or a :class:`ModelSpec`; see :func:`load`)
    at the given bindings.

    Bindings are numbers or expression text; a float is taken as the decimal it was written
    as (``alpha=0.75`` is 3/4). Names in ``symbolic`` stay sympy symbols.
    Raises :class:`costmodel.errors.SpecError` for invalid specs or bindings.

    >>> analyze("specs/mobilenet_v2.yaml").totals.params
    3504872
    """
    bindings = {name: exact_decimal(value) if isinstance(value, float) else value
                for name, value in bindings.items()}
    model, path = load(spec)
    return Analysis(reference_build(model, path, bindings, tuple(symbolic)))


def reference_build(spec: ModelSpec, path: str, bindings: dict[str, Any],
                    symbolic: tuple[str, ...]) -> Network:
    """The build, with parameters in ``symbolic`` left symbolic, that has the structure the
    network has at the parameters' defaults.

    A symbolic build takes different expressions for different values (costmodel.assumptions);
    here each decision = or ≠ that expressions do not settle is taken as it comes out at the
    defaults instead (make_divisible(c, 8) is c for a c already divisible by 8, so
    MobileNetV3's first block has no expand conv), in one build.
    """
    return build(spec, path, bindings, symbolic, at_reference=bool(symbolic))


def holds_at(assumption: Assumption, point: dict[Any, Any]) -> bool | None:
    """Whether ``assumption`` holds at ``point`` (None when it cannot be evaluated there)."""
    value = relation_at(assumption.lhs, assumption.relation, assumption.rhs, point)
    return None if value is None else value == assumption.outcome
