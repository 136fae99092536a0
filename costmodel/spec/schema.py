"""The spec document: model metadata, declared parameters, user blocks and layers.

``Layer`` is a discriminated union on ``op`` built from the op and block registries: a
registered name selects its spec class; any other name is a call of a block the spec
defines under ``blocks:`` (checked against those definitions, listing the valid names).
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from costmodel.arith import FUNCTIONS
from costmodel.blocks import BLOCKS
from costmodel.errors import SpecError
from costmodel.ops import OPS
from costmodel.spec.base import Expr, LayerSpec, SpecModel

__all__ = ["BlockCall", "UserBlock", "Variant", "LintSettings", "ModelSpec", "Layer", "LAYER_CLASSES", "RESERVED_NAMES", "SHAPE_NAMES"]

LAYER_CLASSES: dict[str, type[LayerSpec]] = {
    **{name: op.spec for name, op in OPS.items()},
    **{name: block.spec for name, block in BLOCKS.items()},
}
"""Every built-in op and block name → its spec class."""

SHAPE_NAMES = ("in_channels", "in_height", "in_width", "in_tokens")
"""Names a user block's expressions may use for its input's shape: channels (the channel
axis: 1 of N×C×H×W, the last of tokens), height and width of an image, tokens L of N×L×C."""

RESERVED_NAMES = frozenset(FUNCTIONS) | {"input"} | frozenset(SHAPE_NAMES)


class BlockCall(LayerSpec):
    """A use of a block defined in the spec's ``blocks:``; other fields are its arguments."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @property
    def args(self) -> dict[str, Any]:
        """The arguments given to the block."""
        return dict(self.model_extra or {})


def _layer_tag(value: Any) -> str | None:
    op = value.get("op") if isinstance(value, dict) else getattr(value, "op", None)
    if not isinstance(op, str):
        return None
    return op if op in LAYER_CLASSES else "call"


if TYPE_CHECKING:
    # The union is built at import time from the registries, which a type checker cannot
    # see; every member is a LayerSpec.
    Layer = LayerSpec
else:
    Layer = Annotated[
        Union[tuple(Annotated[cls, Tag(name)] for name, cls in LAYER_CLASSES.items())  # noqa: UP007
              + (Annotated[BlockCall, Tag("call")],)],
        Discriminator(_layer_tag, custom_error_type="missing_op",
                      custom_error_message="missing field 'op'"),
    ]


def _check_names(names: Any, what: str) -> Any:
    for name in names:
        if not str(name).isidentifier() or name in RESERVED_NAMES:
            raise ValueError(f"'{name}' cannot be a {what} name (identifiers only; reserved: "
                             f"{', '.join(sorted(RESERVED_NAMES))})")
    return names


class UserBlock(SpecModel):
    """A block defined in the spec: parameters (``null`` = required) and layers."""

    params: dict[str, Expr | None] = {}
    layers: list[Layer] = Field(min_length=1)
    output: str | None = None

    _names = field_validator("params")(lambda cls, v: _check_names(v, "block parameter"))


class Variant(SpecModel):
    """A named configuration of the spec (e.g. ``mobilenet_v2_0.75``) with the figures
    published for it: ``published`` maps a metric (``params``, ``maccs``) to the paper's
    rounded value and ``source`` names the paper and table. ``reason`` maps a metric whose
    count differs from the published figure beyond its rounding to why (explained in
    docs/zoo.md)."""

    name: str
    bindings: dict[str, Expr] = {}
    published: dict[str, Expr] = {}
    source: str = ""
    reason: dict[str, str] = {}


class LintSettings(SpecModel):
    """The spec's ``lint:`` section: ``thresholds`` (rule code → threshold name → value,
    e.g. ``{G1: {ratio: 1.3}}``) and ``ignore`` (layer or block name pattern, fnmatch-style
    → code prefixes, e.g. ``{"features.1*": [G4]}``). Codes are checked by ``costmodel lint``."""

    thresholds: dict[str, dict[str, Expr]] = {}
    ignore: dict[str, list[str]] = {}


class ModelSpec(SpecModel):
    """A whole network."""

    model: str
    description: str = ""
    input: list[Expr] = Field(min_length=3, max_length=3, description="[channels, height, width]")
    batch: Expr = 1
    params: dict[str, Expr] = {}
    choices: dict[str, list[Expr]] = {}
    """Search-space choices of declared parameters (costmodel.space), e.g. resolutions."""
    blocks: dict[str, UserBlock] = {}
    layers: list[Layer] = Field(min_length=1)
    variants: list[Variant] = []
    lint: LintSettings | None = None

    _names = field_validator("params")(lambda cls, v: _check_names(v, "parameter"))

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
        shadowing = sorted(set(self.blocks) & set(LAYER_CLASSES))
        if shadowing:  # the built-in would be used silently
            raise SpecError(f"block '{shadowing[0]}' has the name of a built-in op or block; "
                            "rename it")
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
