"""Every command's option errors: one line naming the command's spec (or folder; the command
when it has none), exit 2, before any work and with no file changed — through the shared
mechanisms (``spec_errors`` locates an error without a file at the command's subject;
``outputs`` refuses any non-regular target; one ``--seed`` option), not per option."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.outputs import write_output
from tests.safety.files import assert_one_line_error, snapshot

SPEC = ("model: tiny\ninput: [3, 8, 8]\nlayers:\n"
        "  - {name: c, op: conv2d, out: 4, kernel: 3, padding: 1}\n"
        "  - {name: bn, op: batchnorm}\n  - {name: act, op: relu}\n")
SPACE = ("model: space\ninput: [3, 8, 8]\nlayers:\n"
         "  - {name: c, op: conv2d, out: 4, kernel: 3, choices: {kernel: [1, 3]}}\n")

# case → (arguments, what the one line must contain)
CASES = {
    # an error about an option used to print `<spec>:` instead of the file
    "space unknown metric": (["space", "sp.yaml", "--metric", "zz"], "sp.yaml: unknown metric 'zz'"),
    "space unknown pareto metric": (["space", "sp.yaml", "--pareto", "maccs,zz"], "sp.yaml: unknown metric 'zz'"),
    "space unknown budget metric": (["space", "sp.yaml", "--budget", "zz=1"], "sp.yaml: budget 'zz=1'"),
    "space budget not a number": (["space", "sp.yaml", "--budget", "maccs=lots"], "sp.yaml: budget"),
    "space two additive budgets": (["space", "sp.yaml", "--budget", "maccs=1,params=1"], "sp.yaml: --budget"),
    "space --as spec without --out": (["space", "sp.yaml", "--sample", "1", "--as", "spec"], "sp.yaml: --as spec"),
    # measure refuses --clock cpu with threads before exporting and running
    "measure cpu clock with 2 threads": (["measure", "s.yaml", "--threads", "2", "--clock", "cpu"],
                                         "s.yaml: --clock cpu"),
    # an empty output name names the spec (calibrate: the command)
    "transform -o ''": (["transform", "s.yaml", "--fold-bn", "-o", ""], "s.yaml: cannot write: the output file name is empty"),
    "export -o ''": (["export", "s.yaml", "-o", ""], "s.yaml: cannot write: the output file name is empty"),
    "import -o ''": (["import", "s.yaml", "-o", ""], "s.yaml: cannot write: the output file name is empty"),
    "calibrate -o ''": (["calibrate", "--points", "2", "--rounds", "1", "-o", ""],
                        "calibrate: cannot write: the output file name is empty"),
    "space --out ''": (["space", "sp.yaml", "--sample", "1", "--out", ""], "sp.yaml: cannot write"),
    # special files are never an output: the result would be lost (/dev/null) or fail halfway
    "transform -o /dev/null": (["transform", "s.yaml", "--fold-bn", "-o", "/dev/null"], "/dev/null: cannot write: not a regular file"),
    "export -o /dev/null": (["export", "s.yaml", "-o", "/dev/null"], "/dev/null: cannot write: not a regular file"),
    "export -o /dev/full": (["export", "s.yaml", "-o", "/dev/full", "--force"], "/dev/full: cannot write: not a regular file"),
    "calibrate -o /dev/full": (["calibrate", "--points", "2", "--rounds", "1", "-o", "/dev/full"],
                               "/dev/full: cannot write: not a regular file"),
    "calibrate -o a folder": (["calibrate", "--points", "2", "--rounds", "1", "-o", "sub"], "sub: cannot write: is a directory"),
    "calibrate -o in a missing folder": (["calibrate", "--points", "2", "--rounds", "1", "-o", "no/p.json"],
                                         "no/p.json: cannot write: directory no does not exist"),
    "schema -o /dev/null": (["schema", "-o", "/dev/null"], "/dev/null: cannot write"),
    "zoo --output /dev/null": (["zoo", "--specs", "sub", "--output", "/dev/null"], "/dev/null: cannot write"),
    "sweep --plot ''": (["sweep", "s.yaml", "--width", "1", "--plot", ""], "s.yaml: cannot write: the output file name is empty"),
    # an empty code list is not "every rule" nor "the default set"
    "lint --select ''": (["lint", "s.yaml", "--select", ""], "s.yaml: --select: empty rule code"),
    "lint --select ','": (["lint", "s.yaml", "--select", ","], "s.yaml: --select: empty rule code"),
    "lint --ignore 'G1,,G2'": (["lint", "s.yaml", "--ignore", "G1,,G2"], "s.yaml: --ignore: empty rule code"),
    "lint --extend-select ''": (["lint", "s.yaml", "--extend-select", ""], "s.yaml: --extend-select: empty rule code"),
    # an empty item in any list option is refused, not dropped (shared split_list)
    "sweep --width '0.5,,1'": (["sweep", "s.yaml", "--width", "0.5,,1"], "s.yaml: alpha: empty item in '0.5,,1'"),
    "sweep --width ','": (["sweep", "s.yaml", "--width", ","], "s.yaml: alpha: empty item"),
    "report --symbolic ''": (["report", "s.yaml", "--symbolic", ""], "s.yaml: --symbolic: empty item"),
    # an option for another kind of input is refused, not silently ignored
    "report --input-shape on a spec": (["report", "s.yaml", "--input-shape", "1,3,8,8"], "s.yaml: --input-shape"),
    "lint --input-shape on a spec": (["lint", "s.yaml", "--input-shape", "1,3,8,8"], "s.yaml: --input-shape"),
    "check --input-shape on a spec": (["check", "s.yaml", "--input-shape", "1,3,8,8"], "s.yaml: --input-shape"),
    # caps before the work
    "space --sample 10^12": (["space", "sp.yaml", "--sample", "1000000000000"], "sp.yaml: "),
    "zoo --check of a missing table": (["zoo", "--specs", "sub", "--check", "--output", "missing.md"],
                                       "missing.md: --check: no such file"),
    # a notes folder given must exist (the default may be absent)
    "zoo --notes missing": (["zoo", "--specs", "sub", "--notes", "missing", "--output", "-"],
                            "missing: --notes: no such directory"),
    "zoo --notes a file": (["zoo", "--specs", "sub", "--notes", "s.yaml", "--output", "-"],
                           "s.yaml: --notes: not a directory"),
    # control characters in an echoed argument are escaped (the line stays one line)
    "rule ANSI code": (["rule", "\x1b[31mG1"], "\\x1b[31mG1: unknown rule"),
    "rule newline code": (["rule", "G1\nerror: forged"], "G1\\x0aerror: forged: unknown rule"),
    "lint ANSI select": (["lint", "s.yaml", "--select", "\x1b[2J"], "'\\x1b[2J'"),
    # whole numbers are ASCII digits (int() reads ٣ and ３ as 3), one shared option type
    "measure --runs Arabic-Indic": (["measure", "s.yaml", "--runs", "٣"], "s.yaml: main measure: "
                                    "Invalid value for '--runs': '٣' is not a whole number (ASCII digits 0-9)"),
    "report --depth fullwidth": (["report", "s.yaml", "--depth", "３"], "s.yaml: main report: "
                                 "Invalid value for '--depth': '３' is not a whole number"),
    "check --seed with a space": (["check", "s.yaml", "--seed", " 3"], "'--seed': ' 3' is not a whole number"),
    "diff --depth 1_0": (["diff", "s.yaml", "--depth", "1_0"], "'--depth': '1_0' is not a whole number"),
    # work a user would wait days for is capped, before it starts
    "measure --runs 10^9": (["measure", "s.yaml", "--runs", "1000000000"], "s.yaml: main measure: "
                            "Invalid value for '--runs': 1000000000 is not in the range 1<=x<=10000"),
    "measure --warmup 10^9": (["measure", "s.yaml", "--warmup", "1000000000"], "'--warmup': 1000000000 is not"),
    "measure --threads 10^6": (["measure", "s.yaml", "--threads", "1000000", "--clock", "wall"],
                               "'--threads': 1000000 is not in the range 1<=x<=256"),
    "calibrate --points 10^6": (["calibrate", "--points", "1000000", "-o", "p.json"],
                                "'--points': 1000000 is not in the range 2<=x<=1000"),
    "calibrate --rounds 10^6": (["calibrate", "--rounds", "1000000", "-o", "p.json"],
                                "'--rounds': 1000000 is not in the range 1<=x<=100"),
    "space --max-bins 2^30": (["space", "sp.yaml", "--max-bins", str(2**30)], "sp.yaml: main space: "
                              "Invalid value for '--max-bins': 1073741824 is not in the range 16<=x<=1048576"),
    # a value given twice: which one was meant cannot be known
    "report --set twice": (["report", "s.yaml", "--set", "a=1", "--set", "a=2"],
                           "s.yaml: main report: Invalid value for --set: 'a' is given twice ('1' and '2')"),
    "sweep --set-range twice": (["sweep", "s.yaml", "--set-range", "a=1", "--set-range", "a=2"],
                                "Invalid value for --set-range: 'a' is given twice"),
    "sweep --width and --set-range alpha": (["sweep", "s.yaml", "--width", "1", "--set-range", "alpha=1,2"],
                                            "s.yaml: 'alpha' is swept twice"),
    # amounts are ASCII digits too
    "report --budget Arabic-Indic": (["report", "s.yaml", "--budget", "maccs=٣M"], "budget 'maccs=٣M': expected maccs=NUMBER"),
    "space --budget fullwidth": (["space", "sp.yaml", "--budget", "maccs=３"], "sp.yaml: budget 'maccs=３'"),
    "lint --memory-budget Arabic-Indic": (["lint", "s.yaml", "--memory-budget", "٣KiB"], "'٣KiB' is not a size"),
    # '-' is standard output where a command prints its result, and no file name elsewhere
    "export -o -": (["export", "s.yaml", "-o", "-"], "-: cannot write: '-' would be standard output"),
    "sweep --plot -": (["sweep", "s.yaml", "--width", "1", "--plot", "-"], "-: cannot write: '-' would be"),
    "calibrate -o -": (["calibrate", "--points", "2", "-o", "-"], "-: cannot write: '-' would be"),
}


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "s.yaml").write_text(SPEC)
    (tmp_path / "sp.yaml").write_text(SPACE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/a.yaml").write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_line_naming_the_subject(folder: Path, case: str) -> None:
    arguments, words = CASES[case]
    before = snapshot(folder)
    result = CliRunner().invoke(main, arguments)
    assert_one_line_error(result, words)
    assert snapshot(folder) == before


def test_never_an_empty_result_over_a_full_file(tmp_path: Path) -> None:
    target = tmp_path / "zoo.md"
    target.write_text("# the full table\n")
    with pytest.raises(SpecError, match="refusing to write an empty result over a non-empty file"):
        write_output(target, "")
    assert target.read_text() == "# the full table\n"
    write_output(tmp_path / "new.md", "")  # an empty result as a new file is fine
    assert (tmp_path / "new.md").read_text() == ""


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "OFF"])
def test_yaml_11_booleans_are_refused(folder: Path, word: str) -> None:
    """``bias: yes`` is true in YAML 1.1 and the text 'yes' in YAML 1.2, which pydantic would
    coerce to True: refused at its line, like 010 and 1:3."""
    (folder / "b.yaml").write_text(f"model: t\ninput: [3, 8, 8]\nlayers:\n"
                                   f"  - {{op: conv2d, out: 4, kernel: 1, bias: {word}}}\n")
    result = CliRunner().invoke(main, ["report", "b.yaml"])
    assert_one_line_error(result, f"b.yaml:4: '{word}' is a boolean in YAML 1.1")


def test_a_quoted_yaml_11_word_is_text(folder: Path) -> None:
    # conv 3→4, 1×1, bias: 12 + 4 = 16 params; the layer is named 'no'
    (folder / "b.yaml").write_text("model: t\ninput: [3, 8, 8]\nlayers:\n"
                                   "  - {name: 'no', op: conv2d, out: 4, kernel: 1, bias: true}\n")
    result = CliRunner().invoke(main, ["report", "b.yaml", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"params": 16' in result.output and '"no"' in result.output


@pytest.mark.parametrize("arguments", [["transform", "s.yaml", "--fold-bn", "-o", "-"], ["schema", "-o", "-"]])
def test_dash_is_standard_output_where_the_result_is_printed(folder: Path, arguments: list[str]) -> None:
    before = snapshot(folder)
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(("model: tiny", "{"))
    assert snapshot(folder) == before  # no file named '-'
