"""The spec document: model metadata, declared parameters, user blocks and layers.

A layer is a :data:`~costmodel.spec.layers.Layer`: a built-in name selects its class of
the layer vocabulary (costmodel.spec.layers); any other name is a call of a block the spec
defines under ``blocks:`` (checked against those definitions, listing the valid names).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from difflib import get_close_matches
from fractions import Fraction
from typing import Any

from pydantic import Field, field_validator, model_validator

from costmodel.arith import FUNCTIONS, Number, Value, as_int
from costmodel.cost import METRICS
from costmodel.errors import SpecError
from costmodel.spec.base import Domain, Expr, SpecModel, Text
from costmodel.spec.expr import evaluate
from costmodel.spec.layers import LAYER_CLASSES, BlockCall, Layer
from costmodel.spec.published import published_figure
from costmodel.symbols import parameter_symbol

__all__ = ["UserBlock", "Parameter", "Variant", "LintSettings", "ModelSpec",
           "RESERVED_NAMES", "SHAPE_NAMES", "resolve_bindings"]

SHAPE_NAMES = ("in_channels", "in_height", "in_width", "in_tokens")
"""Names a user block's expressions may use for its input's shape: channels (the channel
axis: 1 of N×C×H×W, the last of tokens), height and width of an image, tokens L of N×L×C."""

RESERVED_NAMES = frozenset(FUNCTIONS) | {"input"} | frozenset(SHAPE_NAMES) | frozenset(keyword.kwlist)
"""Names no parameter or block may take: functions, the input, shape names, and Python's
keywords (``lambda``, ``True``, ``None``: the expression parser could never read them as a name)."""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""ASCII identifiers only: Python (and so the expression parser) would read a fullwidth
``ａlpha`` as ``alpha``."""


def _key_line(data: Any, key: str) -> int | None:
    """The line of ``key`` in a mapping read from YAML (None for plain dicts)."""
    return getattr(data, "key_lines", {}).get(key) or getattr(data, "line", None)


def _check_names(data: Any, what: str) -> Any:
    """Refuse a key of ``data`` that is not an ASCII identifier or is reserved, at its line.
    A block may not be named like a built-in op or block: ``op: relu`` would never call it."""
    if isinstance(data, Mapping):
        for name in data:
            if what == "block" and name in LAYER_CLASSES:
                raise SpecError(f"block '{name}' has the name of a built-in "
                                f"{LAYER_CLASSES[name].kind} (`op: {name}` always means the "
                                "built-in); rename it", line=_key_line(data, str(name)))
            if not _NAME.fullmatch(str(name)) or name in RESERVED_NAMES:
                reserved = ", ".join(sorted(RESERVED_NAMES - set(keyword.kwlist)))
                raise SpecError(f"'{name}' cannot be a {what} name (ASCII letters, digits and _, "
                                f"not starting with a digit; reserved: {reserved} and Python's keywords)",
                                line=_key_line(data, str(name)))
    return data


def _number(value: Any, what: str) -> Number:
    number = as_int(evaluate(value, {}))
    if not isinstance(number, (int, Fraction)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return number


class Parameter(SpecModel):
    """A declared parameter: its ``default`` and the domain of values it admits (``min``,
    ``max``, inclusive). Written ``alpha: 1`` or ``alpha: {default: 1, min: 0.1}``."""

    default: Expr
    min: Expr | None = None
    max: Expr | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return data if isinstance(data, Mapping) else {"default": data}

    @field_validator("min", "max")
    @classmethod
    def _numeric(cls, value: Any) -> Any:
        return None if value is None else _number(value, "a parameter's bound")

    @property
    def domain(self) -> Domain:
        """The values the parameter admits."""
        return Domain(self.min, self.max)


def resolve_bindings(spec: ModelSpec, bindings: Mapping[str, Any],
                     symbolic: tuple[str, ...] = ()) -> dict[str, Value]:
    """Value of every declared parameter: a symbol, the binding, or the default.

    Bindings may be numbers or expression text; a default may refer to earlier parameters.
    Each numeric value must lie in its parameter's domain. Raises :class:`SpecError`, also
    for a name both symbolic and bound.
    """
    unknown = sorted((set(bindings) | set(symbolic)) - set(spec.params))
    if unknown:
        declared = ", ".join(spec.params) or "none"
        raise SpecError(f"unknown parameter '{unknown[0]}' (declared: {declared})")
    both = [name for name in symbolic if name in bindings]
    if both:  # the binding would be silently dropped: which was meant?
        raise SpecError(f"parameter '{both[0]}' is both symbolic and bound to {bindings[both[0]]!r}; "
                        "give one of the two")
    scope: dict[str, Value] = {}
    for name, parameter in spec.params.items():
        if name in symbolic:
            scope[name] = parameter_symbol(name)
            continue
        value = bindings.get(name, parameter.default)
        origin = "bound to" if name in bindings else "default"
        try:
            scope[name] = parameter.domain.check(evaluate(value, scope), f"parameter '{name}'")
        except SpecError as error:
            if error.message.startswith(f"parameter '{name}' is"):
                raise
            raise SpecError(f"parameter '{name}' ({origin} {value!r}): {error.message}; a "
                            "value may use only parameters declared before it") from None
    return scope


class UserBlock(SpecModel):
    """A block defined in the spec: parameters (``null`` = required) and layers."""

    params: dict[str, Expr | None] = {}
    layers: list[Layer] = Field(min_length=1)
    output: str | None = None

    _names = field_validator("params", mode="before")(lambda cls, v: _check_names(v, "block parameter"))


class Variant(SpecModel):
    """A named configuration of the spec (e.g. ``mobilenet_v2_0.75``) with the figures
    published for it: ``published`` maps a metric (``params``, ``maccs``) to the paper's
    rounded value and ``source`` names the paper and table. ``reason`` maps a metric whose
    count differs from the published figure beyond its rounding to why (explained in
    docs/zoo.md)."""

    name: Text
    bindings: dict[str, Expr] = {}
    published: dict[str, Expr] = {}
    source: Text = ""
    reason: dict[str, Text] = {}

    @field_validator("published", "reason", mode="before")
    @classmethod
    def _metrics(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for metric in data:
                if metric not in METRICS:
                    raise SpecError(f"unknown metric '{metric}' (metrics: {', '.join(METRICS)})",
                                    line=_key_line(data, str(metric)))
        return data

    @field_validator("published", mode="before")
    @classmethod
    def _figures(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for metric, value in data.items():
                try:
                    published_figure(value)
                except SpecError as error:
                    raise error.located(line=_key_line(data, str(metric))) from None
        return data


class LintSettings(SpecModel):
    """The spec's ``lint:`` section: ``thresholds`` (rule code → threshold name → value,
    e.g. ``{G1: {ratio: 1.3}}``) and ``ignore`` (layer or block name pattern, fnmatch-style
    → code prefixes, e.g. ``{"features.1*": [G4]}``). Codes are checked by ``costmodel lint``."""

    thresholds: dict[str, dict[str, Expr]] = {}
    ignore: dict[str, list[str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for check in LINT_CHECKS:
                check(data)
            thresholds = data.get("thresholds")
            for code, items in (thresholds.items() if isinstance(thresholds, Mapping) else ()):
                for name, value in (items.items() if isinstance(items, Mapping) else ()):
                    line = _key_line(items, str(name))
                    try:
                        number = _number(value, f"lint.thresholds: {code}.{name}")
                    except (SpecError, ValueError) as error:
                        raise SpecError(str(getattr(error, "message", error)), line=line) from None
                    if number < 0:
                        raise SpecError(f"lint.thresholds: {code}.{name} is {number}; it must be ≥ 0",
                                        line=line)
        return data


LINT_CHECKS: list[Callable[[Mapping[str, Any]], None]] = []
"""Checks of the raw ``lint:`` mapping against the rule registry (unknown rule codes,
thresholds, ignore prefixes; raising a located :class:`SpecError`). The registry sits above
the spec layer, so the layer that may import it installs the check: the CLI does, so every
command refuses a bad ``lint:`` section at load."""


class ModelSpec(SpecModel):
    """A whole network."""

    model: Text
    description: Text = ""
    input: list[Expr] = Field(min_length=3, max_length=3, description="[channels, height, width]")
    batch: Expr = 1
    params: dict[str, Parameter] = {}
    choices: dict[str, list[Expr]] = {}
    """Search-space choices of declared parameters (costmodel.space), e.g. resolutions."""
    blocks: dict[str, UserBlock] = {}
    layers: list[Layer] = Field(min_length=1)
    variants: list[Variant] = []
    lint: LintSettings | None = None
    identity_nodes: dict[str, int] = {}
    """An imported model's ONNX ``Identity`` nodes, per layer whose work they lead to (set by
    ``costmodel import``, costmodel.importer.origin): the import folds or aliases them (no
    cost), but onnxruntime runs each as a node of its own with optimizations off
    (costmodel.latency.kernels)."""

    _names = field_validator("params", mode="before")(lambda cls, v: _check_names(v, "parameter"))
    _block_names = field_validator("blocks", mode="before")(lambda cls, v: _check_names(v, "block"))

    @model_validator(mode="after")
    def _valid_defaults_and_variants(self) -> ModelSpec:
        """Every command sees the same checks: defaults and each variant's bindings resolve
        (declared names, valid expressions, inside the parameters' domains)."""
        resolve_bindings(self, {})
        for variant in self.variants:
            try:
                resolve_bindings(self, variant.bindings)
            except SpecError as error:
                raise SpecError(f"variant '{variant.name}': {error.message}",
                                line=variant.line or None) from None
        return self

    @model_validator(mode="after")
    def _declared_choices(self) -> ModelSpec:
        for name, values in self.choices.items():
            if name not in self.params:
                raise ValueError(f"choices: '{name}' is not a declared parameter "
                                 f"(declared: {', '.join(self.params) or 'none'})")
            if not values:
                raise ValueError(f"choices: '{name}' needs at least one value")
        return self

    @model_validator(mode="after")
    def _known_block_calls(self) -> ModelSpec:
        layer_lists = [self.layers, *(block.layers for block in self.blocks.values())]
        for layers in layer_lists:
            for position, layer in enumerate(layers):
                if isinstance(layer, BlockCall) and layer.op not in self.blocks:
                    raise SpecError(unknown_op_message(layer.op, self.blocks), line=layer.line or None,
                                    layer=layer.name or f"#{position}", op=layer.op)
        return self


def unknown_op_message(op: str, user_blocks: Any = ()) -> str:
    """'unknown op …; did you mean …? valid ops: …'."""
    valid = sorted(LAYER_CLASSES) + sorted(user_blocks)
    close = get_close_matches(op, valid, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown op '{op}'{hint} (valid ops: {', '.join(valid)})"
