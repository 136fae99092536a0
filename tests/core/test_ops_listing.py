"""`costmodel ops` lists every field of every op and block with its type, default and
meaning, the meaning being the pydantic field description (set from spec/field_docs.py):
one source for the schema and the listing."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.commands.ops import field_type
from costmodel.spec.base import LayerSpec
from costmodel.spec.field_docs import FIELD_DOCS
from costmodel.spec.layers import LAYER_CLASSES

CLASSES = sorted({(cls.__name__, cls) for cls in [LayerSpec, *LAYER_CLASSES.values()]},
                 key=lambda item: item[0])


@pytest.mark.parametrize("cls", [cls for _, cls in CLASSES], ids=[name for name, _ in CLASSES])
def test_every_field_says_what_it_means(cls):
    # a layer class's own fields; the common ones (op, name, inputs, …) once, on LayerSpec
    own = cls.model_fields if cls is LayerSpec else {
        name: info for name, info in cls.model_fields.items() if name not in LayerSpec.model_fields}
    undocumented = [name for name, info in own.items() if not (info.description or "").strip()]
    assert undocumented == [], f"{cls.__name__}: fields without a description {undocumented}"


def test_no_description_names_a_missing_field():
    classes = {cls.__name__: cls for _, cls in CLASSES}
    stale = [(name, field) for name, fields in FIELD_DOCS.items() for field in fields
             if name not in classes or field not in classes[name].model_fields]
    assert stale == []


@pytest.fixture(scope="module")
def listing() -> list[str]:
    result = CliRunner().invoke(main, ["ops"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def _fields_of(listing: list[str], op: str) -> dict[str, list[str]]:
    start = next(i for i, line in enumerate(listing) if line.startswith(f"{op} "))
    rows = {}
    for line in listing[start + 1:]:
        if not line.startswith("    "):
            break
        name, *rest = re.split(r"\s{2,}", line.strip())
        rows[name] = rest
    return rows


def test_listing_shows_type_default_and_the_description(listing):
    conv = _fields_of(listing, "conv2d")
    assert list(conv) == ["out", "kernel", "stride", "padding", "dilation", "groups", "depthwise",
                          "bias"]
    description = LAYER_CLASSES["conv2d"].model_fields["groups"].description
    assert conv["groups"] == ["expr", "1", " ".join(description.split())]
    assert conv["out"][:2] == ["expr | null", "null"]


def test_mbconv_se_fields_have_no_default(listing):
    mbconv = _fields_of(listing, "mbconv")
    assert mbconv["se_of"][:2] == ["expanded | input | null", "null"]
    assert "no default" in mbconv["se_of"][2] and "no default" in mbconv["se_gate"][2]
    assert mbconv["out"][:2] == ["expr", "required"]


def test_every_layer_fields_come_first_once(listing):
    assert listing[0] == "every layer"
    assert sum(line.startswith("    when ") for line in listing) == 1


@pytest.mark.parametrize("written, shown", [
    ("Expr", "expr"), ("Expr | None", "expr | null"), ("ExprPair", "expr | [h, w]"),
    ("bool", "bool"), ('Literal["nearest", "bilinear"]', "nearest | bilinear"),
    ("list[Expr] | None", "[expr, …] | null"), ("Count", "whole ≥ 1"),
])
def test_field_type_reads_as_a_spec_writer_sees_it(written, shown):
    assert field_type(written) == shown
