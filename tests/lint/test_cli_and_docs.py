"""CLI (exit codes, formats), registry hygiene and the generated docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.commands.lint import parse_size
from costmodel.lint.docs import rules_markdown
from costmodel.lint.registry import DOC_SECTIONS, RULES, register_rule

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parents[2]


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_exit_codes_and_text_format() -> None:
    clean = run("lint", str(FIXTURES / "g1_good.yaml"))
    assert clean.exit_code == 0 and clean.output == "All checks passed.\n"
    bad = run("lint", str(FIXTURES / "g1_bad.yaml"))
    assert bad.exit_code == 1
    assert bad.output.splitlines() == [
        f"{FIXTURES / 'g1_bad.yaml'}:4: widen G1 1×1 conv 16→96 channels: mem_access 1.328× "
        "the bound at equal maccs (1.33 vs 1.2)", "Found 1 finding."]
    assert run("lint", str(FIXTURES / "missing.yaml")).exit_code == 2
    assert run("lint", str(FIXTURES / "g1_bad.yaml"), "--memory-budget", "lots").exit_code == 2


def test_unknown_threshold_in_the_spec_is_bad_input(tmp_path: Path) -> None:
    spec = tmp_path / "typo.yaml"
    spec.write_text((FIXTURES / "g1_bad.yaml").read_text() + "lint:\n  thresholds:\n    G1: {ratoi: 2}\n")
    result = run("lint", str(spec))
    assert result.exit_code == 2 and "no threshold 'ratoi'" in result.output


def test_json_and_sarif() -> None:
    data = json.loads(run("lint", str(FIXTURES / "g2_bad.yaml"), "--select", "G2", "--format", "json").output)
    assert data == [{"path": str(FIXTURES / "g2_bad.yaml"), "line": 4, "layer": "gconv", "code": "G2",
                     "name": "excessive-group-convolution", "message": data[0]["message"],
                     "value": round(4032 / 1984, 6), "threshold": 1.2, "instances": ["gconv"],
                     "time_us": None}]
    sarif = json.loads(run("lint", str(FIXTURES / "g2_bad.yaml"), "--format", "sarif").output)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == list(RULES)
    assert {r["ruleId"] for r in run_["results"]} == {"G1", "G2"}
    region = run_["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4}


def test_rule_command() -> None:
    result = run("rule", "g1")
    assert result.exit_code == 0 and "2·√(g·x·B) + B/x" in result.output and "`ratio` = 6/5" in result.output
    assert run("rule", "Z1").exit_code == 2
    assert len(run("rule").output.splitlines()) == len(RULES)


def test_sizes() -> None:
    assert (parse_size("256KiB"), parse_size("1MB"), parse_size("4096")) == (262144, 10**6, 4096)


def test_rules_are_documented_and_unique() -> None:
    for rule in RULES.values():
        assert all(section in rule.doc for section in DOC_SECTIONS), rule.code
    with pytest.raises(ValueError, match="twice"):
        register_rule("G1", "another-name")(RULES["G1"].check)
    with pytest.raises(ValueError, match="lacks"):
        register_rule("Z9", "undocumented")(lambda ctx: iter(()))


def test_docs_rules_md_is_current() -> None:
    # regenerate with: python -m costmodel.lint.docs > docs/rules.md
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown()
