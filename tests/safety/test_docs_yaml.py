"""Every YAML sample in docs/*.md loads with the spec loader (YAML 1.2 numbers, no
duplicate keys, bounded); a sample that is a whole spec (``model``, ``input``, ``layers``)
also validates and builds, so a sample refused by a later rule (a bare ``published:
{params: 2.61}``) fails here instead of misleading a reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from costmodel.graph import build
from costmodel.spec.load import parse_spec
from costmodel.spec.located_yaml import load_yaml

DOCS = Path(__file__).resolve().parents[2] / "docs"
_FENCE = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _samples() -> list[tuple[str, str]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for number, match in enumerate(_FENCE.finditer(page.read_text(encoding="utf-8"))):
            found.append((f"{page.name}#{number}", match.group(1)))
    return found


SAMPLES = _samples()


def test_the_docs_have_samples() -> None:
    # spec.md alone shows the full spec, parameter domains, a user block and an example
    assert sum(name.startswith("spec.md#") for name, _ in SAMPLES) >= 4


@pytest.mark.parametrize(("name", "text"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_sample_loads(name: str, text: str) -> None:
    data = load_yaml(name, text)
    assert isinstance(data, dict), name
    if {"model", "input", "layers"} <= set(data):
        build(parse_spec(data, name), name)
