"""Read a spec file into a validated :class:`ModelSpec`, or fail with one located line."""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from costmodel.errors import SpecError
from costmodel.spec.layers import LAYER_CLASSES, BlockCall
from costmodel.spec.located_yaml import Located, load_yaml
from costmodel.spec.schema import ModelSpec

__all__ = ["load_spec", "parse_spec"]


def load_spec(path: str | Path) -> ModelSpec:
    """Load and validate the spec at ``path``. Raises :class:`SpecError`."""
    return parse_spec(load_yaml(path), str(path))


def parse_spec(data: Any, path: str = "<spec>") -> ModelSpec:
    """Validate already loaded data (a :class:`Located` mapping, or any dict)."""
    if not isinstance(data, dict):
        raise SpecError("a spec is a mapping with model, input, params and layers", path=path, line=1)
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as error:
        raise _spec_error(error, data).located(path=path) from None
    except SpecError as error:
        raise error.located(path=path) from None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model class a field's annotation holds (through Optional, list, dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((found for arg in get_args(annotation) if (found := _inner_model(arg))), None)


def _spec_error(error: ValidationError, data: Any) -> SpecError:
    """The first validation error, in words, at the line of the offending key, naming the
    model (layer type, ``lint:``, a variant…) the key belongs to."""
    detail = error.errors()[0]
    loc = detail["loc"]
    node, line, layer = data, getattr(data, "line", None), None
    model: type[BaseModel] = ModelSpec
    parent: Any = None
    for key in loc:
        if isinstance(node, dict) and key in node:
            if isinstance(node, Located):
                line = node.key_lines.get(str(key), line)
            if key in model.model_fields:
                model = _inner_model(model.model_fields[str(key)].annotation) or model
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            line = getattr(node, "line", line)
            if isinstance(node, dict) and parent == "layers":
                layer = node
                model = LAYER_CLASSES.get(str(node.get("op")), BlockCall)
        parent = key
    strings = [k for k in loc if isinstance(k, str)]
    field = next((k for k in reversed(strings) if k in model.model_fields), strings[-1] if strings else "")
    if detail["type"] == "extra_forbidden":
        field = str(loc[-1])
    message = _describe(detail, field, model)
    name = None if layer is None else str(layer.get("name") or f"#{loc[loc.index('layers') + 1]}")
    op = None if layer is None else str(layer.get("op", "no op"))
    return SpecError(message, line=line, layer=name, op=op)


def _describe(detail: ErrorDetails, field: str, model: type[BaseModel]) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        fields = [f for f in model.model_fields]
        close = get_close_matches(field, fields, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown field '{field}'{hint} (valid fields: {', '.join(fields)})"
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "missing_op":
        return detail["msg"]
    message = detail["msg"].removeprefix("Value error, ")
    return f"{field}: {message}" if field else message
