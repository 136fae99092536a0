"""Tracebacks and unclear messages: each input that once raised (RecursionError,
ValueError, ZeroDivisionError, AssertionError, TypeError, OSError, OverflowError, click's
three-line usage errors) is now ONE located line, exit 2 — and the line says what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.units import human, human_bytes
from tests.safety.files import assert_one_line_error

ROOT = Path(__file__).resolve().parents[2]
HEAD = "model: t\nparams: {a: {default: 1, min: 0, max: 9}}\ninput: [16, 8, 8]\nlayers:\n"

SPECS = {
    "recursive_alias": ("a: &a [*a]\n", ":1: recursive alias"),
    "recursive_map_alias": ("model: &m {x: *m}\n", ":1: recursive alias"),
    "nesting_500": ("a: " + "[" * 500 + "]" * 500 + "\n", "nested more than 64 levels"),
    "nesting_999": ("a: " + "[" * 999 + "]" * 999 + "\n", "nested more than 64 levels"),
    "digits_5000": (HEAD + "  - {op: conv2d, out: " + "1" * 5000 + ", kernel: 1}\n", "more than 100 digits"),
    "make_divisible_zero": (HEAD + "  - {op: conv2d, out: 'make_divisible(8, 0)', kernel: 1}\n",
                            "make_divisible: the divisor must be a whole number ≥ 1, got 0"),
    "ghost_ratio_zero": (HEAD + "  - {op: ghost_module, out: 16, ratio: 0}\n", "ratio"),
    "ghost_ratio_expr_zero": (HEAD + "  - {op: ghost_module, out: 16, ratio: a - 1}\n", "ratio"),
    "sandglass_reduction_zero": (HEAD + "  - {op: sandglass, out: 16, reduction: 0}\n", "reduction"),
    "min_no_arguments": (HEAD + "  - {op: conv2d, out: 'min()', kernel: 1}\n", "min"),
    "max_no_arguments": (HEAD + "  - {op: conv2d, out: 'max()', kernel: 1}\n", "max"),
    "published_nan": (HEAD + "  - {op: relu}\nvariants: [{name: v, published: {params: .nan}}]\n",
                      "not a finite number"),
    "division_by_zero": (HEAD + "  - {op: conv2d, out: '8 / (a - 1)', kernel: 1}\n", "division by zero"),
    "modulo": (HEAD + "  - {op: conv2d, out: '8 % (a - 1)', kernel: 1}\n", "is not allowed in an expression"),
    "floor_division_by_zero": (HEAD + "  - {op: conv2d, out: '8 // (a - 1)', kernel: 1}\n", "division by zero"),
    "block_recursion": (HEAD.replace("layers:\n", "blocks: {b: {layers: [{op: c}]}, c: {layers: [{op: b}]}}\n"
                                     "layers:\n") + "  - {op: b}\n", "blocks nested more than 16 deep (does a block call itself?)"),
    "first_override_bad": (HEAD + "  - {op: conv2d, out: 8, kernel: 1, repeat: 2, first: {stride: x}}\n",
                           ":5: layer"),
    "lint_key_unknown": (HEAD + "  - {op: relu}\nlint: {threshold: {G1: {ratio: 1}}}\n", "'threshold'"),
    "lint_threshold_negative": (HEAD + "  - {op: relu}\nlint: {thresholds: {G1: {ratio: -1}}}\n",
                                ":6: lint.thresholds: G1.ratio is -1"),
    # session 6: TypeError (dict(-1)), IndexError (sum of no sections), RecursionError (the op
    # budget walked a chain of 1,000 distinct blocks before the builder's depth check; the
    # layer calling b17 is 17 calls deep)
    **{f"lint_thresholds_{value}": (HEAD + f"  - {{op: relu}}\nlint: {{thresholds: {value}}}\n",
                                    ":6: thresholds: Input should be a valid dictionary")
       for value in ("-1", "0.5", "true", "[1, 2, 3]")},
    "split_sections_empty": (HEAD + "  - {op: split, sections: []}\n", "'sections' is empty"),
    "shuffle_split_sections_empty": (HEAD + "  - {op: concat_shuffle_split, groups: 2, sections: []}\n",
                                     "'sections' is empty"),
    "block_chain_1000": (HEAD.replace("layers:\n", "blocks: {" + ", ".join(
        f"b{i}: {{layers: [{{op: b{i + 1}}}]}}" for i in range(1000)) + ", b1000: {layers: [{op: relu}]}}\n"
        "layers:\n") + "  - {op: b0}\n", "(b17): blocks nested more than 16 deep"),
}


@pytest.mark.parametrize("case", sorted(SPECS))
def test_spec_that_raised(tmp_path: Path, case: str) -> None:
    text, words = SPECS[case]
    spec = tmp_path / "s.yaml"
    spec.write_text(text)
    line = assert_one_line_error(CliRunner().invoke(main, ["report", str(spec)]), str(spec))
    assert words in line, line


V2 = str(ROOT / "specs" / "mobilenet_v2.yaml")
MOBILEONE = str(ROOT / "specs" / "mobileone.yaml")
SQUEEZE = str(ROOT / "specs" / "squeezenet1_0.yaml")

COMMANDS = {
    "symbolic_se": (["report", MOBILEONE, "--symbolic", "se"], MOBILEONE, "se"),
    "symbolic_branches_range": (["sweep", MOBILEONE, "--set-range", "branches=1:70:1"], MOBILEONE, "branches"),
    "seed_negative": (["check", V2, "--seed", "-1"], V2, "seed"),
    "seed_too_large": (["check", V2, "--seed", str(2**64)], V2, "seed"),
    "unknown_option": (["report", V2, "--bogus"], V2, "No such option '--bogus'"),
    "missing_argument": (["report"], "costmodel report", "Missing argument 'SPEC'"),
    "unknown_command": (["frobnicate"], "costmodel", "No such command 'frobnicate'"),
    "bad_choice": (["report", V2, "--format", "xml"], V2, "'xml' is not one of"),
    "bad_set_form": (["report", V2, "--set", "alpha"], V2, "'alpha' is not NAME=VALUE"),
    "extremes_bad_path": (["space", str(ROOT / "specs/spaces/mcunet.yaml"), "--write-extremes", "/dev/null/x"],
                          "/dev/null/x", "/dev/null/x"),
    "lint_unknown_select": (["lint", V2, "--select", "ZZZ"], V2, "ZZZ"),
    "transform_nothing": (["transform", V2], "costmodel transform", "choose at least one of"),
    "int_range": (["space", str(ROOT / "specs/spaces/mcunet.yaml"), "--bins", "0"], "costmodel space", "--bins"),
    # session 6: ValueError (Python's 4,300-digit limit on int(); unpacking one metric into two)
    "budget_5001_digits": (["report", V2, "--budget", "maccs=1" + "0" * 5000], V2, "has more than 100 digits"),
    "space_budget_5001_digits": (["space", str(ROOT / "specs/spaces/mcunet.yaml"), "--budget", "maccs=1" + "0" * 5000],
                                 str(ROOT / "specs/spaces/mcunet.yaml"), "has more than 100 digits"),
    "memory_budget_5001_digits": (["lint", V2, "--memory-budget", "1" + "0" * 5000], V2, "has more than 100 digits"),
    "pareto_one_metric": (["space", str(ROOT / "specs/spaces/mcunet.yaml"), "--pareto", "params"],
                          str(ROOT / "specs/spaces/mcunet.yaml"), "--pareto 'params': give two metrics, A,B"),
}


@pytest.mark.parametrize("case", sorted(COMMANDS))
def test_command_that_raised_or_printed_usage(case: str) -> None:
    args, names, words = COMMANDS[case]
    line = assert_one_line_error(CliRunner().invoke(main, args, prog_name="costmodel"), names)
    assert words in line, line


def test_symbolic_classes_on_squeezenet_is_decided() -> None:
    # it said "not divisible by groups=1"; the classifier conv 512→classes is exact:
    # 512·classes weights + classes biases = 513·classes; the rest 1,248,424 − 513,000
    result = CliRunner().invoke(main, ["report", SQUEEZE, "--symbolic", "classes"])
    assert result.exit_code == 0, result.output
    assert "513·classes + 735424" in result.output.split("params")[1].splitlines()[0]


@pytest.mark.parametrize(("target", "words"), [
    ("no/such/dir/x.yaml", "no/such/dir"),
    ("/dev/full", "/dev/full"),
])
def test_transform_output_that_raised_oserror(tmp_path: Path, target: str, words: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(HEAD + "  - {op: conv2d, out: 8, kernel: 1}\n  - {op: batchnorm}\n")
    out = target if target.startswith("/") else str(tmp_path / target)
    result = CliRunner().invoke(main, ["transform", str(spec), "--fold-bn", "-o", out])
    assert words in assert_one_line_error(result, words)


@pytest.mark.parametrize(("value", "text", "in_bytes"), [
    (10**308, "1.00e+308", "1.00e+308 B"),
    (10**400, "1.00e+400", "1.00e+400 B"),                       # int / int overflowed a float here
    (-(10**400), "-1.00e+400", "-1.00e+400 B"),
    (123_456 * 10**300, "1.23e+305", "1.23e+305 B"),
    (10**15, "1.00e+15", "1.00e+15 B"),                          # from 1000 T on
    (999_999_999_999_999, "1000.0 T", "931322.6 GiB"),           # 999,999.99… G = 1000.0 T rounded
    (3_504_872, "3.50 M", "3.34 MiB"),                           # 3,504,872 / 2^20 = 3.342…
    (0, "0", "0 B"),
])
def test_human_numbers_never_overflow(value: int, text: str, in_bytes: str) -> None:
    assert human(value) == text
    assert human_bytes(value) == in_bytes


BIG = "model: t\nbatch: 1e99\ninput: [1e99, 1e99, 1e99]\nlayers:\n  - {op: relu}\n"
"""Every number within MAX_DIGITS, yet a relu's elementwise total is (10^99)^4 = 10^396."""


@pytest.mark.parametrize("command", [["report"], ["report", "--format", "json"],
                                     ["lint", "--select", "ALL"],
                                     ["lint", "--statistics", "--select", "ALL"],
                                     ["sweep", "--set-range", "x=1"]])
def test_totals_beyond_1e308(tmp_path: Path, command: list[str]) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(BIG.replace("model: t\n", "model: t\nparams: {x: {default: 1, min: 1, max: 2}}\n"))
    result = CliRunner().invoke(main, [command[0], str(spec), *command[1:]])
    # every rule runs over totals of 10^396; a lone relu breaks none of them
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if command[0] == "report":
        assert f"{10**396:,}" in result.output or str(10**396) in result.output


def test_check_of_a_total_beyond_1e308_is_refused_with_the_figure(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(BIG)
    line = assert_one_line_error(CliRunner().invoke(main, ["check", str(spec)]), str(spec))
    assert "check would need about" in line and "e+" in line, line


def test_a_path_no_check_vetted_is_named_with_its_system_error(tmp_path: Path) -> None:
    """A name longer than the system allows (ENAMETOOLONG from pathlib's is_dir, which
    Python 3.11 raises instead of answering False): the path and the system's words."""
    (tmp_path / "zs").mkdir()
    (tmp_path / "zs" / "a.yaml").write_text(HEAD + "  - {op: relu}\n")
    notes = "n" * 5000
    result = CliRunner().invoke(main, ["zoo", "--specs", str(tmp_path / "zs"), "--output", "-", "--notes", notes])
    assert assert_one_line_error(result, notes) == f"error: {notes}: File name too long"
