"""Every command given bad input: exit status 2, one line on stderr, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from costmodel.cli import main

HEAD = "model: bad\nparams: {x: 1}\ninput: [3, 16, 16]\nlayers:\n  - {name: c, op: conv2d, out: 8}\n"
SPECS = {
    # line 6 is the offending layer in both
    "unknown_op": (HEAD + "  - {name: d, op: convv2d, out: 8}\n",
                   "bad.yaml:6: layer 'd' (convv2d): unknown op 'convv2d'; did you mean 'conv2d'?"),
    "unsafe_expression": (HEAD + "  - {name: d, op: conv2d, out: \"__import__('os')\"}\n",
                          "bad.yaml:6: layer 'd' (conv2d): call of '__import__' is not allowed"),
}

# Each command that reads a spec, with the options it needs to get as far as reading it.
SPEC_COMMANDS = {
    "report": ["report", "{spec}"],
    "sweep": ["sweep", "{spec}", "--set-range", "x=1,2"],
    "lint": ["lint", "{spec}"],
    "check": ["check", "{spec}"],
    "transform": ["transform", "{spec}", "--fold-bn"],
    "zoo": ["zoo", "--specs", "{dir}", "--output", "-"],
}


def _one_line_error(result: Result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, lines
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]


@pytest.mark.parametrize("command", sorted(SPEC_COMMANDS))
@pytest.mark.parametrize("case", sorted(SPECS))
def test_bad_spec(tmp_path: Path, command: str, case: str) -> None:
    text, expected = SPECS[case]
    (tmp_path / "bad.yaml").write_text(text)
    args = [a.format(spec=tmp_path / "bad.yaml", dir=tmp_path) for a in SPEC_COMMANDS[command]]
    result = CliRunner().invoke(main, args)
    _one_line_error(result, expected)


def test_bad_sweep_range_names_the_spec() -> None:
    result = CliRunner().invoke(main, ["sweep", "specs/mobilenet_v2.yaml", "--width", "1:0:1"])
    _one_line_error(result, "specs/mobilenet_v2.yaml: '1:0:1' for alpha: need start ≤ stop")


def test_rule_unknown_code() -> None:
    result = CliRunner().invoke(main, ["rule", "Z9"])
    _one_line_error(result, "Z9: unknown rule (rules: G1, G2, G3, G4")  # names the known codes


def test_ops_takes_no_spec(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(SPECS["unknown_op"][0])
    result = CliRunner().invoke(main, ["ops", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "unexpected extra argument" in result.stderr
