"""Every zoo spec and variant passes `check` (analytic = measured on every node), at a small
resolution so the numpy forward stays fast."""

from pathlib import Path

import pytest

from costmodel.check import check_network
from costmodel.errors import SpecError
from costmodel.graph import build
from costmodel.spec.load import load_spec

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.yaml"))
SMALL = (32, 48, 64, 96, 128)
"""Resolutions tried in turn: the smallest one the spec accepts is used."""


def cases():
    for path in SPECS:
        spec = load_spec(path)
        variants = [(v.name, dict(v.bindings)) for v in spec.variants] or [("default", {})]
        for name, bindings in variants:
            yield pytest.param(path, bindings, id=f"{path.stem}-{name}")


def small_network(path, bindings):
    spec = load_spec(path)
    if "resolution" not in spec.params:
        return build(spec, str(path), bindings)
    for resolution in SMALL:
        try:
            return build(spec, str(path), {**bindings, "resolution": resolution})
        except SpecError:
            continue
    return build(spec, str(path), bindings)


@pytest.mark.parametrize(("path", "bindings"), list(cases()))
def test_spec_passes_check(path, bindings):
    result = check_network(small_network(path, bindings))
    assert [] == [str(d) for d in result.disagreements]


def test_the_zoo_is_there():
    assert any(path.stem == "mobilenet_v2" for path in SPECS)
