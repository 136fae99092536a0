"""`sweep --latency`: each point's predicted latency is `report --latency`'s at that point."""

import csv
import io
import json
import random

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.latency.kernels import KINDS
from costmodel.latency.model import DeviceProfile, Roofline

V2 = "specs/mobilenet_v2.yaml"


@pytest.fixture
def profile(tmp_path):
    """A synthetic profile with every rate and cost in play (no two kinds alike)."""
    kinds = {kind: Roofline(1.0 + i / 7, 900.0 + 37 * i, 3000.0 + 101 * i) for i, kind in enumerate(KINDS)}
    path = tmp_path / "device.json"
    path.write_text(DeviceProfile("onnxruntime", "0", "synthetic", 1, "all", 12.5, kinds, node_us=0.3).to_json())
    return str(path)


def test_sweep_latency_equals_report_latency_at_random_points(profile):
    widths, resolutions = ["0.35", "0.5", "0.75", "1.0", "1.3"], ["96", "128", "160", "224"]
    result = CliRunner().invoke(main, ["sweep", V2, "--width", ",".join(widths), "--resolution",
                                       ",".join(resolutions), "--latency", profile, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 20 and all(float(row["latency_us"]) > 0 for row in rows)
    # the exact counts are the sweep's without --latency, unchanged
    plain = CliRunner().invoke(main, ["sweep", V2, "--width", ",".join(widths), "--resolution",
                                      ",".join(resolutions), "--format", "csv"])
    assert [{k: v for k, v in row.items() if k != "latency_us"} for row in rows] == \
        list(csv.DictReader(io.StringIO(plain.stdout)))
    for row in random.Random(13).sample(rows, 4):
        report = CliRunner().invoke(main, ["report", V2, "--set", f"alpha={row['alpha']}", "--set",
                                           f"resolution={row['resolution']}", "--latency", profile,
                                           "--format", "json"])
        assert report.exit_code == 0, report.output
        assert float(row["latency_us"]) == json.loads(report.stdout)["total_us"]


def test_sweep_latency_in_json_and_table(profile):
    args = ["sweep", V2, "--width", "0.5,1.0", "--latency", profile]
    records = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    # a wider network is slower
    assert 0 < records[0]["totals"]["latency_us"] < records[1]["totals"]["latency_us"]
    table = CliRunner().invoke(main, args).stdout
    assert "latency ms" in table
    assert f"{records[1]['totals']['latency_us'] / 1000:.3f}" in table


def test_sweep_latency_refuses_more_than_2000_points(profile):
    result = CliRunner().invoke(main, ["sweep", V2, "--width", "0.1:3.0:0.001", "--latency", profile,
                                       "--format", "csv"])
    assert result.exit_code == 2
    assert "--latency predicts at most 2,000 points" in result.output


def test_sweep_with_an_unreadable_profile_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["sweep", V2, "--width", "0.5,1", "--latency", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert result.output == f"error: {tmp_path / 'none.json'}: cannot read device profile: No such file or directory\n"
