"""Report renderers and the CLI's report command."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

import costmodel
from costmodel.cli import main
from costmodel.cost import Cost
from costmodel.units import human

SPEC = "specs/mobilenet_v2.yaml"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_has_the_documented_keys_and_layers_add_up() -> None:
    data = json.loads(run("report", SPEC, "--format", "json", "--set", "alpha=0.75"))
    assert data["model"] == "mobilenet_v2"
    assert data["bindings"] == {"alpha": 0.75, "resolution": 224, "classes": 1000}
    assert data["exact_bindings"] == {"alpha": "3/4"}  # the exact value beside the number
    assert data["options"] == {"fuse": "none", "dtype": "fp32"}
    assert (data["format"], data["format_version"]) == ("costmodel.report", 2)
    assert data["costmodel"] == costmodel.__version__
    assert data["totals"]["params"] == 2_636_424 and data["totals"]["maccs"] == 209_069_792
    assert set(data["totals"]) >= {"params", "maccs", "mem_access", "elementwise", "fragments"}
    assert data["totals"]["mem_access_bytes"] == 4 * data["totals"]["mem_access"]
    for metric in ("params", "maccs", "mem_access", "elementwise", "fragments"):
        assert sum(layer[metric] for layer in data["layers"]) == data["totals"][metric], metric
    first = data["layers"][0]
    assert set(first) >= {"name", "op", "block", "output_shape", "params", "maccs", "mem_access", "elementwise"}
    assert first["name"] == "features.0.conv" and first["block"] == "features.0"


def test_csv_rows_add_up_to_the_total_row() -> None:
    rows = list(csv.DictReader(io.StringIO(run("report", SPEC, "--format", "csv"))))
    total = rows[-1]
    assert total["name"] == "total"
    assert sum(int(row["maccs"]) for row in rows[:-1]) == int(total["maccs"]) == 300_774_272


def test_table_shows_human_units_and_exact_totals() -> None:
    out = run("report", SPEC, "--dtype", "fp16")
    assert "3.50 M" in out and "300.8 M" in out
    assert "300,774,272" in out and "3,504,872" in out
    assert "mem_access   43,232,144 elements = 82.5 MiB at fp16" in out  # 43,232,144 × 2 B


def test_markdown_and_totals_only() -> None:
    out = run("report", SPEC, "--format", "markdown", "--totals-only")
    assert "| **total** | | | **3504872** | **300774272** |" in out
    assert "features.0.conv" not in out


def test_symbolic_option_prints_expressions() -> None:
    out = run("report", SPEC, "--symbolic", "resolution")
    assert "params      = 3504872" in out  # no size of a weight depends on the resolution
    assert "H₁ = ⌈r/2⌉" in out and "maccs       = " in out
    everything = json.loads(run("report", SPEC, "--symbolic", "--format", "json"))
    assert "c_1" in everything["totals"]["maccs"] and "alpha" in everything["definitions"]["c_1"]


def test_human_units() -> None:
    assert [human(v) for v in (999, 3_504_872, 300_774_272, 1_000, 12_345_678_901)] == \
        ["999", "3.50 M", "300.8 M", "1.00 K", "12.3 G"]


def test_api_views_add_up() -> None:
    result = costmodel.analyze(SPEC, resolution=160)
    by_block = result.by_block()
    assert sum(by_block.values(), Cost()) == result.totals
    assert sum(result.by_op().values(), Cost()) == result.totals
    # features.3.0: 24 → 144 expand, 3×3 depthwise stride 2 (40×40 → 20×20), 144 → 32 project
    assert by_block["features.3.0"].maccs == 24 * 144 * 40 * 40 + 9 * 144 * 20 * 20 + 144 * 32 * 20 * 20
    frag = result.fragmentation()["features.3.1"]
    assert (frag.kernels, frag.series, frag.parallel) == (9, 9, 1)
