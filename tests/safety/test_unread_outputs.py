"""An output nothing reads is counted, so every command that builds the network says so:
one ``warning:`` line naming file, line and layer, the usual exit status, numbers as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.errors import SpecWarning
from costmodel.lint import LintOptions, lint_path
from tests.safety.files import snapshot

HEAD = "model: dead\nparams: {x: 1}\ninput: [8, 8, 8]\nlayers:\n"
# case → (layers from line 5 on, the warning's location and what it says)
CASES = {
    "forgotten branch": ("  - {name: a, op: conv2d, out: 8}\n"
                         "  - {name: b, op: conv2d, out: 4, inputs: input}\n"
                         "  - {name: act, op: relu, inputs: a}\n",
                         "s.yaml:6: layer 'b' (conv2d): its output is never read"),
    "split nobody reads": ("  - {name: a, op: conv2d, out: 8}\n"
                           "  - {name: s, op: split, parts: 2, inputs: input}\n"
                           "  - {name: act, op: relu, inputs: a}\n",
                           "s.yaml:6: layer 's' (split): its output is never read"),
    "dead chain: only its end": ("  - {name: a, op: conv2d, out: 8}\n"
                                 "  - {name: b, op: conv2d, out: 4, inputs: input}\n"
                                 "  - {name: b_act, op: relu}\n"
                                 "  - {name: act, op: relu, inputs: a}\n",
                                 "s.yaml:7: layer 'b_act' (relu): its output is never read"),
}
COMMANDS = {
    "report": (["report", "{spec}"], 0),
    "lint": (["lint", "{spec}", "--select", "D5"], 1),
    "check": (["check", "{spec}"], 0),
    "transform": (["transform", "{spec}", "--fold-bn"], 0),
    "sweep": (["sweep", "{spec}", "--set-range", "x=1,2"], 0),
    "zoo": (["zoo", "--specs", "{dir}", "--output", "-"], 0),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_command_warns_once(tmp_path: Path, command: str, case: str) -> None:
    layers, expected = CASES[case]
    (tmp_path / "s.yaml").write_text(HEAD + layers)
    before = snapshot(tmp_path)
    args, status = COMMANDS[command]
    result = CliRunner().invoke(main, [a.format(spec=tmp_path / "s.yaml", dir=tmp_path) for a in args])
    assert result.exit_code == status, (result.output, result.exception)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and expected in warnings[0], result.stderr
    assert "error" not in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("layers", [
    "  - {name: s, op: split, parts: 2}\n  - {name: cat, op: concat, inputs: ['s:1', 's:0']}\n",
    # a slice: part 1 is dropped, as a ghost module trims its concat (GhostNet's out[:, :oup])
    "  - {name: s, op: split, sections: [6, 2]}\n  - {name: act, op: relu, inputs: 's:0'}\n",
    "  - {op: ghost_module, out: 15}\n",
])
def test_no_warning_when_every_layer_is_read(tmp_path: Path, layers: str) -> None:
    (tmp_path / "s.yaml").write_text(HEAD + layers)
    result = CliRunner().invoke(main, ["report", str(tmp_path / "s.yaml")])
    assert result.exit_code == 0 and result.stderr == ""


def test_the_counts_still_include_the_unread_layer(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(HEAD + CASES["forgotten branch"][0])
    with pytest.warns(SpecWarning, match="'b'"):
        (finding,) = lint_path(tmp_path / "s.yaml", options=LintOptions(select=("D5",)))
    assert (finding.layer, finding.line, finding.value) == ("b", 6, 4 * 8 * 8)  # b's output 4×8×8
    result = CliRunner().invoke(main, ["report", str(tmp_path / "s.yaml"), "--format", "json"])
    # a: 1·1·8·8 weights, b: 1·1·8·4 — both counted (no bias)
    assert '"params": ' + str(8 * 8 + 8 * 4) in result.stdout.replace("\n", " ").replace("  ", " ")
