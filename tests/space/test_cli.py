"""`costmodel space` from the command line."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

import costmodel
from costmodel.cli import main
from tests.space.small import SMALL


def _spec(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False))
    return str(path)


def test_json_report_and_budget(tmp_path):
    result = CliRunner().invoke(main, ["space", _spec(tmp_path), "--set", "resolution=32", "--format", "json",
                                       "--budget", "maccs=0.5M", "--pareto", "maccs,params", "--bins", "4"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert 140 == report["subnets"]  # half of the 280: one resolution
    assert {} == report["choices"]  # resolution is bound by --set
    budget = report["budget"]
    assert (budget["metric"], budget["limit"]) == ("maccs", 500_000)
    assert budget["surely"] <= budget["possibly"]
    assert 140 == sum(b["count"] for b in report["distribution"]["bins"])


def test_samples_as_specs_report_under_the_budget(tmp_path):
    out = tmp_path / "samples"
    result = CliRunner().invoke(main, ["space", _spec(tmp_path), "--budget", "maccs=400K", "--sample", "5",
                                       "--seed", "1", "--as", "spec", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.yaml"))
    assert 5 == len(files)
    assert all(costmodel.analyze(str(f)).totals.maccs <= 400_000 for f in files)


def test_bad_budget_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["space", _spec(tmp_path), "--budget", "flops=3M"])
    assert 2 == result.exit_code
    assert "budget 'flops=3M': expected METRIC=NUMBER" in result.output
    assert 1 == len(result.output.strip().splitlines())


def test_unknown_choice_field_is_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("model: bad\ninput: [3, 32, 32]\nlayers:\n"
                    "  - {name: a, op: conv_bn_act, out: 8, choices: {kernal: [3, 5]}}\n")
    result = CliRunner().invoke(main, ["space", str(path)])
    assert 2 == result.exit_code
    assert (f"error: {path}:4: layer 'a' (conv_bn_act): choices: 'kernal' is not a field of this op"
            in result.output)
