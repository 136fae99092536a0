"""Base classes and field types shared by every op and block spec.

A layer spec is a pydantic model tagged by its ``op`` (a ``Literal``); unknown fields are
errors (``extra="forbid"``), so ``kernal: 5`` is reported, not ignored. Fields typed
:data:`Expr` or :data:`ExprPair` hold numbers or expression text and are evaluated when the
graph is built (:func:`evaluated`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Any, ClassVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from costmodel.arith import (
    Number,
    as_int,
    decimal_text,
    exact_decimal,
    is_lanes,
    is_symbolic,
    is_whole,
)
from costmodel.errors import SpecError, control_character
from costmodel.spec.expr import evaluate

__all__ = ["SpecModel", "LayerSpec", "Text", "Expr", "ExprPair", "Padding", "Domain", "expr_in", "Count", "Positive",
           "Flag", "Condition", "Probability", "Tally", "Multiple", "Share", "evaluated",
           "expr_fields", "first_copy", "override", "op_names", "MAX_NETWORK_NODES", "MAX_BLOCK_DEPTH"]

PADDING_KEYWORDS = ("same", "valid")

MAX_BLOCK_DEPTH = 16
"""Most levels of blocks (built-in or the spec's) one layer may expand through; deeper
(a block calling itself, or a chain of 1,000 blocks) is refused with one line, before any
walk over the calls recurses that deep."""

MAX_NETWORK_NODES = 100_000
"""Most primitive ops one network may expand to (repeats, blocks and block parameters such as
``branches`` or ``parts`` included; the input is not an op); refused before the expansion
allocates them. At this size ``report`` and ``lint`` took 4.3–5.6 s of CPU, ``check``
9.2–10.2 s, within 0.3 GiB, on the 2-core machine of the benchmarks at load 8–11
(benchmarks/bench_scaling.py, 2026-12-03); at 200,000 ops ``check`` took 11 s (before
its per-node cost was cut), over the 10 s every input must be answered in (issue 9).
``export`` has a lower limit of its own."""


def _printable_text(text: str) -> str:
    found = control_character(text)
    if found is not None:
        raise ValueError(f"holds the control character {found}; names and texts are printed, "
                         "so they may not hold control characters, ANSI escapes or bidi overrides")
    return text


Text = Annotated[str, AfterValidator(_printable_text)]
"""Text a spec gives that reports print (the model's name, a layer's, a variant's): without
control characters, which would forge lines or drive the terminal (every echo escapes them
too, but a name is shown in many places)."""


@dataclass(frozen=True)
class Domain:
    """The numbers a field (or parameter) admits: bounds, inclusive unless ``*_open``, and
    optionally whole numbers only."""

    minimum: Number | None = None
    maximum: Number | None = None
    min_open: bool = False
    max_open: bool = False
    whole: bool = False

    def describe(self) -> str:
        """'a whole number ≥ 1', 'a number ≥ 0 and < 1', …"""
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.min_open else '≥'} {decimal_text(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.max_open else '≤'} {decimal_text(self.maximum)}")
        return ("a whole number " if self.whole else "a number ") + " and ".join(parts)

    def admits(self, value: Any) -> bool:
        """True for a symbolic value or a number inside the domain."""
        if is_symbolic(value):
            return True
        value = as_int(value)
        if not (isinstance(value, (int, Fraction)) or is_lanes(value)) or isinstance(value, bool):
            return False
        low, high = self.minimum, self.maximum
        return not ((self.whole and not is_whole(value))
                    or (low is not None and (value <= low if self.min_open else value < low))
                    or (high is not None and (value >= high if self.max_open else value > high)))

    def check(self, value: Any, what: str) -> Any:
        """``value``, or a :class:`SpecError` saying ``what`` must be in the domain."""
        if not self.admits(value):
            raise SpecError(f"{what} is {decimal_text(value)}; it must be {self.describe()}")
        return value


class _ExprField:
    """Marks a field whose value is evaluated as an expression (except its keywords), and
    the domain its numeric values must lie in."""

    def __init__(self, keywords: tuple[str, ...] = (), domain: Domain | None = None) -> None:
        self.keywords = keywords
        self.domain = domain


_EXPR = _ExprField()
_PADDING = _ExprField(PADDING_KEYWORDS)


def _is_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, Fraction, str)) or hasattr(value, "free_symbols") or is_lanes(value)


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


def _numbers(value: Any) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, (int, Fraction)) and not isinstance(v, bool)]


def expr_in(domain: Domain, *, pair: bool = False) -> Any:
    """An :data:`Expr` (or :data:`ExprPair`) field whose values must lie in ``domain``:
    checked at load when written as a number, after evaluation when an expression."""

    def check(value: Any) -> Any:
        for number in _numbers(value):
            if not domain.admits(number):
                raise ValueError(f"{decimal_text(number)} is out of range: it must be {domain.describe()}")
        return value

    validator = _check_value_or_pair if pair else _check_value
    return Annotated[Any, BeforeValidator(validator), AfterValidator(check), _ExprField((), domain)]


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
        # read from pydantic's private store directly: ``self._line`` goes through
        # BaseModel.__getattr__, ~10× slower, and the builder asks once per node
        line: int = self.__pydantic_private__["_line"]  # type: ignore[index]
        return line


Count = expr_in(Domain(1, MAX_NETWORK_NODES, whole=True))
"""A whole number of copies, branches or parts: 1 … MAX_NETWORK_NODES."""

Tally = expr_in(Domain(0, MAX_NETWORK_NODES, whole=True))
"""A whole number of copies that may be none: 0 … MAX_NETWORK_NODES."""

Multiple = expr_in(Domain(2, whole=True))
"""A whole number ≥ 2 (a ghost module's ratio s)."""

Share = expr_in(Domain(0, 1, min_open=True))
"""A number in (0, 1] (a share of channels, e.g. sandglass's identity multiplier)."""

Positive = expr_in(Domain(0, min_open=True))
"""A number > 0 (a ratio such as ``se_ratio`` or ``reduction``)."""

Flag = expr_in(Domain(0, 1, whole=True))
"""0 or 1 (a switch that may be a parameter, e.g. ``se: use_se``)."""

Condition = Annotated[Flag, BeforeValidator(lambda value: int(value) if isinstance(value, bool) else value)]  # type: ignore[valid-type]
"""A condition: ``true``/``false``, 0 or 1, or an expression whose value is 0 or 1 (a
comparison, ``and``/``or``/``not``); any other number (``when: 2``) is refused, not read as true."""

Probability = expr_in(Domain(0, 1, max_open=True))
"""A number in [0, 1) (dropout's ``p``, as PyTorch requires)."""


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
    name: Text | None = None
    inputs: list[str] | str | None = None
    repeat: expr_in(Domain(1, MAX_NETWORK_NODES, whole=True)) | None = None  # type: ignore[valid-type]
    first: dict[str, Any] | None = None
    when: Condition | None = None
    choices: dict[str, list[Any]] | None = None
    """Search-space choices (costmodel.space): field → values, chosen per copy; ``repeat``
    → depths, chosen per stage; ``skip: [false, true]`` lets a shape-preserving copy be left
    out. The field's own value is the one every other command uses."""

    model_config = ConfigDict(defer_build=True)

    kind: ClassVar[str] = "op"
    counts: ClassVar[tuple[str, ...]] = ()
    """Fields whose product bounds below how many ops the layer expands to (e.g. a block's
    ``branches``): the builder refuses an over-large expansion before allocating it."""

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

    @model_validator(mode="wrap")
    @classmethod
    def _check_first(cls, data: Any, handler: Any) -> Any:
        """``first`` is checked at load, at the line of its key: it needs ``repeat`` and the
        first copy must be a valid layer."""
        layer = handler(data)
        if isinstance(layer, LayerSpec) and layer.first is not None:
            line = getattr(data, "key_lines", {}).get("first") or layer.line or None
            try:
                if layer.repeat is None:
                    raise SpecError("'first' only applies to a layer with 'repeat'")
                if fixed := sorted(FIXED_IN_FIRST & set(layer.first)):
                    raise SpecError(f"'first' cannot set '{fixed[0]}': the copies' names and "
                                    "count are the layer's own (it overrides fields of copy 0)")
                first_copy(layer)
            except SpecError as error:
                raise error.located(line=line, layer=layer.name, op=layer.op) from None
        return layer


FIXED_IN_FIRST = frozenset({"name", "repeat", "first", "choices"})
"""Keys ``first`` may not hold: copy 0 is named ``NAME.0`` and counted by the layer's own
``repeat``, so these would be ignored silently."""


def first_copy(layer: LayerSpec) -> LayerSpec:
    """The first repetition of ``layer``: its ``first`` overrides applied and validated."""
    return override(layer, layer.first or {}, {"first"}, "invalid 'first' override")


def override(layer: LayerSpec, fields: Mapping[str, Any], drop: set[str], what: str) -> LayerSpec:
    """``layer`` without the fields in ``drop`` and with ``fields`` set, validated (a
    :class:`SpecError` starting with ``what`` names the field); it keeps the layer's line."""
    data = layer.model_dump(exclude_unset=True, exclude=drop)
    data.update(fields)
    try:
        copy = type(layer).model_validate(data)
    except ValidationError as error:
        detail = error.errors()[0]
        field = ".".join(str(part) for part in detail["loc"] if part != type(layer).__name__)
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = f"unknown field (valid fields: {', '.join(type(layer).model_fields)})"
        raise SpecError(f"{what}: {field + ': ' if field else ''}{message}") from None
    copy._line = layer.line
    return copy


def op_names(cls: type[LayerSpec]) -> tuple[str, ...]:
    """The op names ``cls``'s ``op: Literal[...]`` field allows (what a registry files it under)."""
    return get_args(cls.model_fields["op"].annotation)


def _marker(metadata: Any) -> _ExprField | None:
    return next((m for m in metadata if isinstance(m, _ExprField)), None)


def _find_marker(annotation: Any) -> _ExprField | None:
    if get_origin(annotation) is Annotated and (found := _marker(annotation.__metadata__)):
        return found
    return next((m for arg in get_args(annotation) if (m := _find_marker(arg))), None)


_EXPR_FIELDS: dict[type, dict[str, _ExprField]] = {}


def expr_fields(cls: type[SpecModel]) -> dict[str, _ExprField]:
    """Fields of ``cls`` holding expressions (``repeat``, ``choices`` excepted) → their marker
    (keywords, domain)."""
    if cls not in _EXPR_FIELDS:
        found = {name: _marker(field.metadata) or _find_marker(field.annotation)
                 for name, field in cls.model_fields.items() if name not in ("repeat", "choices")}
        _EXPR_FIELDS[cls] = {name: marker for name, marker in found.items() if marker}
    return _EXPR_FIELDS[cls]


def evaluated(layer: LayerSpec, scope: Mapping[str, Any]) -> LayerSpec:
    """A copy of ``layer`` whose expression fields hold exact values in ``scope``."""
    update = {}
    for name, marker in expr_fields(type(layer)).items():
        value = getattr(layer, name)
        if value is not None and value not in marker.keywords:
            update[name] = result = evaluate(value, scope)
            if marker.domain is not None:
                for number in result if isinstance(result, list) else [result]:
                    marker.domain.check(number, name)
    return layer.model_copy(update=update)
