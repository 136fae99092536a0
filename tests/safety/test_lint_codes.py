"""Unknown rule codes — in --select, --ignore or the spec's ``lint.ignore`` — are one line
naming the file and the code, exit 2; never "All checks passed."."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.lint.registry import RULES
from tests.safety.files import assert_one_line_error, snapshot

SPEC = "model: tiny\ninput: [3, 8, 8]\nlayers:\n  - {name: c, op: conv2d, out: 4}\n"


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("codes, unknown", [
    ("ZZZ", "ZZZ"), ("G9", "G9"), ("G1,G12", "G12"), ("N,X", "X"), ("1", "1"), ("G-1", "G-1"),
])
def test_unknown_option_code(tmp_path: Path, option: str, codes: str, unknown: str) -> None:
    (tmp_path / "s.yaml").write_text(SPEC)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(main, ["lint", str(tmp_path / "s.yaml"), option, codes])
    line = assert_one_line_error(result, f"s.yaml: {option}: unknown rule code '{unknown}'")
    assert "G1" in line and "ALL" in line  # the valid choices are listed
    assert "All checks passed" not in result.stdout
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("prefixes, unknown", [("[ZZZ]", "ZZZ"), ("[G1, Q]", "Q"), ("[g1]", "g1")])
def test_unknown_code_in_lint_section(tmp_path: Path, prefixes: str, unknown: str) -> None:
    # line 7 holds the pattern (checked at load, for every command)
    (tmp_path / "s.yaml").write_text(SPEC + f"lint:\n  ignore:\n    'c*': {prefixes}\n")
    result = CliRunner().invoke(main, ["lint", str(tmp_path / "s.yaml")])
    assert_one_line_error(result, f"s.yaml:7: lint.ignore 'c*': unknown rule code '{unknown}'")


@pytest.mark.parametrize("codes", ["ALL", "G", "g1", "N1,D", *RULES])
def test_known_codes_and_prefixes_run(tmp_path: Path, codes: str) -> None:
    (tmp_path / "s.yaml").write_text(SPEC)
    for option in ("--select", "--ignore"):
        result = CliRunner().invoke(main, ["lint", str(tmp_path / "s.yaml"), option, codes])
        assert result.exit_code in (0, 1) and not result.stderr, result.stderr
