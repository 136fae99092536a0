"""Every kind of bad input: one line naming file, line and layer; exit status 2; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main

HEAD = "model: bad\nparams: {alpha: 1, resolution: 32}\ninput: [3, resolution, resolution]\nlayers:\n"

CASES = {
    "malformed_yaml": (HEAD + "  - op: conv2d\n    out: [1, 2\n", r"bad\.yaml:7: malformed YAML: did not find expected ',' or ']'"),
    "unknown_op": (HEAD + "  - name: c\n    op: conv3d\n",
                   r"bad\.yaml:5: layer 'c' \(conv3d\): unknown op 'conv3d'; did you mean 'conv2d'\? "
                   r"\(valid ops: [a-z_, ]*\badd, .*conv2d"),
    "misspelled_field": (HEAD + "  - name: c\n    op: conv2d\n    out: 8\n    kernal: 3\n",
                         r"bad\.yaml:8: layer 'c' \(conv2d\): unknown field 'kernal'; did you mean 'kernel'\?"),
    "missing_field": (HEAD + "  - name: fc\n    op: flatten\n  - name: head\n    op: linear\n",
                      r"bad\.yaml:7: layer 'head' \(linear\): missing required field 'out'"),
    "missing_op": (HEAD + "  - name: c\n    out: 3\n", r"bad\.yaml:5: layer 'c' \(no op\): missing field 'op'"),
    "wrong_type": (HEAD + "  - name: c\n    op: conv2d\n    out: 8\n    bias: maybe\n",
                   r"bad\.yaml:8: layer 'c' \(conv2d\): bias: Input should be a valid boolean"),
    "cycle": (HEAD + "  - {name: a, op: relu, inputs: b}\n  - {name: b, op: relu, inputs: a}\n",
              r"bad\.yaml:5: layer 'a' \(relu\): cycle in inputs: [ab] → [ab] → [ab]"),
    "unknown_input": (HEAD + "  - {name: a, op: relu}\n  - {name: b, op: add, inputs: [a, nowhere]}\n",
                      r"bad\.yaml:6: layer 'b' \(add\): unknown input 'nowhere'"),
    "groups": (HEAD + "  - {name: c, op: conv2d, out: 8}\n  - {name: dw, op: conv2d, out: 9, groups: 3}\n",
               r"bad\.yaml:6: layer 'dw' \(conv2d\): 8 input channels not divisible by groups=3"),
    "non_positive": (HEAD + "  - {name: c, op: conv2d, out: 0}\n",
                     r"bad\.yaml:5: layer 'c' \(conv2d\): output channels is 0; it must be at least 1"),
    "shrinks_below_one": (HEAD + "  - {name: c, op: conv2d, out: 4, kernel: 7, stride: 2}\n" * 1
                          + "  - {name: d, op: conv2d, out: 4, kernel: 15}\n",
                          r"bad\.yaml:6: layer 'd' \(conv2d\): output height would be -1"),
    "add_mismatch": (HEAD + "  - {name: a, op: conv2d, out: 4}\n  - {name: b, op: conv2d, out: 5, inputs: input}\n"
                     "  - {name: s, op: add, inputs: [a, b]}\n",
                     r"bad\.yaml:7: layer 's' \(add\): add inputs have different shapes: 1×4×32×32 vs 1×5×32×32"),
    "concat_mismatch": (HEAD + "  - {name: a, op: conv2d, out: 4, stride: 2}\n"
                        "  - {name: b, op: conv2d, out: 5, inputs: input}\n  - {name: s, op: concat, inputs: [a, b]}\n",
                        r"bad\.yaml:7: layer 's' \(concat\): concat \(outside the channel axis\) inputs have different shapes"),
    "unsafe_expression": (HEAD + "  - name: c\n    op: conv2d\n    out: __import__('os').system('x')\n",
                          r"bad\.yaml:5: layer 'c' \(conv2d\): .*is not allowed in an expression"),
    "disallowed_name": (HEAD + "  - {name: c, op: conv2d, out: beta * 8}\n",
                        r"bad\.yaml:5: layer 'c' \(conv2d\): unknown name 'beta'.*declared: alpha, resolution"),
    "alias_bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                   + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n"
                             for p, n in zip("abcdef", "bcdefg")),
                   r"bad\.yaml:\d+: the document expands to more than 200,000 YAML values once its aliases "
                   r"are expanded \(an alias bomb\?\), the most a spec may have \(MAX_NODES.*'repeat: n'"),
    "written_out": (HEAD + "  - {op: relu}\n" * 100_000,
                    r"bad\.yaml:\d+: the document has more than 200,000 YAML values, the most a spec may "
                    r"have \(MAX_NODES, to bound time and memory\): write a repeated layer or block once, "
                    r"with 'repeat: n'$"),
    "dense_values": ("model: bad\ninput: [3, 8, 8]\nlayers: [" + ",".join(["1"] * 1_999_000) + "]\n",
                     # 2 million values in 4 MB: refused while composing (no line), not after
                     r"bad\.yaml: the document has more than 200,000 YAML values, the most a spec may "
                     r"have \(MAX_NODES"),
    "python_tag": ("model: !!python/object/apply:os.system ['x']\n", r"bad\.yaml:1: unsupported YAML: .*python/object"),
    "not_a_mapping": ("- 1\n- 2\n", r"bad\.yaml:1: a spec is a mapping"),
    "duplicate_key": (HEAD + "  - {name: c, op: conv2d, out: 4, out: 5}\n", r"bad\.yaml:5: duplicate key 'out'"),
    "duplicate_name": (HEAD + "  - {name: c, op: relu}\n  - {name: c, op: relu}\n",
                       r"bad\.yaml:6: layer 'c' \(relu\): name 'c' is used twice"),
    "not_whole_channels": (HEAD + "  - {name: c, op: conv2d, out: 8 * 0.3}\n",
                           r"bad\.yaml:5: layer 'c' \(conv2d\): output channels is 12/5, not a whole number"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_spec_gets_one_located_line_and_exit_2(case: str, tmp_path: Path) -> None:
    text, pattern = CASES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["report", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert lines[0].startswith(f"error: {path}")
    import re

    assert re.search(pattern, lines[0]), lines[0]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(CASES["unknown_op"][0])
    result = CliRunner().invoke(main, ["--debug", "report", str(path)])
    assert result.exit_code != 0 and result.exception is not None


def test_missing_file_and_bad_binding(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read spec" in missing.stderr
    unknown = CliRunner().invoke(main, ["report", "specs/mobilenet_v2.yaml", "--set", "beta=2"])
    assert unknown.exit_code == 2
    assert "unknown parameter 'beta' (declared: alpha, resolution, classes)" in unknown.stderr


def test_bad_binding_names_the_parameter() -> None:
    result = CliRunner().invoke(main, ["report", "specs/mobilenet_v2.yaml", "--set", "alpha=x"])
    assert result.exit_code == 2
    assert ("parameter 'alpha' (bound to 'x'): unknown name 'x' in 'x' (declared: none); "
            "a value may use only parameters declared before it") in result.stderr
