"""Base classes and field types shared by every op and block spec.

A layer spec is a pydantic model tagged by its ``op`` (a ``Literal``); unknown fields are
errors (``extra="forbid"``), so ``kernal: 5`` is reported, not ignored. Fields typed
:data:`Expr` or :data:`ExprPair` hold numbers or expression text and are evaluated when the
graph is built (:func:`evaluated`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Annotated, ClassVar, Mapping, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, model_validator

from costmodel.spec.expr import evaluate

__all__ = ["SpecModel", "LayerSpec", "Expr", "ExprPair", "evaluated", "expr_fields"]


class _ExprField:
    """Marks a field whose value is evaluated as an expression."""


_EXPR = _ExprField()


def _is_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, Fraction, str)) or hasattr(value, "free_symbols")


def _check_value(value: Any) -> Any:
    if not _is_value(value):
        raise ValueError(f"expected a number or an expression, got {value!r}")
    return value


def _check_value_or_pair(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if len(value) != 2 or not all(_is_value(v) for v in value):
            raise ValueError(f"expected a number or a pair [height, width], got {value!r}")
        return list(value)
    return _check_value(value)


Expr = Annotated[Any, BeforeValidator(_check_value), _EXPR]
"""A number or expression text, e.g. ``24`` or ``make_divisible(24 * alpha, 8)``."""

ExprPair = Annotated[Any, BeforeValidator(_check_value_or_pair), _EXPR]
"""An :data:`Expr` or a pair ``[height, width]`` of them."""


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
    ``name.0 … name.n-1``) and ``first`` (field overrides for copy 0, e.g. its stride).
    """

    op: str
    name: str | None = None
    inputs: list[str] | str | None = None
    repeat: Expr | None = None
    first: dict[str, Any] | None = None

    kind: ClassVar[str] = "op"


def _holds_expr(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated and _EXPR in annotation.__metadata__:
        return True
    return any(_holds_expr(arg) for arg in get_args(annotation))


_EXPR_FIELDS: dict[type, list[str]] = {}


def expr_fields(cls: type[SpecModel]) -> list[str]:
    """Names of the fields of ``cls`` that hold expressions (``repeat`` excepted)."""
    if cls not in _EXPR_FIELDS:
        _EXPR_FIELDS[cls] = [name for name, field in cls.model_fields.items() if name != "repeat"
                             and (_EXPR in field.metadata or _holds_expr(field.annotation))]
    return _EXPR_FIELDS[cls]


def evaluated(layer: LayerSpec, scope: Mapping[str, Any]) -> LayerSpec:
    """A copy of ``layer`` whose expression fields hold exact values in ``scope``."""
    update = {name: evaluate(getattr(layer, name), scope)
              for name in expr_fields(type(layer)) if getattr(layer, name) is not None}
    copy = layer.model_copy(update=update)
    return copy
