"""``costmodel ops``: the ops and built-in blocks a spec may use, every field with its type,
default and meaning — the meaning is the pydantic field's description (costmodel/spec/
field_docs.py), so the listing and the schema cannot drift apart."""

from __future__ import annotations

import re
from typing import Any

import click
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["ops", "field_type", "field_default"]

# The spec layer's annotated field types, as a reader of a spec sees them.
_TYPES = [
    (r"\bActivationOrNone\b", "activation | none"),
    (r"\bActivationName\b", "activation"),
    (r"\bExprPair\b", "expr | [h, w]"),
    (r"\bPadding\b", "p | [p_h, p_w] | [t, b, l, r]"),
    (r"\bCount\b", "whole ≥ 1"),
    (r"\bTally\b", "whole ≥ 0"),
    (r"\bMultiple\b", "whole ≥ 2"),
    (r"\bShare\b", "0 < m ≤ 1"),
    (r"\bPositive\b", "number > 0"),
    (r"\bFlag\b", "0 | 1"),
    (r"\bCondition\b", "true | false | 0 | 1"),
    (r"\bProbability\b", "0 ≤ p < 1"),
    (r"\bexpr_in\(Domain\((\d+)[^)]*\)\)", r"whole ≥ \1"),
    (r"\bExpr\b", "expr"),
]


def field_type(annotation: str) -> str:
    """A field's source annotation (``Expr | None``) as a reader's type (``expr | null``)."""
    text = re.sub(r"\bNone\b", "null", annotation)
    literal = re.fullmatch(r"Literal\[(.*)\](.*)", text)
    if literal:
        text = " | ".join(part.strip().strip("\"'") for part in literal[1].split(",")) + literal[2]
    text = re.sub(r"\blist\[(.*?)\]", r"[\1, …]", text)
    for pattern, readable in _TYPES:
        text = re.sub(pattern, readable, text)
    return text


def field_default(info: FieldInfo) -> str:
    """``required``, ``null`` or the default as a spec would write it."""
    if info.default is PydanticUndefined:
        return "required"
    if info.default is None:
        return "null"
    if isinstance(info.default, bool):
        return str(info.default).lower()
    return str(info.default)


def _annotation(cls: type[Any], field: str) -> str:
    """The annotation as written in the class that declares ``field`` (postponed: a string)."""
    for klass in cls.__mro__:
        written = getattr(klass, "__annotations__", {}).get(field)
        if written is not None:
            return written if isinstance(written, str) else getattr(written, "__name__", str(written))
    return "?"


def _rows(cls: type[Any], fields: list[str]) -> list[str]:
    cells = [(name, field_type(_annotation(cls, name)), field_default(cls.model_fields[name]),
              " ".join((cls.model_fields[name].description or "").split())) for name in fields]
    wide = [max((len(row[i]) for row in cells), default=0) for i in range(3)]
    return [f"    {n:{wide[0]}}  {t:{wide[1]}}  {d:{wide[2]}}  {m}".rstrip() for n, t, d, m in cells]


@click.command()
def ops() -> None:
    """List every op and built-in block, then each of its fields: type, default, meaning.

    The fields every layer has (name, op, inputs, repeat, first, when, choices) come first,
    once. ``expr`` is a number or an expression over the spec's parameters (docs/spec.md).

    Example: costmodel ops | grep -A9 '^conv2d'
    """
    from costmodel.spec.base import LayerSpec
    from costmodel.spec.layers import LAYER_CLASSES

    common = list(LayerSpec.model_fields)
    click.echo("every layer")
    for line in _rows(LayerSpec, common):
        click.echo(line)
    for name, spec in sorted(LAYER_CLASSES.items()):
        summary = " ".join((spec.__doc__ or "").strip().split("\n\n")[0].split())
        click.echo(f"{name:20} {spec.kind:5}  {summary}")
        for line in _rows(spec, [field for field in spec.model_fields if field not in common]):
            click.echo(line)
