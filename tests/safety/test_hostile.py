"""A fast subset of the hostile corpus (tools/hostile_corpus.py, several hundred cases over
every defect class and command): each case runs as a subprocess within 10 s of CPU and
2 GiB, and ends in exit 0 with the expected figures or exit 2 with ONE line naming the
file, with no file changed. The full corpus: ``python tools/hostile_corpus.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "hostile_corpus.py"


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_corpus", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_corpus"] = module        # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


CORPUS = _corpus()
SAMPLE = CORPUS.sample()


def test_the_corpus_is_several_hundred_cases_over_every_class() -> None:
    cases = CORPUS.cases()
    classes = {case.name.split("/")[0] for case in cases}
    assert len(cases) >= 2000
    assert {"yaml", "types", "graph", "expr", "names", "absurd", "special", "set", "width", "output",
            "usage", "good", "onnx", "yaml2", "params", "fields", "model_name", "int_option", "size_option",
            "repeated", "output2", "misc", "zoo2", "every_spec", "s8_exact", "s8_onnx", "s8_fsname",
            "s8_perm", "s8_graph", "s9_when", "s9_huge", "s9_note", "s9_options", "s9_onnx_names",
            "s9_onnx_bad", "s9_exact"} <= classes
    still_open = {prefix.split("/")[0] for prefix in CORPUS._sibling("hostile_s9").OPEN}  # routed, not yet fixed
    assert {case.name.split("/")[0] for case in CORPUS.sample()} == classes - {"every_spec"} - still_open


@pytest.mark.parametrize("case", SAMPLE, ids=[case.name for case in SAMPLE])
def test_hostile_case(case: object) -> None:
    outcome = CORPUS.run(case, wall=120.0)
    assert not outcome.problem, (outcome.problem, outcome.stderr[-500:])


def test_the_judge_refuses_two_lines_and_a_changed_file() -> None:
    case = CORPUS.Case("judge", ["report", "s.yaml"], {"s.yaml": "x"})
    assert CORPUS._judge(case, 2, "", "error: s.yaml: a\nerror: b\n", {}, {}) == \
        "2 stderr lines: ['error: s.yaml: a', 'error: b']"
    assert "files changed ['s.yaml']" in CORPUS._judge(case, 2, "", "error: s.yaml: a\n", {"s.yaml": "1"},
                                                       {"s.yaml": "2"})
    assert CORPUS._judge(case, 2, "", "error: t.yaml: a\n", {}, {}).startswith("the line does not name")
    assert CORPUS._judge(case, 0, "", "", {}, {}) == "exit 0 where an error was due"
    assert CORPUS._judge(case, 3, "", "Traceback (most recent call last):\n", {}, {}) == "traceback"
