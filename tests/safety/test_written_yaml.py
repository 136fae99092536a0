"""Every YAML file costmodel writes (transform -o, import -o, space --out and
--write-extremes) reads back as what was written: a text that YAML 1.2 reads as a number
(``0o10``, ``1e3``, ``-.5``) or that the loader refuses (``019``, ``yes``) is quoted. A layer
named ``0o10`` came back from ``transform`` as the number 8 ("name: Input should be a valid
string")."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.importer.write import spec_yaml
from costmodel.spec.load import load_spec
from costmodel.spec.located_yaml import dump_yaml, load_yaml

NAMES = ["0o10", "0x1F", "1e3", "-.5", "+1", ".inf", "-.Inf", ".NaN", "019", "-0", "1_000", "1:3",
         "yes", "Off", "~", "null", "NULL", "True", "FALSE", "", "0b11", "2001-12-14", "1.", "=", "<<"]
"""Texts YAML 1.1 or 1.2 would read as a number, boolean, null or date (or that the loader
refuses as ambiguous), and a few that are just odd."""


@pytest.mark.parametrize("text", NAMES)
def test_a_text_reads_back_as_the_same_text(text: str) -> None:
    data = {"name": text, "values": [text], text or "k": 1}
    assert load_yaml("t.yaml", dump_yaml(data)) == data


@pytest.mark.parametrize("value", [0, 8, -3, 10**30, True, False, None])
def test_numbers_and_constants_stay_what_they_are(value: object) -> None:
    assert load_yaml("t.yaml", dump_yaml({"v": value})) == {"v": value}


SPEC = "model: {model}\ninput: [3, 8, 8]\nlayers:\n  - {{name: {name}, op: conv2d, out: 4, kernel: 1}}\n" \
       "  - {{name: bn, op: batchnorm}}\n"


@pytest.mark.parametrize("name", ["0o10", "1e3", "-.5", "019", "yes"])
def test_transform_writes_a_spec_that_reads_back(tmp_path: Path, name: str) -> None:
    source = tmp_path / "s.yaml"
    source.write_text(SPEC.format(model=f"'{name}'", name=f"'{name}'"))
    out = tmp_path / "t.yaml"
    done = CliRunner().invoke(main, ["transform", str(source), "--fold-bn", "-o", str(out)])
    assert done.exit_code == 0, done.output
    spec = load_spec(out)
    assert spec.model == name
    assert [layer.name for layer in spec.layers] == [name]   # the BN folded into the conv
    # conv 3→4 k1 with the folded BN's bias: 12 weights + 4 biases
    assert "16" in CliRunner().invoke(main, ["report", str(out), "--totals-only"]).output


def test_import_writes_names_that_read_back() -> None:
    spec = {"model": "1e3", "input": [3, 8, 8],
            "layers": [{"name": "0o10", "op": "conv2d", "out": 4, "kernel": 1, "inputs": ["input"]},
                       {"name": "-.5", "op": "relu", "inputs": ["0o10"]}]}
    data = load_yaml("m.yaml", spec_yaml(spec, "m.onnx"))
    assert data["model"] == "1e3"
    assert [layer["name"] for layer in data["layers"]] == ["0o10", "-.5"]
    assert data["layers"][1].get("inputs", ["0o10"]) == ["0o10"]
