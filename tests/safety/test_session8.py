"""Session 8's hostile classes (tools/hostile_s8.py): odd but valid specs counted exactly
(figures computed by hand there), a split's two shapes kept apart in CSV, ``inputs: []``
and ``first`` overriding a copy's name or count refused, file names that are not UTF-8 and
files the user may not read, each as one ``error:`` line or the right figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from tests.safety.test_hostile import CORPUS

CASES = {case.name: case for case in CORPUS.cases() if case.name.startswith("s8_")}
CHOSEN = sorted(name for name in CASES if name.endswith("/report") and name.startswith("s8_exact/")) + [
    "s8_graph/inputs_empty/concat", "s8_graph/inputs_empty/user_block", "s8_graph/first_sets/repeat",
    "s8_graph/first_sets/name", "s8_fsname/export/utf-8", "s8_fsname/zoo_member/utf-8",
    "s8_fsname/zoo_member_file/locale", "s8_fsname/report_bad/utf-8", "s8_perm/report", "s8_perm/zoo_folder",
    "s8_perm/zoo_notes", "s8_perm/export_to", "s8_onnx/conv_bias/report", "s8_onnx/depthwise3/report",
    "s8_onnx/fp16/check", "s8_onnx/fp16_weights_fp32_input/check", "s8_onnx/unused_initializer/check",
    "s8_onnx/asym_pads/report", "s8_onnx/maxpool_asym_pads/report", "s8_onnx/avgpool_exclude_pad_k5/report",
    "s8_onnx/tf_same_pads_s2/report",
]


def test_the_chosen_cases_exist() -> None:
    assert set(CHOSEN) <= set(CASES)
    assert len([name for name in CHOSEN if name.startswith("s8_exact/")]) == 10


@pytest.mark.parametrize("name", CHOSEN)
def test_session8_case(name: str) -> None:
    outcome = CORPUS.run(CASES[name], wall=120.0)
    assert not outcome.problem, (outcome.problem, outcome.stderr[-500:])


def _csv(tmp_path: Path, layers: str, input_: str) -> str:
    (tmp_path / "s.yaml").write_text(CORPUS.spec(layers, input_=input_), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "s.yaml"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_keeps_a_splits_shapes_apart(tmp_path: Path) -> None:
    rows = _csv(tmp_path, "  - {name: s, op: split, parts: 3}\n  - {op: concat, inputs: ['s:0', 's:1', 's:2']}\n",
                "[6, 2, 3]").splitlines()
    # three 1×2×2×3 outputs: 36 elements read, 36 written; the concat reads and writes 36 each
    assert rows[1] == "s,split,,1x2x2x3;1x2x2x3;1x2x2x3,0,0,72,0,1"
    assert rows[2] == "1,concat,,1x6x2x3,0,0,72,0,1"


@pytest.mark.parametrize("key", ["repeat: 3", "name: z", "first: {stride: 2}", "choices: {kernel: [1]}"])
def test_first_may_not_set_a_copys_name_or_count(tmp_path: Path, key: str) -> None:
    (tmp_path / "s.yaml").write_text(CORPUS.one(
        f"{{name: a, op: conv2d, out: 4, kernel: 1, repeat: 2, first: {{{key}}}}}"), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert f"'first' cannot set '{key.split(':')[0]}'" in result.stderr


def test_first_still_overrides_fields_and_the_block_called(tmp_path: Path) -> None:
    rows = _csv(tmp_path, "  - {name: a, op: conv2d, out: 4, kernel: 1, repeat: 2, first: {stride: 2}}\n",
                "[3, 8, 8]").splitlines()
    # copy 0: 3→4 at stride 2 (4×4): 12 params, 16·12 maccs; copy 1: 4→4 (16 params) on 4×4
    assert rows[1].startswith("a.0,conv2d,,1x4x4x4,12,192,")
    assert rows[2].startswith("a.1,conv2d,,1x4x4x4,16,256,")
