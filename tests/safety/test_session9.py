"""Session 9's hostile classes (tools/hostile_s9.py): a condition is 0 or 1 (``when: 2`` was
read as true), figures beyond 10¹⁵ are echoed in scientific notation and a latency beyond a
float's range is one line, a device-profile note never joins an error line, options that
contradict ``--symbolic`` and ambiguous budget lists are refused, and ONNX names a spec gives
a meaning to (``:``, ``.``, ``input``, YAML syntax) are counted as the original model."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.commands.budgets import Limit, exceeded
from costmodel.units import readable
from tests.safety.files import assert_one_line_error, snapshot
from tests.safety.test_hostile import CORPUS

S9 = CORPUS._sibling("hostile_s9")
V2 = CORPUS.V2


def _run(tmp_path: Path, text: str, *args: str, name: str = "s.yaml") -> object:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, [args[0], str(tmp_path / name), *args[1:]])


@pytest.mark.parametrize("value", sorted(S9.WHEN_VALID))
def test_a_condition_of_0_or_1_keeps_or_drops_the_layer(tmp_path: Path, value: str) -> None:
    result = _run(tmp_path, S9.WHEN_SPEC.format(when=value), "report", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == S9.WHEN_VALID[value]


@pytest.mark.parametrize("value", S9.WHEN_INVALID)
def test_a_condition_that_is_not_0_or_1_is_one_line(tmp_path: Path, value: str) -> None:
    (tmp_path / "s.yaml").write_text(S9.WHEN_SPEC.format(when=value), encoding="utf-8")
    before = snapshot(tmp_path)
    for command in ("report", "lint", "check"):
        result = CliRunner().invoke(main, [command, str(tmp_path / "s.yaml")])
        line = assert_one_line_error(result, "s.yaml")
        assert "when" in line or "condition" in line, line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("value", "decimals", "grouping", "text"), [
    (1.25, 1, False, "1.2"),                 # round half to even at the place, as float formatting does
    (14801.4, 0, True, "14,801"),
    (999_999_999_999_999, 0, True, "999,999,999,999,999"),
    (10**15, 0, True, "1.00e+15"),           # from 10¹⁵ on: three significant digits
    (5.4437e191, 3, False, "5.44e+191"),
    (4 * 10**198 + 10**99, 0, False, "4.00e+198"),   # an int beyond a float: no OverflowError
    (Fraction(10**400, 3), 2, False, "3.33e+399"),
    (float("inf"), 1, False, "inf"),
    (-2e300, 1, False, "-2.00e+300"),
])
def test_readable_figures(value: object, decimals: int, grouping: bool, text: str) -> None:
    assert readable(value, decimals, grouping) == text


def test_a_budget_line_beyond_1e15_is_short() -> None:
    maccs = 4 * 10**198 + 10**99
    lines = exceeded([Limit("maccs", Fraction(1), "", "maccs=1"), Limit("latency", Fraction(1000), "µs", "latency=1ms")],
                     {"maccs": maccs}, "fp32", latency_us=5.4437e191)
    # (maccs − 1)/1 · 100 % = 4.00e+200 %; (5.4437e191 − 1000)/1000 · 100 % = 5.44e+190 %
    assert lines == ["budget exceeded: maccs 4.00e+198 > 1 (by 4.00e+200 %)",
                     "budget exceeded: latency 5.44e+191 µs > 1ms (by 5.44e+190 %)"]
    assert exceeded([Limit("maccs", Fraction(1), "", "maccs=1")], {"maccs": 300_774_272}, "fp32") == [
        "budget exceeded: maccs 300,774,272 > 1 (by 30077427100.00 %)"]


def test_a_latency_beyond_a_float_is_one_line_and_the_counts_stay_exact(tmp_path: Path) -> None:
    line = assert_one_line_error(_run(tmp_path, S9.HUGE_OVERFLOW, "report", "--latency"), "s.yaml")
    assert "too large for a latency prediction" in line
    result = _run(tmp_path, S9.HUGE_OVERFLOW, "report", "--totals-only", "--format", "json")
    assert result.exit_code == 0, result.output
    # 10¹²⁰ pixels: conv 1 (1 → 10⁹⁹) 10²¹⁹ maccs, conv 2 (10⁹⁹ → 10⁹⁹) 10³¹⁸
    assert f'"maccs": {10**318 + 10**219}' in result.stdout


def test_a_finite_huge_latency_prints_short_lines(tmp_path: Path) -> None:
    result = _run(tmp_path, S9.HUGE_FINITE, "report", "--latency", "--budget", "latency=1ms,maccs=1")
    assert result.exit_code == 1, result.output
    budget = [line for line in result.stderr.splitlines() if line.startswith("budget exceeded")]
    assert len(budget) == 2 and all(len(line) < 80 for line in budget), budget
    assert max(len(line) for line in result.stdout.splitlines()[3:]) < 400  # the maccs column stays exact


@pytest.mark.parametrize("command", [["report", "--latency"], ["report", "--budget", "latency=1ms"],
                                     ["lint", "--latency"], ["sweep", "--set-range", "alpha=1,2", "--latency"]])
def test_the_profile_note_never_joins_an_error(tmp_path: Path, command: list[str]) -> None:
    assert_one_line_error(_run(tmp_path, "model: [\n", *command), "s.yaml")


def test_the_profile_note_is_printed_on_success(tmp_path: Path) -> None:
    for command in (["report", "--latency", "--totals-only"], ["lint", "--latency"]):
        result = _run(tmp_path, CORPUS.BASE, *command)
        assert result.exit_code in (0, 1), result.output  # lint: 1 for its findings
        assert result.stderr.startswith("latency: shipped profile "), result.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["--symbolic", "alpha", "--budget", "maccs=1"], "--budget maccs=1 needs numbers"),
    (["--symbolic", "alpha", "--latency"], "--latency needs numbers"),
    (["--symbolic", "alpha", "--latency", "missing.json"], "--latency missing.json needs numbers"),
    (["--symbolic", "alpha", "--set", "alpha=2"], "parameter 'alpha' is both symbolic and bound to '2'"),
    (["--budget", "maccs=1M,maccs=2M"], "'maccs' is given twice"),
    (["--budget", "maccs=1M,,params=1M"], "empty item"),
    (["--budget", "maccs=1M,"], "empty item"),
])
def test_contradicting_options_are_one_line(args: list[str], expected: str) -> None:
    line = assert_one_line_error(CliRunner().invoke(main, ["report", V2, *args]), "mobilenet_v2.yaml")
    assert expected in line, line


@pytest.mark.parametrize("name", ["node_dup", "node_empty", "node_colon", "node_input", "node_yaml_star",
                                  "node_brace", "tensor_tf", "tensor_numeric", "tensor_input"])
def test_onnx_names_a_spec_reads_are_counted_as_the_original(tmp_path: Path, name: str) -> None:
    pytest.importorskip("onnx")
    h = CORPUS._hostile_onnx()
    (tmp_path / "m.onnx").write_bytes(h.serialized(S9._renamed(h, *S9.ONNX_NAMES[name])))
    result = CliRunner().invoke(main, ["report", str(tmp_path / "m.onnx"), "--totals-only"])
    assert result.exit_code == 0, result.output
    assert all(figure in result.stdout for figure in h.VALID_FIGURES), result.stdout
    imported = CliRunner().invoke(main, ["import", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "o.yaml")])
    assert imported.exit_code == 0, imported.output
    again = CliRunner().invoke(main, ["report", str(tmp_path / "o.yaml"), "--totals-only"])
    assert again.exit_code == 0, again.output
    assert again.stdout.split("\n", 1)[1] == result.stdout.split("\n", 1)[1]  # every total but the title


@pytest.mark.parametrize(("name", "expected"), [
    ("duplicate_init", "initializer 'w' is defined twice (dims [4, 3, 3, 3] and [4, 3, 5, 5])"),
    ("weight_kernel_mismatch", "kernel_shape [3, 3] disagrees with its weight's [5, 5]"),
    ("strides_3", "attribute 'strides' has 3 values; a 2-D Conv takes 2"),
    ("kernel_shape_long", "attribute 'kernel_shape' has 1000 values"),
    ("weight_cin_mismatch", "layer 'conv' (Conv): weight [4, 5, 3, 3] with group 1 reads 5 channels; its input has 3"),
    ("gemm_mismatch", "layer 'fc' (Gemm): weight [2, 5] (transB) reads 5 features; its input [1, 4] has 4"),
    ("gemm_bias_mismatch", "layer 'fc' (Gemm): bias [3] for 2 outputs"),
    ("flatten_last_axis", "layer 'fc' (Gemm): weight [2, 4] (transB) reads 4 features; its input [4, 1] has 1"),
    ("dangling_output", "graph output 'nowhere' is produced by no node and is not an input"),
])
def test_malformed_onnx_is_one_line(tmp_path: Path, name: str, expected: str) -> None:
    pytest.importorskip("onnx")
    h = CORPUS._hostile_onnx()
    (tmp_path / "m.onnx").write_bytes(h.serialized(S9._malformed(h)[name]))
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(tmp_path / "m.onnx")]), "m.onnx")
    assert expected in line, line


@pytest.mark.parametrize("command", ["report", "lint", "check"])
def test_a_spec_whose_every_layer_is_left_out_is_one_line(tmp_path: Path, command: str) -> None:
    line = assert_one_line_error(_run(tmp_path, S9.ALL_DROPPED, command), "s.yaml")  # was all-zero totals
    assert "no layer is left" in line, line


@pytest.mark.parametrize("name", sorted(S9.EXACT))
def test_odd_valid_specs_are_counted_exactly(tmp_path: Path, name: str) -> None:
    text, row = S9.EXACT[name]
    result = _run(tmp_path, text, "report", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == row
