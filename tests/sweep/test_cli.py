"""``costmodel sweep`` on the command line."""

from __future__ import annotations

import csv
import io
import json
import random
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from costmodel.analysis.grid_axis import Axis
from costmodel.analysis.sweep import TOTAL_KEYS
from costmodel.cli import main
from costmodel.commands.sweep import parse_values

V1 = str(Path(__file__).resolve().parents[2] / "specs" / "mobilenet_v1.yaml")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_json_has_bindings_and_report_totals():
    result = run("sweep", V1, "--width", "0.5,1", "--resolution", "160,224", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["bindings"] for r in records][:2] == [{"alpha": "1/2", "resolution": 160},
                                                    {"alpha": "1/2", "resolution": 224}]
    assert set(records[0]["totals"]) == set(TOTAL_KEYS)
    assert records[-1]["totals"]["maccs"] == 568740352


def test_csv_and_set_range():
    result = run("sweep", V1, "--set-range", "resolution=128:224:32", "--set", "alpha=0.5",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["resolution"] for row in rows] == ["128", "160", "192", "224"]
    assert rows[-1]["maccs"] == "149497088"


def test_table_shows_relative_cost_and_closed_form():
    result = run("sweep", V1, "--width", "0.75,1", "--resolution", "224,160", "--closed-form")
    assert result.exit_code == 0, result.output
    assert "57.2" in result.output  # 325400448 / 568740352
    assert "maccs ≈ 10752·alpha**2" in result.output


def test_unknown_parameter_exits_2():
    result = run("sweep", V1, "--set-range", "depth=1,2")
    assert result.exit_code == 2
    assert "unknown parameter 'depth'" in result.output


def test_parse_values():
    assert parse_values("2:6:1", "t") == [2, 3, 4, 5, 6]
    assert parse_values("0.25:1:0.25", "a") == [Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), 1]
    assert parse_values("0.5,1", "a") == ["0.5", "1"]


def test_a_range_is_start_plus_i_steps():
    rng = random.Random(7)
    for _ in range(300):
        start = Fraction(rng.randint(-50, 50), rng.randint(1, 12))
        step = Fraction(rng.randint(1, 40), rng.randint(1, 12))
        count = rng.randint(1, 30)
        values = Axis.range(start, step, count)
        assert values == [start + i * step for i in range(count)]
        assert all(type(v) is int or v.denominator != 1 for v in values)  # whole values are ints


def test_plot(tmp_path):
    out = tmp_path / "grid.svg"
    result = run("sweep", V1, "--width", "0.5,1", "--resolution", "160,224", "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert "paper: 569" in out.read_text() or out.stat().st_size > 10_000


def test_closed_form_and_plot_load_the_spec_once(tmp_path, monkeypatch):
    # issue 10: renderers format what the sweep computed; before, the spec was read three
    # times (sweep, closed forms, published points of the plot)
    import costmodel.spec.load as load

    reads: list[str] = []
    original = load.load_yaml
    monkeypatch.setattr(load, "load_yaml", lambda path: reads.append(str(path)) or original(path))
    out = tmp_path / "grid.svg"
    result = run("sweep", V1, "--width", "0.5,1", "--resolution", "160,224", "--closed-form",
                 "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert "maccs ≈ 10752·alpha**2" in result.output and out.exists()
    assert reads == [V1]


def test_a_long_line_is_drawn_as_its_envelope():
    # 10 · LINE_POINTS points: runs of 10, each drawn at its first x as its lowest and
    # highest value, so a one-point spike stays in the picture
    import numpy as np

    from costmodel.report.plot import LINE_POINTS, _envelope

    xs = np.arange(10 * LINE_POINTS, dtype=float)
    ys = np.sin(xs / 1000) * 100
    ys[12_345] = 1e6
    ex, ey = _envelope(xs, ys)
    assert len(ex) == len(ey) == 2 * LINE_POINTS
    assert ey.max() == 1e6 and ey.min() == ys.min()
    run = 12_345 // 10
    assert (ex[2 * run], ey[2 * run + 1]) == (run * 10, 1e6)
    assert (ey[0], ey[1]) == (ys[:10].min(), ys[:10].max())
    short = np.arange(100.0)
    assert _envelope(short, short)[0] is short  # few points: all of them
