"""`costmodel check` and `costmodel transform` from the command line."""

import dataclasses

import yaml
from click.testing import CliRunner

from costmodel.check import check_network
from costmodel.cli import main
from costmodel.cost import Cost
from costmodel.graph import build
from costmodel.ops import OPS
from costmodel.spec.load import load_spec

from .test_zoo_check import SPECS

MOBILENET = str(SPECS[0].parent / "mobilenet_v2.yaml")


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_check_agrees():
    result = run("check", MOBILENET, "--set", "resolution=32", "--seed", "5")
    assert 0 == result.exit_code, result.output
    assert "all 153 nodes agree" in result.output


def test_check_names_disagreeing_nodes(monkeypatch):
    # a wrong formula (relu6 claiming one extra element-wise op) must be caught on every relu6
    true = OPS["relu6"]

    def wrong(layer, x):
        result = true.formula(layer, x)
        return dataclasses.replace(result, cost=result.cost + Cost(elementwise=1))

    monkeypatch.setitem(OPS, "relu6", dataclasses.replace(true, formula=wrong))
    result = run("check", MOBILENET, "--set", "resolution=32")
    assert 1 == result.exit_code
    assert "features.0.act (relu6): elementwise analytic" in result.output
    network = build(load_spec(MOBILENET), MOBILENET, {"resolution": 32})
    relu6 = [name for name, node in network.nodes.items() if node.op == "relu6"]
    assert relu6 == check_network(network).failing_nodes


def test_check_bad_input_exits_2(tmp_path):
    assert 2 == run("check", MOBILENET, "--set", "nonsense=1").exit_code
    assert 2 == run("check", str(tmp_path / "missing.yaml")).exit_code


def test_transform_writes_a_spec_that_checks(tmp_path):
    out = tmp_path / "folded.yaml"
    result = run("transform", MOBILENET, "--set", "resolution=32", "--fold-bn", "--verify", "-o", str(out))
    assert 0 == result.exit_code, result.output
    assert "before" in result.output and "verified" in result.output
    data = yaml.safe_load(out.read_text())
    assert not any(layer["op"] == "batchnorm" for layer in data["layers"])
    assert 0 == run("check", str(out)).exit_code


def test_transform_needs_a_transform():
    assert 2 == run("transform", MOBILENET).exit_code
