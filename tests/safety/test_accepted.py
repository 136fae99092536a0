"""Accepted but wrong: inputs that once produced a number silently — a fullwidth name read as
ASCII, YAML 1.1 octal and sexagesimal, a block shadowing a built-in, out-of-domain fields,
unvalidated variants — are refused at load, by EVERY command, with one located line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from tests.safety.files import assert_one_line_error

HEAD = "model: t\nparams: {alpha: {default: 1, min: 0.1, max: 9}}\ninput: [16, 8, 8]\n"
LAYERS = "layers:\n  - {name: c, op: conv2d, out: 8, kernel: 1}\n"

CASES = {
    # name: (spec text, line, words)
    "fullwidth_parameter": ("model: t\nparams: {ａlpha: 1}\ninput: [16, 8, 8]\n" + LAYERS, 2,
                            "'ａlpha' cannot be a parameter name"),
    "fullwidth_in_expression": (HEAD + "layers:\n  - {name: c, op: conv2d, out: 'ａlpha * 8', kernel: 1}\n", 5,
                                "ａlpha"),
    "arabic_digits": (HEAD + "layers:\n  - {name: c, op: conv2d, out: '٣', kernel: 1}\n", 5, "٣"),
    "arabic_digits_in_expression": (HEAD + "layers:\n  - {name: c, op: conv2d, out: '٣ * 8', kernel: 1}\n", 5,
                                    "٣"),
    "yaml11_octal": (HEAD + "layers:\n  - {name: c, op: conv2d, out: 010, kernel: 1}\n", 5, "leading zero"),
    "yaml11_octal_negative": (HEAD + "layers:\n  - {name: c, op: conv2d, out: 8, padding: -01}\n", 5,
                              "leading zero"),
    "yaml11_sexagesimal": (HEAD + "layers:\n  - {name: c, op: conv2d, out: 8, stride: 1:3}\n", 5, "1:3"),
    "block_named_relu": (HEAD + "blocks: {relu: {layers: [{op: relu6}]}}\n" + LAYERS, 4,
                         "block 'relu' has the name of a built-in"),
    "block_named_mbconv": (HEAD + "blocks: {mbconv: {layers: [{op: relu6}]}}\n" + LAYERS, 4,
                           "block 'mbconv' has the name of a built-in"),
    "pool_padding": (HEAD + "layers:\n  - {name: p, op: max_pool, kernel: 3, stride: 1, padding: 2}\n", 5,
                     "padding"),
    "avg_pool_padding": (HEAD + "layers:\n  - {name: p, op: avg_pool, kernel: 2, padding: 2}\n", 5, "padding"),
    "dropout_one": (HEAD + "layers:\n  - {name: d, op: dropout, p: 1}\n", 5, "≥ 0 and < 1"),
    "dropout_negative": (HEAD + "layers:\n  - {name: d, op: dropout, p: -0.1}\n", 5, "≥ 0"),
    "dropout_expression": (HEAD + "layers:\n  - {name: d, op: dropout, p: alpha}\n", 5, "p is 1"),
    "se_ratio_negative": (HEAD + "layers:\n  - {name: g, op: ghost_bottleneck, mid: 32, out: 16, se_ratio: -0.25}\n",
                          5, "se_ratio: -0.25 is out of range: it must be a number > 0"),
    "se_ratio_zero": (HEAD + "layers:\n  - {name: g, op: ghost_bottleneck, mid: 32, out: 16, se_ratio: 0}\n", 5,
                      "se_ratio: 0 is out of range"),
    "lint_threshold_negative": (HEAD + LAYERS + "lint: {thresholds: {G1: {ratio: -1}}}\n", 6,
                                "lint.thresholds: G1.ratio is -1; it must be ≥ 0"),
    "lint_unknown_key": (HEAD + LAYERS + "lint: {treshold: {}}\n", 6, "unknown field 'treshold'"),
    "lint_unknown_code": (HEAD + LAYERS + "lint: {thresholds: {ZZ9: {x: 1}}}\n", 6, "ZZ9"),
    "split_parts_and_sections": (HEAD + "layers:\n  - {name: s, op: split, parts: 2, sections: [8, 8]}\n", 5,
                                 "parts"),
    "variant_undeclared": (HEAD + LAYERS + "variants:\n  - {name: v, bindings: {beta: 1}}\n", 7,
                           "variant 'v': unknown parameter 'beta'"),
    "variant_outside_domain": (HEAD + LAYERS + "variants:\n  - {name: v, bindings: {alpha: 10}}\n", 7,
                               "variant 'v': parameter 'alpha' is 10"),
    "published_text": (HEAD + LAYERS + "variants:\n  - {name: v, published: {params: many}}\n", 7,
                       "published figure 'many'"),
    "published_metric": (HEAD + LAYERS + "variants:\n  - {name: v, published: {flops: 1}}\n", 7,
                         "unknown metric 'flops'"),
    "published_decimal": (HEAD + LAYERS + "variants:\n  - {name: v, published: {params: 2.61}}\n", 7,
                          "published figure"),
    "choices_undeclared": (HEAD + "choices: {beta: [1, 2]}\n" + LAYERS, 1, "choices: 'beta'"),
    "zero_width_space": ("model: t\nparams: {\"alpha\\u200b\": 1}\ninput: [16, 8, 8]\n" + LAYERS, 2,
                         "cannot be a parameter name"),
    "cyrillic_op": (HEAD + "layers:\n  - {name: c, op: сonv2d, out: 8}\n", 5, "unknown op 'сonv2d'"),
}

COMMANDS = {
    "report": [], "lint": [], "check": [], "sweep": ["--set-range", "alpha=1"], "transform": ["--fold-bn"],
    "export": ["-o", "m.onnx"], "space": [], "zoo": [],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_at_its_line(tmp_path: Path, case: str) -> None:
    text, line, words = CASES[case]
    spec = tmp_path / "s.yaml"
    spec.write_text(text, encoding="utf-8")
    error = assert_one_line_error(CliRunner().invoke(main, ["report", str(spec)]), f"{spec}:{line}: ")
    assert words in error, error


@pytest.mark.parametrize("case", ["variant_undeclared", "published_text", "lint_unknown_code", "yaml11_octal",
                                  "block_named_relu", "fullwidth_parameter"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_validates_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                case: str, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    text, line, words = CASES[case]
    (tmp_path / "zs").mkdir()
    spec = tmp_path / "zs" / "s.yaml"
    spec.write_text(text, encoding="utf-8")
    args = ["--specs", "zs", "--output", "-"] if command == "zoo" else [str(spec)]
    result = CliRunner().invoke(main, [command, *args, *COMMANDS[command]])
    error = assert_one_line_error(result, f"s.yaml:{line}: ")
    assert words in error, error
    assert not (tmp_path / "m.onnx").exists()
