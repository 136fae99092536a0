"""Base classes and field types shared by every op and block spec.

A layer spec is a pydantic model tagged by its ``op`` (a ``Literal``); unknown fields are
errors (``extra="forbid"``), so ``kernal: 5`` is reported, not ignored. Fields typed
:data:`Expr` or :data:`ExprPair` hold numbers or expression text and are evaluated when the
graph is built (:func:`evaluated`).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Annotated, Any, ClassVar, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    field_validator,
    model_validator,
)

from costmodel.arith import exact_decimal
from costmodel.spec.expr import evaluate

__all__ = ["SpecModel", "LayerSpec", "Expr", "ExprPair", "Padding", "evaluated", "expr_fields", "op_names"]

PADDING_KEYWORDS = ("same", "valid")


class _ExprField:
    """Marks a field whose value is evaluated as an expression (except its keywords)."""

    def __init__(self, keywords: tuple[str, ...] = ()) -> None:
        self.keywords = keywords


_EXPR = _ExprField()
_PADDING = _ExprField(PADDING_KEYWORDS)


def _is_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, Fraction, str)) or hasattr(value, "free_symbols")


def _check_value(value: Any) -> Any:
    if isinstance(value, float):
        return exact_decimal(value)
    if not _is_value(value):
        raise ValueError(f"expected a number or an expression, got {value!r}")
    return value


def _check_value_or_pair(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if len(value) != 2 or not all(_is_value(v) or isinstance(v, float) for v in value):
            raise ValueError(f"expected a number or a pair [height, width], got {value!r}")
        return [_check_value(v) for v in value]
    return _check_value(value)


def _check_padding(value: Any) -> Any:
    return value if value in PADDING_KEYWORDS else _check_value_or_pair(value)


Expr = Annotated[Any, BeforeValidator(_check_value), _EXPR]
"""A number or expression text, e.g. ``24`` or ``make_divisible(24 * alpha, 8)``."""

ExprPair = Annotated[Any, BeforeValidator(_check_value_or_pair), _EXPR]
"""An :data:`Expr` or a pair ``[height, width]`` of them."""

Padding = Annotated[Any, BeforeValidator(_check_padding), _PADDING]
"""An :data:`ExprPair`, or ``same`` (TensorFlow: H′ = ⌈H/s⌉) or ``valid`` (no padding)."""


class SpecModel(BaseModel):
    """Strict model that remembers the YAML line it was read from."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    _line: int = PrivateAttr(default=0)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_line(cls, data: Any, handler: Any) -> Any:
        model = handler(data)
        line = getattr(data, "line", 0)
        if line and isinstance(model, SpecModel):
            model._line = line
        return model

    @property
    def line(self) -> int:
        """1-based line of the YAML mapping, 0 when built in Python."""
        return self._line


class LayerSpec(SpecModel):
    """Fields every layer has, whatever its op.

    ``name`` (default: its position), ``inputs`` (default: the previous layer; ``name:k``
    picks output k of a multi-output layer), ``repeat`` (a stage of n copies named
    ``name.0 … name.n-1``), ``first`` (field overrides for copy 0, e.g. its stride) and
    ``when`` (a condition: when it is false the layer is left out as if not written — its
    name then refers to the layer before it — so one block covers variants: SE on/off, a
    residual only when shapes allow).
    """

    op: str
    name: str | None = None
    inputs: list[str] | str | None = None
    repeat: Expr | None = None
    first: dict[str, Any] | None = None
    when: Expr | None = None
    choices: dict[str, list[Any]] | None = None
    """Search-space choices (costmodel.space): field → values, chosen per copy; ``repeat``
    → depths, chosen per stage; ``skip: [false, true]`` lets a shape-preserving copy be left
    out. The field's own value is the one every other command uses."""

    kind: ClassVar[str] = "op"

    @field_validator("choices")
    @classmethod
    def _known_choices(cls, choices: dict[str, list[Any]] | None) -> dict[str, list[Any]] | None:
        if not choices:
            return choices
        allowed = set(cls.model_fields) - {"op", "name", "inputs", "first", "choices"} | {"skip"}
        for field, values in choices.items():
            if cls.model_config.get("extra") != "allow" and field not in allowed:
                raise ValueError(f"'{field}' is not a field of this op (fields: {', '.join(sorted(allowed))})")
            if not values:
                raise ValueError(f"'{field}' needs at least one value")
            if field == "skip" and not all(isinstance(value, bool) for value in values):
                raise ValueError("skip takes true and/or false")
        return {field: values if field == "skip" else [_check_value(value) for value in values]
                for field, values in choices.items()}


def op_names(cls: type[LayerSpec]) -> tuple[str, ...]:
    """The op names ``cls``'s ``op: Literal[...]`` field allows (what a registry files it under)."""
    return get_args(cls.model_fields["op"].annotation)


def _marker(metadata: Any) -> _ExprField | None:
    return next((m for m in metadata if isinstance(m, _ExprField)), None)


def _find_marker(annotation: Any) -> _ExprField | None:
    if get_origin(annotation) is Annotated and (found := _marker(annotation.__metadata__)):
        return found
    return next((m for arg in get_args(annotation) if (m := _find_marker(arg))), None)


_EXPR_FIELDS: dict[type, dict[str, tuple[str, ...]]] = {}


def expr_fields(cls: type[SpecModel]) -> dict[str, tuple[str, ...]]:
    """Fields of ``cls`` holding expressions (``repeat``, ``choices`` excepted) → their keywords."""
    if cls not in _EXPR_FIELDS:
        found = {name: _marker(field.metadata) or _find_marker(field.annotation)
                 for name, field in cls.model_fields.items() if name not in ("repeat", "choices")}
        _EXPR_FIELDS[cls] = {name: marker.keywords for name, marker in found.items() if marker}
    return _EXPR_FIELDS[cls]


def evaluated(layer: LayerSpec, scope: Mapping[str, Any]) -> LayerSpec:
    """A copy of ``layer`` whose expression fields hold exact values in ``scope``."""
    update = {}
    for name, keywords in expr_fields(type(layer)).items():
        value = getattr(layer, name)
        if value is not None and value not in keywords:
            update[name] = evaluate(value, scope)
    return layer.model_copy(update=update)
