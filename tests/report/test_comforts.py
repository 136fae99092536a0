"""Everyday comforts of issue 15: --depth, terminal width, markdown footer, diff, budgets,
schema, plot extra, help in whole sentences."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import costmodel
from costmodel.cli import main
from costmodel.cost import Cost
from costmodel.report.formats import ReportOptions, render

SPEC = "specs/mobilenet_v2.yaml"


def run(*args: str, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.stdout, result.stderr


def test_depth_rolls_layers_up_into_blocks_like_torchinfo() -> None:
    from costmodel.analysis.rollup import rollup

    analysis = costmodel.analyze(SPEC)
    rows = rollup(analysis, 2)
    top = [row for row in rows if row.level == 1]
    # 9 feature stages → 1 + 1 + 2 + 3 + 4 + 3 + 3 + 1 + 1 = 19 blocks, then pool, flatten, dropout, classifier
    assert len(top) == 19 + 4
    assert sum((row.cost for row in top), Cost()) == analysis.totals
    first = rows[:4]
    assert [(r.label, r.level) for r in first] == [("features.0", 1), ("  conv", 2), ("  bn", 2), ("  act", 2)]
    assert first[0].cost.maccs == 3 * 3 * 3 * 32 * 112 * 112  # the stem conv is its only MACCs
    out, _ = run("report", SPEC, "--depth", "1")
    assert "features.2.0  inverted_residual" in out and "features.2.0.expand.conv" not in out


def test_table_fits_the_terminal_width() -> None:
    analysis = costmodel.analyze(SPEC)
    for width in (60, 80, 100):
        text = render(analysis, "table", ReportOptions(width=width))
        table = text.split("\n\n")[1].splitlines()
        assert max(len(line) for line in table) <= width, width
    wide = render(analysis, "table", ReportOptions())
    assert "features.2.0.expand.conv" in wide  # a pipe or file gets whole names


def test_title_names_the_bindings_and_no_empty_parentheses(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text("model: tiny\ninput: [3, 8, 8]\nlayers:\n  - {op: conv2d, out: 4, kernel: 3, name: c}\n")
    bound, _ = run("report", SPEC, "--set", "alpha=0.5")
    assert bound.startswith("mobilenet_v2 (alpha = 1/2, resolution = 224, classes = 1000)\n\n")
    assert run("report", str(spec))[0].startswith("tiny\n\nname ")
    assert run("report", str(spec), "--format", "latex")[0].startswith("% tiny\n\\begin{tabular}")
    assert run("report", str(spec), "--format", "markdown")[0].startswith("# tiny\n\n| name |")
    assert run("report", SPEC, "--format", "markdown")[0].startswith(
        "# mobilenet_v2\n\nalpha = 1, resolution = 224, classes = 1000\n\n| name |")


def test_markdown_has_every_footer_line_of_the_table() -> None:
    analysis = costmodel.analyze(SPEC)
    table = render(analysis, "table", ReportOptions())
    markdown = render(analysis, "markdown", ReportOptions())
    footer = table.split("\n\n")[-1].strip().splitlines()
    assert footer[-1].startswith("peak_memory")
    for line in footer:
        assert line in markdown


def test_diff_of_two_bindings_per_block_and_total() -> None:
    out, _ = run("diff", SPEC, "--set-b", "alpha=0.75")
    # totals: 3,504,872 → 2,636,424 params, 300,774,272 → 209,069,792 maccs (zoo-tested values)
    assert "params       3,504,872 → 2,636,424 (−868,448, −24.78 %)" in out
    assert "maccs        300,774,272 → 209,069,792 (−91,704,480, −30.49 %)" in out
    # features.2 keeps 24 channels at α = 0.75 (make_divisible(18, 8) = 16 < 0.9·18 → 24): unchanged
    assert "features.2.0 " not in out and "features.3.0 " in out
    data = json.loads(run("diff", SPEC, "--set-b", "alpha=0.75", "--format", "json")[0])
    assert data["delta"]["maccs"] == 209_069_792 - 300_774_272
    assert sum(block["delta"]["maccs"] for block in data["blocks"]) == data["delta"]["maccs"]


def test_diff_of_two_specs_lists_blocks_only_one_has() -> None:
    out, _ = run("diff", SPEC, "specs/mobilenet_v1.yaml")
    assert "(only in A)" in out and "(only in B)" in out
    assert "fragments    151 →" in out


def test_budget_exits_1_with_one_line_per_exceeded_budget() -> None:
    _, err = run("report", SPEC, "--totals-only", "--budget",
                 "maccs=300M,params=3.5M,peak_memory=1MiB,fragments=200", code=1)
    lines = err.strip().splitlines()
    assert lines == [
        "budget exceeded: maccs 300,774,272 > 300M (by 0.26 %)",      # 300,774,272 / 3·10⁸ − 1
        "budget exceeded: params 3,504,872 > 3.5M (by 0.14 %)",        # 3,504,872 / 3.5·10⁶ − 1
        "budget exceeded: peak_memory 9,633,792 bytes > 1MiB (by 818.75 %)",  # 2,408,448 × 4 B / 2²⁰
    ]
    run("report", SPEC, "--totals-only", "--budget", "maccs=301M,params=3504872,peak_memory=2408448")
    _, err = run("report", SPEC, "--budget", "latency=1us", code=1)
    # after the line naming the profile a bare --latency picked (this CPU's, or a warning)
    assert err.splitlines()[-1].startswith("budget exceeded: latency ")
    out, _ = run("report", SPEC, "--budget", "flops=3", code=2)


def test_schema_describes_every_op_and_the_spec_keys() -> None:
    from costmodel.spec.layers import LAYER_CLASSES

    schema = json.loads(run("schema")[0])
    assert schema["$schema"].endswith("2020-12/schema")
    ops = {name for arm in schema["$defs"].values() if "op" in arm.get("properties", {})
           for name in [arm["properties"]["op"].get("const"), *arm["properties"]["op"].get("enum", [])]}
    assert set(LAYER_CLASSES) <= ops
    assert {"model", "params", "layers", "blocks", "variants"} <= set(schema["properties"])
    # `alpha: 1` (a default alone) is valid, as the loader reads it
    assert {"type": "number"} in schema["properties"]["params"]["additionalProperties"]["anyOf"]


def test_missing_matplotlib_is_reported_before_the_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    import costmodel.analysis.sweep as sweep_module

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setattr(sweep_module, "sweep", lambda *a, **k: pytest.fail("swept before the check"))
    result = CliRunner().invoke(main, ["sweep", "specs/mobilenet_v1.yaml", "--width", "0.5,1",
                                       "--plot", "out.png"])
    assert result.exit_code == 2
    assert "pip install 'costmodel[plot]'" in result.output


def test_top_level_help_lists_whole_sentences() -> None:
    out, _ = run("--help")
    commands = out.split("Commands:")[1]
    assert "..." not in commands
    assert "(e.g. G1), or list every" in " ".join(commands.split())


class _Terminal:
    """A stream that says it is a terminal and keeps what is written."""

    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_bar_only_on_a_terminal() -> None:
    from costmodel.commands.progress import progress_bar

    for tty in (True, False):
        stream = _Terminal(tty)
        with progress_bar("zoo specs", delay=0, stream=stream) as progress:
            for done in range(3):
                progress(done, 3)
        assert ("zoo specs" in "".join(stream.text)) == tty


def test_zoo_and_check_report_progress(tmp_path: Path) -> None:
    from costmodel.check import check_network
    from costmodel.zoo import collect

    seen: list[tuple[int, int]] = []
    network = costmodel.analyze("specs/mobilenet_v1.yaml", resolution=32).network
    check_network(network, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(network.nodes) - 1, len(network.nodes) - 1)  # every op but the input
    calls: list[tuple[int, int]] = []
    for name in ("mobilenet_v1.yaml", "mobilenet_v2.yaml"):
        shutil.copy(Path("specs") / name, tmp_path / name)
    collect(tmp_path, lambda done, total: calls.append((done, total)))
    assert calls == [(0, 2), (1, 2)]  # told before each of the two specs
