"""Issue 9's sweep defect classes, one parametrised family each: silent wrong results,
names that reach generated code, grids too large, unusable outputs, totals that break the
table, structure that depends on a swept value."""

from __future__ import annotations

import csv
import io
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import costmodel
from costmodel.analysis.sweep import MAX_POINTS, TOTAL_KEYS, SweepResult
from costmodel.cli import main
from costmodel.errors import SpecError
from costmodel.report.sweep_formats import render_csv, render_table

SPECS = Path(__file__).resolve().parents[2] / "specs"
V1, V2 = SPECS / "mobilenet_v1.yaml", SPECS / "mobilenet_v2.yaml"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_line_exit_2(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for word in words:
        assert word in lines[0], lines[0]


# -- silent wrong results ----------------------------------------------------------------

def test_alpha_49_params_as_report():
    # issue 9: the compiled path printed 5,167,931,432 (a float 1/x·x floored to 0);
    # `report --set alpha=49` gives 5,168,919,272.
    result = costmodel.sweep(V2, alpha=[48, 49, 50], resolution=[224, 225], method="compiled")
    assert int(result.totals["params"][1, 0]) == 5_168_919_272


@pytest.mark.parametrize(("spec", "alphas"), [
    ("ghostnet.yaml", ["0.97", "1.17", "1.95"]),
    ("mobilenet_v3_large.yaml", ["0.81", "1.34", "1.35"]),
    ("mobilenet_v2.yaml", ["0.1", "0.2", "0.3", "0.34"]),  # residual adds appear below 0.35
])
def test_awkward_widths_compiled_equal_analyze(spec, alphas):
    result = costmodel.sweep(SPECS / spec, alpha=alphas, resolution=[97, 224], method="compiled")
    assert result.exact_points == 0
    for bindings, totals in result.points():
        expected = costmodel.analyze(SPECS / spec, **bindings).totals.as_dict()
        assert all(totals[key] == expected[key] for key in expected), bindings


TINY = """\
model: tiny
params:
  {name}: 1
  resolution: 32
input: [3, resolution, resolution]
layers:
  - {{op: conv_bn_act, out: "make_divisible(24 * {name}, 8)", kernel: 3, stride: 2, padding: 1}}
  - {{op: conv_bn_act, out: "make_divisible(16 * {name}, 8)", kernel: 1}}
  - {{op: global_avg_pool}}
"""


@pytest.mark.parametrize("name", ["Fraction", "math", "_a0", "_t0", "_quotient", "_floor"])
def test_parameter_names_never_meet_generated_code(tmp_path, name):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY.format(name=name))
    grid = {name: ["0.3", "0.5", "1", "1.17", "2"], "resolution": list(range(30, 47))}
    result = costmodel.sweep(spec, method="compiled", **grid)
    for bindings, totals in result.points():
        assert totals["params"] == costmodel.analyze(spec, **bindings).totals.params


# -- grids too large -------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--width", "0.001:10:0.0001", "--resolution", "1:100000:1"],          # 10^5 × 10^5
    ["--set-range", "resolution=1:20000000:1"],                          # one axis
    ["--width", "0.1:1:0.001", "--resolution", "32:1024:1", "--set-range", "classes=1:1000:1"],
])
def test_grid_above_the_point_limit_is_one_line(args):
    started = time.perf_counter()
    result = run("sweep", V1, *args)
    _one_line_exit_2(result, "points", f"{MAX_POINTS:,}")
    assert time.perf_counter() - started < 5


def test_api_refuses_the_grid_before_work():
    with pytest.raises(SpecError, match="points"):
        costmodel.sweep(V1, alpha=list(range(1, 4000)), resolution=list(range(1, 4000)))


@pytest.mark.parametrize("value", ["1e999999999", "1e999999999:2e999999999:1"])
def test_huge_sweep_values_are_refused_quickly(value):
    started = time.perf_counter()
    result = run("sweep", V1, "--width", value)
    assert result.exit_code == 2
    assert time.perf_counter() - started < 5


# -- outputs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["no/such/dir/p.png", "p.xyz", "SPEC"])
def test_unusable_plot_path_is_one_line(tmp_path, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "v1.yaml"
    spec.write_text(V1.read_text())
    before = spec.read_bytes()
    result = run("sweep", spec, "--width", "0.5,1", "--plot", spec if target == "SPEC" else target)
    _one_line_exit_2(result)
    assert spec.read_bytes() == before


def test_csv_streams_in_chunks_equal_to_csv_module():
    result = costmodel.sweep(V1, alpha=[Fraction(k, 100) for k in range(25, 126)],
                             resolution=list(range(96, 1096)))   # 101,000 points
    chunks = list(render_csv(result))
    assert len(chunks) > 2 and max(map(len, chunks)) < 12_000_000
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert rows[0] == [*result.names, *TOTAL_KEYS]
    assert len(rows) == 1 + 101_000
    index = 57 * 1000 + 128  # α = 0.82, resolution 224
    assert rows[1 + index][:2] == ["41/50", "224"]
    assert rows[1 + index][3] == str(int(result.totals["maccs"][57, 128]))


# -- totals that break the table -------------------------------------------------------------

@pytest.mark.parametrize(("value", "base"), [(0, 0), (5, 0), (10**400, 3), (3, 10**400),
                                              (10**400, 10**399)])
def test_table_survives_zero_and_huge_totals(value, base):
    totals = {key: np.array([value], dtype=object) for key in TOTAL_KEYS}
    result = SweepResult("m", {"alpha": [1]}, {}, "fp32", totals,
                         {key: base for key in TOTAL_KEYS}, "exact")
    text = "".join(render_table(result))
    assert "m sweep" in text
    if base == 0:
        assert "n/a" in text


# -- structure that depends on a swept value -------------------------------------------------

def test_swept_repeat_count_is_built_point_by_point():
    # branches decides how many convs a MobileOne block has: no symbolic build; the sweep
    # builds each point (issue 9: a TypeError)
    spec = SPECS / "mobileone.yaml"
    result = run("sweep", spec, "--set-range", "branches=1:3:1", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    for row in rows:
        expected = costmodel.analyze(spec, branches=int(row["branches"])).totals
        assert int(row["params"]) == expected.params


def test_symbolic_report_states_its_assumptions():
    result = run("report", V2, "--symbolic", "alpha")
    assert result.exit_code == 0, result.output
    assert "features.1: residual when C_in = out: assumes" in result.output


@pytest.mark.parametrize(("fmt", "limit"), [("table", 2_000), ("json", 100_000)])
def test_a_format_refuses_more_rows_than_it_can_print(fmt: str, limit: int) -> None:
    # one point over the format's limit: refused in one line naming the spec, before any work
    values = ",".join(str(96 + i) for i in range(limit + 1))
    result = CliRunner().invoke(main, ["sweep", str(V2), "--resolution", values, "--format", fmt])
    _one_line_exit_2(result, "mobilenet_v2.yaml", f"at most {limit:,} points", "--format csv")
